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


MOBILENET_V2 = "mobilenet_v2"
MOBILENET_V1 = "mobilenet_v1"
# The teacher (TFLM's person_detect.tflite) is MobileNetV1 at this width.
TEACHER_ALPHA = 0.25
# What the teacher scores for distillation (teacher.py reads them from here).
TEACHER_VIEWS = ("frame", "max_of_squares")
TEACHER_FLAG = "--teacher=PATH (training/train.py; the keras_model rule's `teacher` attribute)"


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
    family: str = MOBILENET_V2  # the backbone: mobilenet_v2 (Keras') or mobilenet_v1 (mobilenet_v1.py)
    alpha: float = 0.35  # width multiplier
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
    init_from_teacher: bool = False  # mobilenet_v1 at alpha 0.25 only: start from the teacher's weights
    distillation_weight: float = 0.0  # 0 = off; else the loss's share of the teacher's soft scores
    distillation_temperature: float = 2.0  # softens both distributions in the distillation term
    teacher_view: str = TEACHER_VIEWS[0]  # what the teacher scores for distillation (TEACHER_VIEWS)
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
    "distillation_weight": (0.0, 1.0),
}
_CHOICES = {"family": (MOBILENET_V2, MOBILENET_V1), "teacher_view": TEACHER_VIEWS}


def _typed(name: str, expected: type | str, value: object) -> object:
    kinds = {"int": int, "float": (int, float), "bool": bool, "str": str, "str | None": (str, type(None))}
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
        choices = _CHOICES.get(name)
        if choices and arguments[name] not in choices:
            raise ConfigError(f"{prefix}{name}={value!r}: expected one of {', '.join(choices)}")
    return cls(**arguments)


def _check(config: TrainConfig) -> None:
    """Rules between fields."""
    if not config.distillation_temperature > 0:
        raise ConfigError(f"distillation_temperature={config.distillation_temperature} must be > 0 (e.g. 2.0)")
    if config.init_from_teacher and config.family != MOBILENET_V1:
        raise ConfigError(
            f"init_from_teacher: the teacher is MobileNetV1 {TEACHER_ALPHA}, family is {config.family}; "
            f"set family={MOBILENET_V1} and alpha={TEACHER_ALPHA}, or init_from_teacher=false"
        )
    if config.init_from_teacher and config.alpha != TEACHER_ALPHA:
        raise ConfigError(
            f"init_from_teacher: the teacher is MobileNetV1 {TEACHER_ALPHA}, alpha is {config.alpha}; "
            f"set alpha={TEACHER_ALPHA}, or init_from_teacher=false"
        )
    if config.weights is not None and config.family != MOBILENET_V2:
        raise ConfigError(
            f"weights: ImageNet MobileNetV2 weights fit family {MOBILENET_V2} only, family is {config.family}; "
            "drop weights (mobilenet_v1 starts from scratch or from the teacher: init_from_teacher)"
        )


def needs_teacher(config: TrainConfig) -> bool:
    return config.init_from_teacher or config.distillation_weight > 0


def check_teacher(config: TrainConfig, teacher: Path | None) -> None:
    """A configuration that uses the teacher model needs its file."""
    if teacher is None and needs_teacher(config):
        uses = "init_from_teacher" if config.init_from_teacher else f"distillation_weight={config.distillation_weight}"
        raise ConfigError(f"{uses} needs the teacher model (person_detect.tflite): pass {TEACHER_FLAG}")


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
    _check(config)
    return config
