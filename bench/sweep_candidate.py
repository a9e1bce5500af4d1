"""One candidate of the model sweep and its result on each board: what the sweep measures,
the table shows and the records keep."""

from __future__ import annotations

import dataclasses
import re


@dataclasses.dataclass
class BoardResult:
    board: str
    built: bool
    flash_used: int | None = None
    flash_limit: int | None = None
    ram_used: int | None = None  # stack and static data
    arena_used: int | None = None
    arena_limit: int | None = None
    reason: str | None = None  # why the image could not be built

    def fits(self, headroom: float = 0.0) -> bool:
        return bool(self.built and self.arena_used is not None and self.arena_limit) and (
            self.arena_used <= (1 - headroom) * self.arena_limit
        )


# Short names of the families (training/config.py), for candidate names.
FAMILIES = {"mobilenet_v1": "v1", "mobilenet_v2": "v2"}
FAMILY_TITLES = {"mobilenet_v1": "MobileNetV1", "mobilenet_v2": "MobileNetV2"}


@dataclasses.dataclass
class Candidate:
    alpha: str
    input: str
    family: str = "mobilenet_v2"
    recipe: str | None = None  # the training config's label
    error: str | None = None
    fp32_accuracy: float | None = None
    int8_accuracy: float | None = None
    tflite_bytes: int | None = None
    arena_bytes: int | None = None
    macs: int | None = None
    instructions: float | None = None
    host_agreement: float | None = None
    # On the external evaluation (real photographs no training source shares), in TFLM.
    external_auc: float | None = None
    external_accuracy: float | None = None
    external_recall_at_5pct_fp: float | None = None
    teacher_external: dict | None = None  # the teacher's metrics on the same set, for the anchor row
    training_seconds: float | None = None
    model_sha256: str | None = None
    commit: str | None = None  # the commit it was measured at
    cpu: str | None = None  # training time depends on it, and so may the trained bytes
    boards: dict[str, BoardResult] = dataclasses.field(default_factory=dict)

    @property
    def name(self) -> str:
        return f"{FAMILIES[self.family]}_a{self.alpha}_{self.input}"

    @property
    def title(self) -> str:
        return f"{FAMILY_TITLES[self.family]} {self.alpha}, {self.input}"

    @property
    def delta_pp(self) -> float | None:
        if self.fp32_accuracy is None or self.int8_accuracy is None:
            return None
        return (self.int8_accuracy - self.fp32_accuracy) * 100


def parse_input(value: str) -> tuple[int, int]:
    match = re.fullmatch(r"(\d+)x(\d+)", value.strip())
    if not match:
        raise ValueError(f"input size {value!r} is not WIDTHxHEIGHT (for example 128x96)")
    return int(match[1]), int(match[2])
