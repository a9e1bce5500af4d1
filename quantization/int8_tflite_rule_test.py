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


def test_the_external_evaluation_scores_the_model_and_the_teacher() -> None:
    summary = json.loads((OUT / "external_evaluation.json").read_text())
    windows = summary["windows"]
    assert windows["person"] >= 30 and windows["no_person"] >= 250
    for name in ("model", "teacher"):
        result = summary["results"][name]
        counts = result["confusion_matrix"]["counts"]
        assert [sum(row) for row in counts] == [windows["no_person"], windows["person"]]
        assert 0 <= result["auc"] <= 1 and 0 <= result["person_recall_at_5pct_fp"] <= 1
    # The teacher is a real person detector: far above chance on real photographs.
    assert summary["results"]["teacher"]["auc"] > 0.8
    assert "## External evaluation" in (OUT / "evaluation_int8.md").read_text()


if __name__ == "__main__":
    raise SystemExit(pytest.main([__file__, "-q"]))
