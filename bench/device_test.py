"""The device benchmark's own code path, on the tests' tiny image and one frame a class."""

from __future__ import annotations

import json
from pathlib import Path

from bench import device_benchmark as device

SMOKE = Path("codegen/smoke_model_module_src")


def test_benchmark_reports_agreement_instructions_and_memory() -> None:
    text, numbers = device.benchmark(
        elf=Path("firmware/image_tiny.elf"),
        size_report=Path("firmware/image_tiny.size.json"),
        codegen_report=SMOKE / "codegen_report.json",
        model=SMOKE / "model.tflite",
        dataset=Path("training/smoke_dataset"),
        plugin=Path("toolchains/qemu/insn_count/insn_count.so"),
        device_runner=Path("firmware/tflm/device_runner.elf"),
        limit=1,
        jobs=2,
    )
    codegen = json.loads((SMOKE / "codegen_report.json").read_text())
    assert numbers["frames"] == 2 and numbers["failed"] == 0
    assert numbers["host_agreement"] == 1.0
    assert numbers["instructions_mean"] > codegen["macs"], "every MAC takes at least one instruction"
    # 32-bit pointers: the device needs less than the 64-bit host measured, but not much.
    assert 0.9 * codegen["arena_bytes"] < numbers["device_arena"] <= codegen["arena_bytes"]
    assert "| outputs identical to host TFLM (tflite-micro) | 100.00% (2/2) |" in text
    assert f"| MACs per inference | {codegen['macs']:,} |" in text


if __name__ == "__main__":
    import pytest

    raise SystemExit(pytest.main([__file__, "-q"]))
