"""Every operator TensorFlow 2.21 emits for the product's MobileNetV2 (the width and input
of its recipe, 1-channel input, full int8) is supported by the TFLM (2020) library or has a workaround
the quantizer applies; with the workarounds the model runs through our wrapper on the host
and in the firmware under QEMU."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import numpy as np
from tensorflow.lite.python import schema_py_generated as schema
from tensorflow.lite.tools import flatbuffer_utils

MODELS = Path("firmware/tflm/equivalence")
HOST_RUNNER = Path("firmware/tflm/host_runner")
DEVICE_RUNNER = Path("firmware/tflm/device_runner.elf")
RUN_QEMU = Path("toolchains/qemu/run_qemu.sh")

# What the default conversion produces that TFLM (2020) cannot run, and the workaround.
WORKAROUNDS = {
    ("MEAN", 2): "GlobalAveragePooling2D converts to int8 MEAN (version 2); the 2020 kernel is float-only. "
    "The quantizer builds the head with AveragePooling2D over the whole feature map (AVERAGE_POOL_2D) and Flatten.",
    ("FULLY_CONNECTED", "per-channel"): "TensorFlow 2.21 quantizes Dense weights per channel; the 2020 kernel reads "
    "one scale. The quantizer converts with per-tensor dense weights.",
}

_OP_NAMES = {code: name for name, code in vars(schema.BuiltinOperator).items() if not name.startswith("_")}


def library_ops() -> dict[str, tuple[int, int]]:
    lines = Path("third_party/tflm/ops.txt").read_text().splitlines()
    return {name: (int(low), int(high)) for name, low, high in (line.split() for line in lines)}


def model_ops(path: Path) -> set[tuple[str, int | str]]:
    """(operator, version) of every operator code, and (FULLY_CONNECTED, per-channel) if any
    dense layer has per-channel weights."""
    model = flatbuffer_utils.read_model(str(path))
    codes = model.operatorCodes
    found: set[tuple[str, int | str]] = set()
    for op in model.subgraphs[0].operators:
        code = codes[op.opcodeIndex]
        name = _OP_NAMES[max(code.builtinCode, code.deprecatedBuiltinCode)]
        found.add((name, code.version))
        weights = model.subgraphs[0].tensors[op.inputs[1]] if name == "FULLY_CONNECTED" else None
        if weights is not None and weights.quantization is not None and len(weights.quantization.scale) > 1:
            found.add((name, "per-channel"))
    return found


def _unsupported(found: set[tuple[str, int | str]]) -> set[tuple[str, int | str]]:
    library = library_ops()
    return {
        (name, version)
        for name, version in found
        if not (isinstance(version, int) and name in library and library[name][0] <= version <= library[name][1])
    }


def test_default_conversion_needs_only_the_listed_workarounds() -> None:
    found = model_ops(MODELS / "mobilenet_v2_default.tflite")
    print("default conversion:", sorted(found, key=str))
    unsupported = _unsupported(found)
    assert unsupported <= set(WORKAROUNDS), f"no workaround for {unsupported - set(WORKAROUNDS)}"
    for key in sorted(unsupported, key=str):
        print(f"{key}: {WORKAROUNDS[key]}")


def test_with_the_workarounds_every_operator_is_supported() -> None:
    found = model_ops(MODELS / "mobilenet_v2_workarounds.tflite")
    print("with workarounds:", sorted(found, key=str))
    assert not _unsupported(found)
    assert {name for name, _ in found} >= {"CONV_2D", "DEPTHWISE_CONV_2D", "ADD", "AVERAGE_POOL_2D", "FULLY_CONNECTED"}


def _input_bytes(model: Path) -> int:
    graph = flatbuffer_utils.read_model(str(model)).subgraphs[0]
    return int(np.prod(graph.tensors[graph.inputs[0]].shape))


def _inputs(model: Path, count: int) -> Path:
    path = Path(os.environ.get("TEST_TMPDIR", "/tmp")) / "mobilenet_inputs.bin"
    rng = np.random.default_rng(3)
    path.write_bytes(rng.integers(-128, 128, size=count * _input_bytes(model), dtype=np.int8).tobytes())
    return path


def test_the_workaround_model_runs_on_host_and_device_alike() -> None:
    model = (MODELS / "mobilenet_v2_workarounds.tflite").resolve()
    inputs = _inputs(model, 1)
    host_out, device_out = inputs.with_suffix(".host"), inputs.with_suffix(".device")
    subprocess.run([str(HOST_RUNNER), f"--model={model}", f"--inputs={inputs}", f"--outputs={host_out}"], check=True)
    arguments = f"--model={model} --inputs={inputs} --outputs={device_out}"
    subprocess.run(
        ["bash", str(RUN_QEMU), f"--elf={DEVICE_RUNNER}", "--timeout=240", f"--append={arguments}"], check=True
    )
    assert len(host_out.read_bytes()) == 2
    assert host_out.read_bytes() == device_out.read_bytes()


if __name__ == "__main__":
    import pytest

    raise SystemExit(pytest.main([__file__, "-q", "-s"]))
