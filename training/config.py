"""One training configuration: every knob, its default, and a schema check.

Loaded from JSON (or YAML), unknown keys and wrong types are errors naming the key; flags
override single values (`--set key=value`).
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from pathlib import Path

import yaml


class ConfigError(ValueError):
    """A configuration file or override that does not fit the schema."""


@dataclass(frozen=True)
class Augmentation:
    """Active only in training; the exported model sees raw pixels untouched."""

    horizontal_flip: bool = True
    rotation: float = 0.08  # fraction of a full turn
    zoom: float = 0.2
    brightness: float = 0.2


@dataclass(frozen=True)
class TrainConfig:
    image_width: int = 160
    image_height: int = 120
    alpha: float = 0.35  # MobileNetV2 width multiplier
    dropout: float = 0.2
    batch_size: int = 32
    phase1_epochs: int = 10
    phase1_learning_rate: float = 1e-3
    phase1_warmup_epochs: int = 0  # epochs before phase 1 may stop, cut the rate or checkpoint
    phase2_epochs: int = 10
    phase2_learning_rate: float = 1e-4
    fine_tune_layers: int = 60  # top backbone layers unfrozen in phase 2 (BatchNorm stays frozen)
    early_stopping_patience: int = 4
    reduce_lr_patience: int = 2
    reduce_lr_factor: float = 0.3
    batch_norm_momentum: float = 0.9  # Keras' 0.99/0.999 stays at chance on short runs
    seed: int = 1234
    threads: int = 2
    weights: str | None = None  # ImageNet MobileNetV2 weights (3-channel); None trains from scratch
    augmentation: Augmentation = field(default_factory=Augmentation)

    def to_json(self) -> dict[str, object]:
        return dataclasses.asdict(self)


_RANGES = {
    "image_width": (16, 1024),
    "image_height": (16, 1024),
    "alpha": (0.1, 1.4),
    "dropout": (0.0, 0.9),
    "batch_size": (1, 4096),
    "phase1_epochs": (0, 1000),
    "phase2_epochs": (0, 1000),
    "phase1_warmup_epochs": (0, 1000),
    "fine_tune_layers": (0, 1000),
    "threads": (1, 256),
}


def _typed(name: str, expected: type | str, value: object) -> object:
    kinds = {"int": int, "float": (int, float), "bool": bool, "str | None": (str, type(None))}
    wanted = kinds.get(expected if isinstance(expected, str) else expected.__name__)
    if wanted is None:
        raise ConfigError(f"{name}: unsupported field type {expected}")
    is_bool = isinstance(value, bool)
    if not isinstance(value, wanted) or (is_bool and expected not in ("bool", bool)):
        raise ConfigError(f"{name}: expected {expected}, got {value!r}")
    return float(value) if expected in ("float", float) else value


def _build(cls: type, values: dict[str, object], prefix: str = "") -> object:
    fields = {item.name: item for item in dataclasses.fields(cls)}
    unknown = sorted(set(values) - set(fields))
    if unknown:
        raise ConfigError(f"unknown config key {prefix}{unknown[0]} (known: {', '.join(sorted(fields))})")
    arguments: dict[str, object] = {}
    for name, value in values.items():
        kind = fields[name].type
        if kind == "Augmentation":
            if not isinstance(value, dict):
                raise ConfigError(f"{prefix}{name}: expected a mapping")
            arguments[name] = _build(Augmentation, value, f"{name}.")
            continue
        arguments[name] = _typed(prefix + name, kind, value)
        low_high = _RANGES.get(name)
        if low_high and not low_high[0] <= arguments[name] <= low_high[1]:  # type: ignore[operator]
            raise ConfigError(f"{prefix}{name}={value} is outside {low_high[0]}..{low_high[1]}")
    return cls(**arguments)


def parse_override(text: str) -> tuple[str, object]:
    """`key=value` (value as JSON, or a bare string); nested keys with a dot."""
    key, separator, raw = text.partition("=")
    if not separator:
        raise ConfigError(f"--set {text!r}: expected KEY=VALUE")
    try:
        value = json.loads(raw)
    except json.JSONDecodeError:
        value = raw
    return key, value


def load(path: Path | None, overrides: list[str] | None = None) -> TrainConfig:
    values: dict[str, object] = {}
    if path is not None:
        text = path.read_text()
        try:
            loaded = yaml.safe_load(text) if path.suffix in (".yaml", ".yml") else json.loads(text)
        except (json.JSONDecodeError, yaml.YAMLError) as error:
            raise ConfigError(f"{path}: not valid {'YAML' if path.suffix != '.json' else 'JSON'}: {error}") from error
        if not isinstance(loaded, dict):
            raise ConfigError(f"{path}: expected a mapping of config keys")
        values = loaded
    for override in overrides or []:
        key, value = parse_override(override)
        if "." in key:
            outer, inner = key.split(".", 1)
            nested = dict(values.get(outer) or {})  # type: ignore[arg-type]
            nested[inner] = value
            values[outer] = nested
        else:
            values[key] = value
    config = _build(TrainConfig, values)
    assert isinstance(config, TrainConfig)
    return config
