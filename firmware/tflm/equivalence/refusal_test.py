"""Models TFLM (2020) cannot run are refused with a message naming the reason, by the
Rust wrapper on the host and by the firmware under QEMU; nothing crashes."""

from __future__ import annotations

import os
import random
import re
import subprocess
from pathlib import Path

import pytest
from tensorflow.lite.tools import flatbuffer_utils

PACKAGE = Path("firmware/tflm")
MODELS = PACKAGE / "equivalence"
HOST_RUNNER = PACKAGE / "host_runner"
DEVICE_RUNNER = PACKAGE / "device_runner.elf"
RUN_QEMU = Path("toolchains/qemu/run_qemu.sh")
CONV_2D, DEPTHWISE_CONV_2D = 3, 4  # TFLite's builtin operator codes


def _scratch(name: str, content: bytes) -> Path:
    path = Path(os.environ.get("TEST_TMPDIR", "/tmp")) / name
    path.write_bytes(content)
    return path


def _per_channel_filter(model: object) -> object:
    """The first CONV_2D or DEPTHWISE_CONV_2D filter with per-channel scales."""
    subgraph = model.subgraphs[0]
    for op in subgraph.operators:
        code = model.operatorCodes[op.opcodeIndex]
        if max(code.builtinCode, code.deprecatedBuiltinCode) not in (CONV_2D, DEPTHWISE_CONV_2D):
            continue
        quantization = subgraph.tensors[op.inputs[1]].quantization
        if quantization is not None and quantization.scale is not None and len(quantization.scale) > 1:
            return subgraph.tensors[op.inputs[1]]
    raise AssertionError("model.tflite has no per-channel convolution filter")


def _edited(name: str, edit: object) -> Path:
    """model.tflite with `edit(model)` applied, as a scratch file."""
    model = flatbuffer_utils.read_model_from_bytearray(bytearray((MODELS / "model.tflite").read_bytes()))
    edit(model)
    return _scratch(name, bytes(flatbuffer_utils.convert_object_to_bytearray(model)))


def _one_zero_point(model: object) -> None:
    filter_tensor = _per_channel_filter(model)
    filter_tensor.quantization.zeroPoint = filter_tensor.quantization.zeroPoint[:1]


def _dimension_out_of_range(model: object) -> None:
    _per_channel_filter(model).quantization.quantizedDimension = 7


def _cases() -> list[tuple[str, Path, list[str], str]]:
    """(case, model file, extra runner flags, text the refusal must contain)."""
    model = (MODELS / "model.tflite").read_bytes()
    noise = random.Random(20261125).randbytes(4096)
    future = flatbuffer_utils.read_model_from_bytearray(bytearray(model))
    future.version = 4
    future_schema = bytes(flatbuffer_utils.convert_object_to_bytearray(future))
    return [
        ("int8 MEAN", MODELS / "mean_v2.tflite", [], "MEAN version 2"),
        ("missing kernel", MODELS / "hard_swish.tflite", [], "HARD_SWISH"),
        ("per-channel dense weights", MODELS / "per_channel_dense.tflite", [], "per-channel quantized weights"),
        ("truncated", _scratch("truncated.tflite", model[: len(model) // 2]), [], "not a valid TFLite model"),
        ("random bytes", _scratch("random.tflite", noise), [], "not a valid TFLite model"),
        ("schema version 4", _scratch("schema4.tflite", future_schema), [], "schema version 4"),
        ("misaligned", MODELS / "model.tflite", ["--misalign"], "not 16-byte aligned"),
        (
            "fewer zero points than scales",
            _edited("one_zero_point.tflite", _one_zero_point),
            [],
            "zero points: TFLM copies one zero point per scale",
        ),
        (
            "filter quantized_dimension out of range",
            _edited("dimension7.tflite", _dimension_out_of_range),
            [],
            "has quantized_dimension 7 but 4 dimensions",
        ),
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


def _minimum_arena(summary: str) -> int:
    match = re.search(r"minimum_arena_bytes: (\d+)", summary)
    assert match, summary
    return int(match.group(1))


def test_an_arena_one_block_short_fails_with_tflms_message_on_host_and_device() -> None:
    model, inputs = (MODELS / "model.tflite").resolve(), _scratch("one_input.bin", bytes(768))
    out = inputs.with_suffix(".out")
    host = [str(HOST_RUNNER), f"--model={model}", f"--inputs={inputs}", f"--outputs={out}"]
    minimum = _minimum_arena(subprocess.run(host, capture_output=True, text=True, check=True).stdout)
    short = subprocess.run([*host, f"--arena_bytes={minimum - 16}"], capture_output=True, text=True)
    assert short.returncode == 1 and "cannot create the interpreter" in short.stderr, short.stderr
    subprocess.run([*host, f"--arena_bytes={minimum}"], check=True)

    device = ["bash", str(RUN_QEMU), f"--elf={DEVICE_RUNNER}"]
    arguments = f"--model={model} --inputs={inputs} --outputs={out}"
    run = subprocess.run([*device, f"--append={arguments}"], capture_output=True, text=True, check=True)
    minimum = _minimum_arena(run.stdout)
    exact = subprocess.run([*device, f"--append={arguments} --arena_bytes={minimum}"], capture_output=True, text=True)
    assert exact.returncode == 0, exact.stdout + exact.stderr
    short = subprocess.run(
        [*device, f"--append={arguments} --arena_bytes={minimum - 16}", "--expect_exit_code=1"],
        capture_output=True,
        text=True,
    )
    assert short.returncode == 0 and "cannot create the interpreter" in short.stdout, short.stdout + short.stderr


def test_a_bias_naming_a_dimension_it_lacks_is_accepted(tmp_path: Path) -> None:
    # As in TFLM's person_detect: no kernel reads a bias's quantized_dimension.
    def bias_dimension_3(model: object) -> None:
        subgraph = model.subgraphs[0]
        op = next(op for op in subgraph.operators if len(op.inputs) > 2 and op.inputs[2] >= 0)
        subgraph.tensors[op.inputs[2]].quantization.quantizedDimension = 3

    edited = _edited("bias_dimension3.tflite", bias_dimension_3)
    inputs, outputs = _scratch("bias_inputs.bin", bytes(768)), tmp_path / "out.bin"
    original = tmp_path / "original.bin"
    subprocess.run([str(HOST_RUNNER), f"--model={edited}", f"--inputs={inputs}", f"--outputs={outputs}"], check=True)
    model = MODELS / "model.tflite"
    subprocess.run([str(HOST_RUNNER), f"--model={model}", f"--inputs={inputs}", f"--outputs={original}"], check=True)
    assert outputs.read_bytes() == original.read_bytes()


def test_the_same_model_runs_when_nothing_is_wrong() -> None:
    # The refusal path itself must not refuse everything.
    run = subprocess.run(
        [str(HOST_RUNNER), f"--model={MODELS / 'model.tflite'}", "--expect_refusal"], capture_output=True, text=True
    )
    assert run.returncode == 1 and "accepted" in run.stderr


if __name__ == "__main__":
    raise SystemExit(pytest.main([__file__, "-q"]))
