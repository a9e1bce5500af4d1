"""The kernel benchmark's code path on the smoke model: one count per operator from each
kernel set, and the ops we have kernels for cheaper with ours (instruction counts are exact and
repeatable, so this is a property of the build, not a timing)."""

from pathlib import Path

import pytest

from bench import kernels

_RUNNERS = {
    "own": Path("bench/device_runner_own/device_runner.elf"),
    "reference": Path("bench/device_runner_reference/device_runner.elf"),
}
_MODEL = Path("quantization/smoke_int8/model.tflite")
_PLUGIN = Path("toolchains/qemu/insn_count/insn_count.so")


def test_each_operator_counted_and_own_kernels_faster() -> None:
    ops, input_bytes = kernels.model_operators(_MODEL.read_bytes())
    runs = {s: kernels.run(_RUNNERS[s], _MODEL, input_bytes, _PLUGIN) for s in ("reference", "own")}
    counts = {s: result.operator_instructions for s, result in runs.items()}
    for kernel_set, numbers in counts.items():
        assert len(numbers) == len(ops), kernel_set
        assert all(n > 0 for n in numbers), kernel_set
    # The ops //tflm/kernels registers (firmware/tflm_shim/BUILD.bazel).
    own = [i for i, op in enumerate(ops) if op.kind.startswith(("ADD", "AVERAGE_POOL_2D", "CONV_2D", "DEPTHWISE_CONV_2D"))]
    assert own and any(ops[i].kind == "ADD" for i in own)
    for i in own:
        assert counts["own"][i] < counts["reference"][i], ops[i].kind
    others = [i for i, op in enumerate(ops) if i not in own]
    for i in others:  # the same TFLM kernel in both builds
        assert counts["own"][i] == counts["reference"][i], ops[i].kind
    # Our kernels keep a byte of shift a channel where TFLM's keep four.
    assert 0 < runs["own"].arena < runs["reference"].arena
    report = kernels.table("smoke", ops, runs)
    assert "**whole model**" in report and "speed-up" in report and f"own {runs['own'].arena:,} B" in report


if __name__ == "__main__":
    raise SystemExit(pytest.main([__file__, "-q"]))
