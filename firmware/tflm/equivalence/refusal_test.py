"""Models TFLM (2020) cannot run are refused with a message naming the reason, by the
Rust wrapper on the host and by the firmware under QEMU; nothing crashes."""

from __future__ import annotations

import os
import random
import subprocess
from pathlib import Path

import pytest

PACKAGE = Path("firmware/tflm")
MODELS = PACKAGE / "equivalence"
HOST_RUNNER = PACKAGE / "host_runner"
DEVICE_RUNNER = PACKAGE / "device_runner.elf"
RUN_QEMU = Path("toolchains/qemu/run_qemu.sh")


def _scratch(name: str, content: bytes) -> Path:
    path = Path(os.environ.get("TEST_TMPDIR", "/tmp")) / name
    path.write_bytes(content)
    return path


def _cases() -> list[tuple[str, Path, list[str], str]]:
    """(case, model file, extra runner flags, text the refusal must contain)."""
    model = (MODELS / "model.tflite").read_bytes()
    noise = random.Random(20261125).randbytes(4096)
    return [
        ("int8 MEAN", MODELS / "mean_v2.tflite", [], "MEAN version 2"),
        ("missing kernel", MODELS / "hard_swish.tflite", [], "HARD_SWISH"),
        ("per-channel dense weights", MODELS / "per_channel_dense.tflite", [], "per-channel quantized weights"),
        ("truncated", _scratch("truncated.tflite", model[: len(model) // 2]), [], "not a valid TFLite model"),
        ("random bytes", _scratch("random.tflite", noise), [], "not a valid TFLite model"),
        ("misaligned", MODELS / "model.tflite", ["--misalign"], "not 16-byte aligned"),
    ]


@pytest.mark.parametrize(("case", "model", "flags", "reason"), _cases(), ids=[case[0] for case in _cases()])
def test_host_wrapper_refuses(case: str, model: Path, flags: list[str], reason: str) -> None:
    run = subprocess.run(
        [str(HOST_RUNNER), f"--model={model}", "--expect_refusal", *flags], capture_output=True, text=True
    )
    assert run.returncode == 0, f"{case}: {run.stdout}{run.stderr}"
    assert reason in run.stdout, f"{case}: {run.stdout}"


@pytest.mark.parametrize(("case", "model", "flags", "reason"), _cases(), ids=[case[0] for case in _cases()])
def test_device_firmware_refuses(case: str, model: Path, flags: list[str], reason: str) -> None:
    arguments = " ".join([f"--model={model.resolve()}", "--expect_refusal", *flags])
    run = subprocess.run(
        ["bash", str(RUN_QEMU), f"--elf={DEVICE_RUNNER}", f"--append={arguments}", f"--expect_output={reason}"],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, f"{case}: {run.stdout}{run.stderr}"


def test_the_same_model_runs_when_nothing_is_wrong() -> None:
    # The refusal path itself must not refuse everything.
    run = subprocess.run(
        [str(HOST_RUNNER), f"--model={MODELS / 'model.tflite'}", "--expect_refusal"], capture_output=True, text=True
    )
    assert run.returncode == 1 and "accepted" in run.stderr


if __name__ == "__main__":
    raise SystemExit(pytest.main([__file__, "-q"]))
