"""Reads files out of a compiled Qt resource file (`.rcc`, format versions 1 to 3).

GCompris ships its photographs inside such files. The layout: a `qres` header with the
offsets of a node tree, a data area and a name table; directories list their children,
files point into the data area (zlib-compressed when the node says so). Standard library
only: the repository rule runs this before any Python environment exists.
"""

from __future__ import annotations

import struct
import zlib

_COMPRESSED = 0x01
_DIRECTORY = 0x02
_COMPRESSED_ZSTD = 0x04


class RccError(ValueError):
    """A file that is not a Qt resource file this reader understands."""


class ResourceFile:
    def __init__(self, blob: bytes, name: str) -> None:
        if blob[:4] != b"qres":
            raise RccError(f"{name}: not a Qt resource file (no 'qres' magic)")
        self.name = name
        self.blob = blob
        self.version, self.tree, self.data, self.names = struct.unpack(">iiii", blob[4:20])
        if not 1 <= self.version <= 3:
            raise RccError(f"{name}: Qt resource format version {self.version}, this reader knows 1 to 3")
        self.node_size = 14 if self.version == 1 else 22

    def _name(self, offset: int) -> str:
        start = self.names + offset
        (length,) = struct.unpack(">H", self.blob[start : start + 2])
        return self.blob[start + 6 : start + 6 + 2 * length].decode("utf-16-be")

    def _node(self, index: int) -> tuple[str, int, bytes]:
        start = self.tree + index * self.node_size
        name_offset, flags = struct.unpack(">iH", self.blob[start : start + 6])
        return self._name(name_offset) if index else "", flags, self.blob[start + 6 : start + 14]

    def files(self) -> dict[str, tuple[int, int]]:
        """path -> (flags, data offset) of every file, walking the tree from the root."""
        found: dict[str, tuple[int, int]] = {}
        pending = [(0, "")]
        while pending:
            index, prefix = pending.pop()
            name, flags, rest = self._node(index)
            path = f"{prefix}/{name}" if prefix else name
            if flags & _DIRECTORY:
                count, first = struct.unpack(">ii", rest)
                pending += [(first + child, path) for child in range(count)]
            else:
                (offset,) = struct.unpack(">i", rest[4:8])
                found[path] = (flags, offset)
        return found

    def read(self, path: str) -> bytes:
        entry = self.files().get(path)
        if entry is None:
            raise RccError(f"{self.name}: no file {path!r} inside")
        flags, offset = entry
        start = self.data + offset
        (size,) = struct.unpack(">I", self.blob[start : start + 4])
        payload = self.blob[start + 4 : start + 4 + size]
        if flags & _COMPRESSED_ZSTD:
            raise RccError(f"{self.name}: {path} is zstd-compressed, which this reader does not decode")
        if flags & _COMPRESSED:
            return zlib.decompress(payload[4:])  # qCompress: 4-byte length, then zlib
        return payload
