"""Early, readable failures when a model cannot fit its board: checked before any firmware
is compiled, with the board's limit and the model's need in the message. The linker
script (//firmware/rt:link.x) checks the final image again."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from toolchains.image import memory_map


class BoardLimitError(ValueError):
    """The model needs more flash or arena RAM than the board has."""


@dataclasses.dataclass(frozen=True)
class Fit:
    board: str
    flash_limit: int
    model_bytes: int
    arena_limit: int
    arena_need: int

    def as_dict(self) -> dict[str, object]:
        return dataclasses.asdict(self)


def board_name(memory_x: Path) -> str:
    """Boards live in toolchains/boards/NAME/memory.x."""
    return memory_x.parent.name


def check(memory_x: Path, model_bytes: int, arena_need: int) -> Fit:
    """Raises BoardLimitError naming what does not fit; returns the margins otherwise.

    `arena_need` is what the firmware places in the board's ARENA region (the tensor arena,
    which also holds the frame: it is the input tensor); `model_bytes` goes to FLASH with
    the code.
    """
    board = memory_map.parse(memory_x)
    name = board_name(memory_x)
    fit = Fit(
        board=name,
        flash_limit=board.regions["FLASH"].length,
        model_bytes=model_bytes,
        arena_limit=board.regions["ARENA"].length,
        arena_need=arena_need,
    )
    problems = []
    if model_bytes > fit.flash_limit:
        problems.append(
            f"the model needs {model_bytes:,} B of flash but board {name} has {fit.flash_limit:,} B "
            "(before any code); use a smaller model (lower width or input size) or a board with more flash"
        )
    if arena_need > fit.arena_limit:
        problems.append(
            f"the model needs a {arena_need:,} B tensor arena but board {name} has {fit.arena_limit:,} B "
            "of contiguous arena RAM (ARENA in its memory.x); use a model with a smaller input or width "
            "(its early layers set the peak) or a board with more RAM"
        )
    if problems:
        raise BoardLimitError("; and ".join(problems))
    return fit
