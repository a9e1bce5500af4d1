"""The calibration benchmark on the tests' smoke model: each set converts and runs in TFLM,
the whole split calibrates on every training image, and bad sets are clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import calibration

MODEL = Path("training/smoke_model/model.keras")
DATA = Path("training/smoke_dataset")


def test_each_set_is_converted_and_compared_with_fp32() -> None:
    sets = [calibration.CalibrationSet(8, 1), calibration.CalibrationSet(0, 1234)]
    fp32_accuracy, results = calibration.measure(MODEL, DATA, sets)
    train_images = len(list((DATA / "train").glob("*/*.png")))
    assert [r.used for r in results] == [8, train_images]
    for r in results:
        assert 0 <= r.int8_accuracy <= 1 and 0 <= r.agreement <= 1
        assert r.delta_pp == pytest.approx((r.int8_accuracy - fp32_accuracy) * 100)
    table = calibration.markdown(fp32_accuracy, results)
    assert f"| {train_images} | — |" in table and "| 8 | 1 |" in table


def test_a_set_is_images_and_a_seed() -> None:
    assert calibration.parse_set("200:7") == calibration.CalibrationSet(200, 7)
    assert calibration.parse_set("0") == calibration.CalibrationSet(0, 1234)
    with pytest.raises(ValueError, match="is not IMAGES"):
        calibration.parse_set("all")
    with pytest.raises(ValueError, match="negative"):
        calibration.parse_set("-5:1")
