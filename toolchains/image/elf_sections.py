"""Reads the allocated sections of a 32-bit little-endian ELF (enough for size reports)."""

from __future__ import annotations

import dataclasses
import struct
from pathlib import Path

_SHF_ALLOC = 0x2
_SHT_NOBITS = 8


@dataclasses.dataclass(frozen=True)
class Section:
    name: str
    address: int  # where it lives at run time (VMA)
    load_address: int  # where its bytes are stored in the image (LMA)
    size: int
    occupies_file: bool  # False for .bss-like sections: RAM only, nothing to flash


class ElfError(ValueError):
    pass


def _load_address(address: int, segments: list[tuple[int, int, int]]) -> int:
    """Maps a VMA to its LMA through the program headers (vaddr, paddr, memsz)."""
    for vaddr, paddr, memsz in segments:
        if vaddr <= address < vaddr + max(memsz, 1):
            return paddr + (address - vaddr)
    return address


def read_sections(path: Path) -> list[Section]:
    data = path.read_bytes()
    if data[:4] != b"\x7fELF":
        raise ElfError(f"{path}: not an ELF file")
    if data[4] != 1 or data[5] != 1:
        raise ElfError(f"{path}: expected a 32-bit little-endian ELF (an Arm MCU image)")
    (e_phoff, e_shoff) = struct.unpack_from("<II", data, 28)
    (e_phentsize, e_phnum, e_shentsize, e_shnum, e_shstrndx) = struct.unpack_from("<HHHHH", data, 42)

    segments = []
    for index in range(e_phnum):
        _, _, vaddr, paddr, _, memsz, _, _ = struct.unpack_from("<8I", data, e_phoff + index * e_phentsize)
        segments.append((vaddr, paddr, memsz))

    headers = [struct.unpack_from("<10I", data, e_shoff + i * e_shentsize) for i in range(e_shnum)]
    names_offset = headers[e_shstrndx][4]

    def name_at(offset: int) -> str:
        start = names_offset + offset
        return data[start : data.index(b"\0", start)].decode()

    sections = []
    for sh_name, sh_type, sh_flags, sh_addr, _, sh_size, *_ in headers:
        if not sh_flags & _SHF_ALLOC or sh_size == 0:
            continue
        sections.append(
            Section(
                name=name_at(sh_name),
                address=sh_addr,
                load_address=_load_address(sh_addr, segments),
                size=sh_size,
                occupies_file=sh_type != _SHT_NOBITS,
            )
        )
    return sections
