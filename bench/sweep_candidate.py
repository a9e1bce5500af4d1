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


@dataclasses.dataclass
class Candidate:
    alpha: str
    input: str
    error: str | None = None
    fp32_accuracy: float | None = None
    int8_accuracy: float | None = None
    tflite_bytes: int | None = None
    arena_bytes: int | None = None
    macs: int | None = None
    instructions: float | None = None
    host_agreement: float | None = None
    training_seconds: float | None = None
    model_sha256: str | None = None
    commit: str | None = None  # the commit it was measured at
    cpu: str | None = None  # training time depends on it, and so may the trained bytes
    boards: dict[str, BoardResult] = dataclasses.field(default_factory=dict)

    @property
    def name(self) -> str:
        return f"a{self.alpha}_{self.input}"

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
