"""The keras_model rule as a build action: a model and its FP32 report from a dataset."""

from __future__ import annotations

import json
from pathlib import Path

import tensorflow as tf

OUT = Path("training/smoke_model")


def test_the_rule_writes_a_loadable_model_and_the_baseline_report() -> None:
    model = tf.keras.models.load_model(OUT / "model.keras")
    assert model.input_shape == (None, 120, 160, 1)
    assert model.output_shape == (None, 2)
    evaluation = json.loads((OUT / "evaluation.json").read_text())
    assert evaluation["images"] > 0
    assert set(evaluation["classes"]) == {"no_person", "person"}
    assert sum(map(sum, evaluation["confusion_matrix"]["counts"])) == evaluation["images"]
    config = json.loads((OUT / "config.json").read_text())
    assert config["phase1_epochs"] == 10 and config["image_width"] == 160
    for name in ("history.png", "confusion_matrix.png", "worst_examples.png"):
        assert (OUT / name).read_bytes().startswith(b"\x89PNG")


if __name__ == "__main__":
    import pytest

    raise SystemExit(pytest.main([__file__, "-q"]))
