"""Parses a board's memory.x: the MEMORY regions and the stack reservation."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

_REGION = re.compile(
    r"(?P<name>\w+)\s*(\([^)]*\))?\s*:\s*ORIGIN\s*=\s*(?P<origin>\w+)\s*,\s*LENGTH\s*=\s*(?P<length>\w+)"
)
_STACK = re.compile(r"_stack_size\s*=\s*(?P<size>\w+)\s*;")
_SUFFIX = {"K": 1024, "M": 1024 * 1024}


@dataclasses.dataclass(frozen=True)
class Region:
    name: str
    origin: int
    length: int

    def contains(self, address: int) -> bool:
        return self.origin <= address < self.origin + self.length


@dataclasses.dataclass(frozen=True)
class MemoryMap:
    regions: dict[str, Region]
    stack_size: int


def _number(text: str) -> int:
    text = text.strip()
    if text[-1] in _SUFFIX:
        return int(text[:-1], 0) * _SUFFIX[text[-1]]
    return int(text, 0)


def parse(path: Path) -> MemoryMap:
    text = re.sub(r"/\*.*?\*/", "", path.read_text(), flags=re.DOTALL)
    regions = {m["name"]: Region(m["name"], _number(m["origin"]), _number(m["length"])) for m in _REGION.finditer(text)}
    for required in ("FLASH", "RAM", "ARENA"):
        if required not in regions:
            raise ValueError(
                f"{path}: no {required} region in MEMORY; every board needs FLASH, RAM (stack, .data, .bss) "
                "and ARENA (the tensor arena: its largest contiguous RAM)"
            )
    stack = _STACK.search(text)
    if not stack:
        raise ValueError(f"{path}: no `_stack_size = ...;` line; every board reserves its stack")
    return MemoryMap(regions=regions, stack_size=_number(stack["size"]))
