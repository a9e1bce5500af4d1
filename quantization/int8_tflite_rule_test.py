"""The int8_tflite rule as a build action, on the smoke model the training tests build."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

OUT = Path("quantization/smoke_int8")


def test_the_rule_writes_an_audited_int8_model_and_its_report() -> None:
    report = json.loads((OUT / "report.json").read_text())
    library = {line.split()[0] for line in Path("third_party/tflm/ops.txt").read_text().splitlines()}
    assert set(report["operators"]) <= library
    assert report["input"]["shape"] == [1, 120, 160, 1] and report["input"]["type"] == "INT8"
    assert report["int8_bytes"] == (OUT / "model.tflite").stat().st_size
    assert len(json.loads((OUT / "calibration.json").read_text())["images"]) == 16


if __name__ == "__main__":
    raise SystemExit(pytest.main([__file__, "-q"]))
