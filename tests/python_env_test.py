"""Smoke test: the Bazel Python toolchain is the locked virtual environment."""

import sys
from pathlib import Path

import pytest


def _lock_pins() -> dict[str, str]:
    pins = {}
    lock = Path("third_party/python/requirements_lock.txt")
    for line in lock.read_text().splitlines():
        if "==" in line and not line.startswith((" ", "#")):
            name, version = line.split(" ")[0].split("==")
            pins[name.lower()] = version
    return pins


def test_interpreter_is_the_virtual_environment() -> None:
    assert sys.prefix != sys.base_prefix, "not running inside the locked venv"
    assert Path(sys.prefix, "pyvenv.cfg").is_file()


@pytest.mark.parametrize(
    "distribution",
    ["tensorflow-cpu", "numpy", "pillow", "absl-py", "scikit-learn", "pytest", "tflite-micro"],
)
def test_installed_version_matches_lock(distribution: str) -> None:
    from importlib import metadata

    assert metadata.version(distribution) == _lock_pins()[distribution]


def test_packages_import_from_the_environment_only() -> None:
    import numpy
    import PIL
    import sklearn
    import tensorflow as tf

    for module in (numpy, PIL, sklearn, tf):
        assert Path(module.__file__).resolve().is_relative_to(Path(sys.prefix).resolve()), module
    assert tf.reduce_sum(tf.constant([1, 2, 3])).numpy() == 6


def test_host_tflm_interpreter_imports() -> None:
    from tflite_micro import runtime

    assert hasattr(runtime.Interpreter, "from_bytes")


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q"]))
