"""TFLM through our Rust wrapper, on the host and on the emulated Cortex-M4F, against
TensorFlow's reference kernels and the current TFLM (the `tflite-micro` package).

For the test model and for every operator in it (the model truncated to output that
operator's result), 128 int8 inputs run in four interpreters:
  1. TensorFlow Lite, reference kernels (OpResolverType.BUILTIN_REF);
  2. TFLM from the `tflite-micro` PyPI package (current kernels);
  3. the Rust wrapper on the host (//firmware/tflm:host_runner);
  4. the firmware under QEMU mps2-an386 (//firmware/tflm:device_runner), files passed over
     semihosting.
3 and 4 must be bit-identical. Differences to 1 and 2 are reported per operator (in the
test log and equivalence_report.md among the test outputs) and must stay within the
bounds explained in EXPECTED_DIFFERENCES.
"""

from __future__ import annotations

import copy
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf
from tensorflow.lite.python import schema_py_generated as schema
from tensorflow.lite.tools import flatbuffer_utils

PACKAGE = Path("firmware/tflm")
MODEL = PACKAGE / "equivalence/model.tflite"
INPUTS = PACKAGE / "equivalence/inputs.bin"
HOST_RUNNER = PACKAGE / "host_runner"
DEVICE_RUNNER = PACKAGE / "device_runner.elf"
RUN_QEMU = Path("toolchains/qemu/run_qemu.sh")
MINIMUM_RECORDS = 100

# The largest difference (in output LSBs) to an interpreter, by operator, and why; any
# operator not listed must agree exactly with both. Operators after a listed one inherit
# its bound.
EXPECTED_DIFFERENCES = {
    ("FULLY_CONNECTED", "reference"): (
        1,
        "TFLite's reference FULLY_CONNECTED (BUILTIN_REF) rounds some int8 results one LSB away from "
        "TFLM; TFLM 2020 and current TFLM agree exactly, so the difference is TFLite's, not ours.",
    ),
}

_OP_NAMES = {code: name for name, code in vars(schema.BuiltinOperator).items() if not name.startswith("_")}


@dataclass(frozen=True)
class Variant:
    """The model, or the model with one operator's result as its first output."""

    name: str
    path: Path


def _scratch() -> Path:
    return Path(os.environ.get("TEST_TMPDIR", "/tmp"))


def _variants() -> list[Variant]:
    model = flatbuffer_utils.read_model_from_bytearray(bytearray(MODEL.read_bytes()))
    variants = [Variant("whole model", MODEL)]
    for index, op in enumerate(model.subgraphs[0].operators):
        code = model.operatorCodes[op.opcodeIndex]
        name = _OP_NAMES[max(code.builtinCode, code.deprecatedBuiltinCode)]
        # The operator's result becomes the first output. The model's own outputs stay:
        # TFLM (2020) refuses tensors that nothing reads.
        truncated = copy.deepcopy(model)
        original = [int(t) for t in model.subgraphs[0].outputs]
        outputs = original if op.outputs[0] in original else [int(op.outputs[0]), *original]
        truncated.subgraphs[0].outputs = np.array(outputs, dtype=np.int32)
        path = _scratch() / f"op{index:02d}_{name}.tflite"
        path.write_bytes(bytes(flatbuffer_utils.convert_object_to_bytearray(truncated)))
        variants.append(Variant(f"op {index:2d} {name}", path))
    return variants


def first_output(model: Path, outputs: bytes) -> bytes:
    """The first output's bytes of every record (runners write all outputs per record)."""
    details = tf.lite.Interpreter(model_content=model.read_bytes()).get_output_details()
    sizes = [int(np.prod(detail["shape"])) * np.dtype(detail["dtype"]).itemsize for detail in details]
    records = np.frombuffer(outputs, dtype=np.uint8).reshape(-1, sum(sizes))
    return records[:, : sizes[0]].tobytes()


def run_reference(model: Path) -> bytes:
    interpreter = tf.lite.Interpreter(
        model_content=model.read_bytes(),
        experimental_op_resolver_type=tf.lite.experimental.OpResolverType.BUILTIN_REF,
    )
    interpreter.allocate_tensors()
    source = interpreter.get_input_details()[0]
    records = np.frombuffer(INPUTS.read_bytes(), dtype=source["dtype"]).reshape(-1, *source["shape"])
    outputs = []
    for record in records:
        interpreter.set_tensor(source["index"], record)
        interpreter.invoke()
        outputs += [interpreter.get_tensor(target["index"]).tobytes() for target in interpreter.get_output_details()]
    return b"".join(outputs)


def run_pypi_tflm(model: Path) -> bytes:
    out = model.with_suffix(".pypi.bin")
    output_count = len(tf.lite.Interpreter(model_content=model.read_bytes()).get_output_details())
    runner = "firmware.tflm.equivalence.pypi_tflm_runner"
    subprocess.run([sys.executable, "-m", runner, str(model), str(INPUTS), str(out), str(output_count)], check=True)
    return out.read_bytes()


def run_host(model: Path) -> bytes:
    out = model.with_suffix(".host.bin")
    subprocess.run(
        [str(HOST_RUNNER), f"--model={model}", f"--inputs={INPUTS.resolve()}", f"--outputs={out}"], check=True
    )
    return out.read_bytes()


def run_device(model: Path) -> bytes:
    out = model.with_suffix(".device.bin")
    arguments = f"--model={model.resolve()} --inputs={INPUTS.resolve()} --outputs={out}"
    subprocess.run(
        ["bash", str(RUN_QEMU), f"--elf={DEVICE_RUNNER}", "--timeout=120", f"--append={arguments}"], check=True
    )
    return out.read_bytes()


@dataclass(frozen=True)
class Comparison:
    elements: int
    max_difference: int
    differing_fraction: float

    @staticmethod
    def of(ours: bytes, theirs: bytes) -> Comparison:
        a = np.frombuffer(ours, dtype=np.int8).astype(np.int32)
        b = np.frombuffer(theirs, dtype=np.int8).astype(np.int32)
        assert a.shape == b.shape, f"{a.shape} vs {b.shape} output bytes"
        difference = np.abs(a - b)
        return Comparison(a.size, int(difference.max(initial=0)), float((difference > 0).mean()))

    def __str__(self) -> str:
        return f"max |d| {self.max_difference}, {100 * self.differing_fraction:5.1f}% differ"


@pytest.fixture(scope="module")
def results() -> dict[Variant, dict[str, bytes]]:
    runners = {"reference": run_reference, "pypi_tflm": run_pypi_tflm, "host": run_host, "device": run_device}
    return {
        variant: {name: first_output(variant.path, run(variant.path)) for name, run in runners.items()}
        for variant in _variants()
    }


def _write_report(lines: list[str]) -> None:
    text = "\n".join(lines) + "\n"
    print(text)
    outputs = os.environ.get("TEST_UNDECLARED_OUTPUTS_DIR")
    if outputs:
        Path(outputs, "equivalence_report.md").write_text(text)


def test_enough_unsaturated_inputs_are_compared(results: dict[Variant, dict[str, bytes]]) -> None:
    whole = next(outputs for variant, outputs in results.items() if variant.name == "whole model")
    scores = np.frombuffer(whole["host"], dtype=np.int8)
    records = len(INPUTS.read_bytes()) // 768
    assert records >= MINIMUM_RECORDS
    assert len(np.unique(scores)) > 4, "outputs must vary, or agreement proves nothing"
    assert scores.min() > -128 and scores.max() < 127, "no output saturates"


def test_host_and_device_are_bit_identical(results: dict[Variant, dict[str, bytes]]) -> None:
    for variant, outputs in results.items():
        assert outputs["host"] == outputs["device"], f"{variant.name}: host and QEMU differ"


def test_differences_to_current_kernels_are_reported_and_explained(results: dict[Variant, dict[str, bytes]]) -> None:
    lines = [
        "# TFLM 2020 (our wrapper, host = QEMU) vs TensorFlow reference kernels and current TFLM",
        "",
        f"{len(INPUTS.read_bytes()) // 768} int8 inputs; per operator, the model truncated to that operator's output.",
        "",
        "| output of | elements | host = device | vs TFLite BUILTIN_REF | vs tflite-micro (PyPI) |",
        "| --- | --- | --- | --- | --- |",
    ]
    interpreters = ("reference", "pypi_tflm")
    # An operator's output may inherit the differences of every operator before it.
    running = dict.fromkeys(interpreters, 0)
    bounds: dict[Variant, dict[str, int]] = {}
    for variant in results:
        if variant.name != "whole model":
            op = variant.name.split()[-1]
            for name in interpreters:
                running[name] = max(running[name], EXPECTED_DIFFERENCES.get((op, name), (0, ""))[0])
            bounds[variant] = dict(running)
    unexplained = []
    for variant, outputs in results.items():
        comparisons = {name: Comparison.of(outputs["host"], outputs[name]) for name in interpreters}
        identical = "yes" if outputs["host"] == outputs["device"] else "NO"
        row = " | ".join(str(comparisons[name]) for name in interpreters)
        lines.append(f"| {variant.name} | {comparisons['reference'].elements} | {identical} | {row} |")
        for name in interpreters:
            bound = bounds.get(variant, running)[name]
            if comparisons[name].max_difference > bound:
                unexplained.append(f"{variant.name} vs {name}: {comparisons[name]}, explained up to {bound}")
    lines += ["", "Explained differences:"]
    lines += [
        f"- {op} vs {name}: up to {bound} LSB. {why}" for (op, name), (bound, why) in EXPECTED_DIFFERENCES.items()
    ]
    _write_report(lines)
    assert not unexplained, "unexplained differences:\n" + "\n".join(unexplained)


if __name__ == "__main__":
    raise SystemExit(pytest.main([__file__, "-q", "-s"]))
