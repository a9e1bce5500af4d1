"""Marker addresses and QEMU argv for the insn_count TCG plugin.

Example:
    argv = ["qemu-system-arm", "-M", "mps2-an386", ..., "-kernel", str(elf)]
    argv += plugin_args(plugin_so, elf, "begin_marker", "end_marker", out_path)
    # after QEMU exits: one count per line in out_path, one line per end_marker call.
"""

import struct
from os import PathLike
from pathlib import Path

_SHT_SYMTAB = 2
_SHN_UNDEF = 0
_STB_GLOBAL = 1
_STB_WEAK = 2
_ELFCLASS32 = 1
_ELFCLASS64 = 2
_ELFDATA2LSB = 1
_ELFDATA2MSB = 2

StrPath = str | PathLike[str]


def _symbol_table(elf: bytes) -> dict[str, int]:
    """Maps each named, defined symbol of the ELF's .symtab to its value."""
    if elf[:4] != b"\x7fELF":
        raise ValueError("not an ELF file")
    elf_class, data = elf[4], elf[5]
    if data not in (_ELFDATA2LSB, _ELFDATA2MSB) or elf_class not in (_ELFCLASS32, _ELFCLASS64):
        raise ValueError(f"unsupported ELF class/encoding {elf_class}/{data}")
    endian = "<" if data == _ELFDATA2LSB else ">"
    is64 = elf_class == _ELFCLASS64
    if is64:
        shoff, shentsize, shnum = (
            struct.unpack_from(endian + "Q", elf, 0x28)[0],
            *struct.unpack_from(endian + "HH", elf, 0x3A),
        )
        section_fmt = endian + "IIQQQQIIQQ"
    else:
        shoff, shentsize, shnum = (
            struct.unpack_from(endian + "I", elf, 0x20)[0],
            *struct.unpack_from(endian + "HH", elf, 0x2E),
        )
        section_fmt = endian + "IIIIIIIIII"
    sections = [struct.unpack_from(section_fmt, elf, shoff + i * shentsize) for i in range(shnum)]

    symbols: dict[str, int] = {}
    for _name, sh_type, _flags, _addr, offset, size, link, _info, _align, entsize in sections:
        if sh_type != _SHT_SYMTAB:
            continue
        strtab_offset = sections[link][4]
        for pos in range(offset + entsize, offset + size, entsize):  # entry 0 is the null symbol
            if is64:
                st_name, st_info, _st_other, shndx, st_value, _st_size = struct.unpack_from(endian + "IBBHQQ", elf, pos)
            else:
                st_name, st_value, _st_size, st_info, _st_other, shndx = struct.unpack_from(endian + "IIIBBH", elf, pos)
            if shndx == _SHN_UNDEF:
                continue
            start = strtab_offset + st_name
            name = elf[start : elf.index(b"\0", start)].decode()
            if not name:
                continue
            if st_info >> 4 in (_STB_GLOBAL, _STB_WEAK):
                symbols[name] = st_value  # a global definition wins over a same-named local one
            else:
                symbols.setdefault(name, st_value)
    return symbols


def marker_addresses(elf_path: StrPath, begin_symbol: str, end_symbol: str) -> tuple[int, int]:
    """The instruction addresses of two marker functions, read from the ELF's symbol table.

    Thumb function symbols have bit 0 set; it is cleared, since the plugin compares
    instruction addresses.
    """
    symbols = _symbol_table(Path(elf_path).read_bytes())
    addresses = []
    for symbol in (begin_symbol, end_symbol):
        if symbol not in symbols:
            raise KeyError(f"symbol {symbol!r} not found in {elf_path}")
        addresses.append(symbols[symbol] & ~1)
    begin, end = addresses
    if begin == end:
        raise ValueError(f"{begin_symbol} and {end_symbol} share address {begin:#x} (identical bodies folded?)")
    return begin, end


def _qemu_opt_value(text: str) -> str:
    """Escapes a value for QEMU's option syntax, where ',,' is a literal comma."""
    return text.replace(",", ",,")


def plugin_args(plugin_so: StrPath, elf: StrPath, begin_symbol: str, end_symbol: str, out_path: StrPath) -> list[str]:
    """The ['-plugin', 'SO,begin=0x..,end=0x..,out=PATH'] pair to append to a qemu-system-arm argv."""
    begin, end = marker_addresses(elf, begin_symbol, end_symbol)
    spec = f"{_qemu_opt_value(str(plugin_so))},begin={begin:#x},end={end:#x},out={_qemu_opt_value(str(out_path))}"
    return ["-plugin", spec]
