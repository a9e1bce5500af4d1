"""The config schema: defaults, files, overrides and errors that name the key."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from training import config


def test_defaults_and_overrides(tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    path.write_text(json.dumps({"alpha": 0.5, "augmentation": {"zoom": 0.1}}))
    loaded = config.load(path, ["phase1_epochs=3", "augmentation.horizontal_flip=false", "weights=w.h5"])
    assert (loaded.alpha, loaded.phase1_epochs, loaded.image_width) == (0.5, 3, 160)
    assert (loaded.augmentation.zoom, loaded.augmentation.horizontal_flip) == (0.1, False)
    assert loaded.weights == "w.h5"


def test_yaml_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("batch_size: 16\ndropout: 0.1\n")
    assert config.load(path).batch_size == 16


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"alpah": 0.35}, "unknown config key alpah"),
        ({"augmentation": {"zom": 0.1}}, "unknown config key augmentation.zom"),
        ({"batch_size": "32"}, "batch_size: expected int"),
        ({"batch_size": True}, "batch_size: expected int"),
        ({"alpha": 3.0}, "alpha=3.0 is outside"),
        ({"augmentation": 1}, "augmentation: expected a mapping"),
    ],
)
def test_schema_errors_name_the_key(tmp_path: Path, values: dict, message: str) -> None:
    path = tmp_path / "c.json"
    path.write_text(json.dumps(values))
    with pytest.raises(config.ConfigError, match=message):
        config.load(path)


def test_teacher_fields_default_to_todays_model() -> None:
    loaded = config.load(None)
    assert loaded.family == "mobilenet_v2"
    assert (loaded.init_from_teacher, loaded.distillation_weight, loaded.distillation_temperature) == (False, 0.0, 2.0)
    assert not config.needs_teacher(loaded)
    config.check_teacher(loaded, None)  # today's model needs no teacher


def test_teacher_fields_are_parsed() -> None:
    loaded = config.load(
        None,
        [
            "family=mobilenet_v1",
            "alpha=0.25",
            "init_from_teacher=true",
            "distillation_weight=0.7",
            "distillation_temperature=4",
            "teacher_view=max_of_squares",
        ],
    )
    assert loaded.teacher_view == "max_of_squares"
    assert (loaded.family, loaded.alpha, loaded.init_from_teacher) == ("mobilenet_v1", 0.25, True)
    assert (loaded.distillation_weight, loaded.distillation_temperature) == (0.7, 4.0)
    assert config.needs_teacher(loaded)
    config.check_teacher(loaded, Path("person_detect.tflite"))
    assert config.load(None, ["family=mobilenet_v1", "alpha=0.5"]).family == "mobilenet_v1"  # any width from scratch


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (["family=mobilenet_v3"], "family='mobilenet_v3': expected one of mobilenet_v2, mobilenet_v1"),
        (["init_from_teacher=true"], "init_from_teacher: .* family is mobilenet_v2; set family=mobilenet_v1"),
        (["family=mobilenet_v1", "init_from_teacher=true"], "init_from_teacher: .* alpha is 0.35; set alpha=0.25"),
        (["family=mobilenet_v1", "alpha=0.5", "init_from_teacher=true"], "alpha is 0.5; set alpha=0.25"),
        (["init_from_teacher=1"], "init_from_teacher: expected bool"),
        (["distillation_weight=1.5"], "distillation_weight=1.5 is outside 0.0..1.0"),
        (["distillation_weight=-0.1"], "distillation_weight=-0.1 is outside"),
        (["distillation_temperature=0"], "distillation_temperature=0.0 must be > 0"),
        (["distillation_temperature=-1"], "distillation_temperature=-1.0 must be > 0"),
        (["family=mobilenet_v1", "weights=w.h5"], "weights: ImageNet MobileNetV2 weights fit family mobilenet_v2"),
        (["teacher_view=crops"], "teacher_view='crops': expected one of frame, max_of_squares"),
    ],
)
def test_teacher_field_errors_name_the_field(overrides: list[str], message: str) -> None:
    with pytest.raises(config.ConfigError, match=message):
        config.load(None, overrides)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (["distillation_weight=0.5"], r"distillation_weight=0.5 needs the teacher model .*--teacher=PATH"),
        (["family=mobilenet_v1", "alpha=0.25", "init_from_teacher=true"], r"init_from_teacher needs .*`teacher`"),
    ],
)
def test_a_configuration_that_needs_the_teacher_needs_its_file(overrides: list[str], message: str) -> None:
    with pytest.raises(config.ConfigError, match=message):
        config.check_teacher(config.load(None, overrides), None)


def test_a_broken_file_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    path.write_text("{not json")
    with pytest.raises(config.ConfigError, match="not valid JSON"):
        config.load(path)


if __name__ == "__main__":
    raise SystemExit(pytest.main([__file__, "-q"]))
