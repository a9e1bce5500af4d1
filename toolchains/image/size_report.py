"""Flash and RAM use of a firmware ELF against its board's memory map (printed and JSON)."""

from __future__ import annotations

import json
from pathlib import Path

from absl import app, flags

from toolchains.image import elf_sections, memory_map

ELF = flags.DEFINE_string("elf", None, "Linked firmware ELF.", required=True)
MEMORY_X = flags.DEFINE_string("memory_x", None, "The board's memory.x.", required=True)
LABEL = flags.DEFINE_string("label", "", "Bazel label of the image, for the report.")
BOARD = flags.DEFINE_string("board", "", "Board name, for the report.")
OUT = flags.DEFINE_string("out", None, "Where to write the JSON report.", required=True)


def measure(elf: Path, memory_x: Path) -> dict:
    board = memory_map.parse(memory_x)
    flash, ram, arena = board.regions["FLASH"], board.regions["RAM"], board.regions["ARENA"]
    sections = elf_sections.read_sections(elf)
    flash_sections = {s.name: s.size for s in sections if s.occupies_file and flash.contains(s.load_address)}
    ram_sections = {s.name: s.size for s in sections if ram.contains(s.address)}
    arena_sections = {s.name: s.size for s in sections if arena.contains(s.address)}
    flash_used = sum(flash_sections.values())
    static_ram = sum(ram_sections.values())
    return {
        "flash": {"used": flash_used, "limit": flash.length, "sections": flash_sections},
        "ram": {
            "static": static_ram,
            "stack": board.stack_size,
            "used": static_ram + board.stack_size,
            "limit": ram.length,
            "sections": ram_sections,
        },
        "arena": {"used": sum(arena_sections.values()), "limit": arena.length, "sections": arena_sections},
    }


def format_report(label: str, board: str, sizes: dict) -> str:
    flash, ram, arena = sizes["flash"], sizes["ram"], sizes["arena"]
    return "\n".join(
        [
            f"{label} for {board}:",
            f"  FLASH {flash['used']:>10,} B of {flash['limit']:>10,} B ({100 * flash['used'] / flash['limit']:.2f}%)",
            (
                f"  RAM   {ram['used']:>10,} B of {ram['limit']:>10,} B ({100 * ram['used'] / ram['limit']:.2f}%)"
                f" = {ram['static']:,} static + {ram['stack']:,} stack"
            ),
            f"  ARENA {arena['used']:>10,} B of {arena['limit']:>10,} B ({100 * arena['used'] / arena['limit']:.2f}%)",
        ]
    )


def main(argv: list[str]) -> None:
    del argv
    sizes = measure(Path(ELF.value), Path(MEMORY_X.value))
    report = {"label": LABEL.value, "board": BOARD.value, **sizes}
    Path(OUT.value).write_text(json.dumps(report, indent=2, sort_keys=True) + "\n")
    print(format_report(LABEL.value, BOARD.value, sizes))


if __name__ == "__main__":
    app.run(main)
