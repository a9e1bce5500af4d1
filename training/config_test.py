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


def test_a_broken_file_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    path.write_text("{not json")
    with pytest.raises(config.ConfigError, match="not valid JSON"):
        config.load(path)


if __name__ == "__main__":
    raise SystemExit(pytest.main([__file__, "-q"]))
