"""qt_rcc against a resource file written here by the format's rules: nested folders, a
plain file, a zlib-compressed one, and files that are not resource files."""

from __future__ import annotations

import struct
import zlib

import pytest

from third_party.real_photos import qt_rcc


def _resource_file(files: dict[str, tuple[bytes, bool]]) -> bytes:
    """A version-3 .rcc holding `files` (path -> (bytes, compressed)) under one folder `d`."""
    names, data = b"", b""
    name_offsets: dict[str, int] = {}
    for name in ["d", *files]:
        name_offsets[name] = len(names)
        names += struct.pack(">HI", len(name), 0) + name.encode("utf-16-be")
    nodes = [struct.pack(">iHii", 0, 2, 1, 1), struct.pack(">iHii", name_offsets["d"], 2, len(files), 2)]
    for name, (blob, compressed) in files.items():
        payload = struct.pack(">I", len(blob)) + zlib.compress(blob) if compressed else blob
        nodes.append(struct.pack(">iHhhi", name_offsets[name], 1 if compressed else 0, 0, 0, len(data)))
        data += struct.pack(">I", len(payload)) + payload
    tree = b"".join(node + struct.pack(">q", 0) for node in nodes)
    header_size = 24
    tree_offset, data_offset = header_size, header_size + len(tree)
    names_offset = data_offset + len(data)
    header = b"qres" + struct.pack(">iiiii", 3, tree_offset, data_offset, names_offset, 0)
    return header + tree + data + names


def test_reads_plain_and_compressed_files_by_path() -> None:
    blob = _resource_file({"a.webp": (b"RIFF plain", False), "b.webp": (b"packed " * 50, True)})
    resources = qt_rcc.ResourceFile(blob, "test.rcc")
    assert sorted(resources.files()) == ["d/a.webp", "d/b.webp"]
    assert resources.read("d/a.webp") == b"RIFF plain"
    assert resources.read("d/b.webp") == b"packed " * 50


def test_a_missing_member_names_the_file() -> None:
    resources = qt_rcc.ResourceFile(_resource_file({"a.webp": (b"x", False)}), "test.rcc")
    with pytest.raises(qt_rcc.RccError, match="test.rcc: no file 'd/c.webp'"):
        resources.read("d/c.webp")


def test_refuses_what_is_not_a_resource_file() -> None:
    with pytest.raises(qt_rcc.RccError, match="not a Qt resource file"):
        qt_rcc.ResourceFile(b"PK\x03\x04 a zip", "x.rcc")
    with pytest.raises(qt_rcc.RccError, match="version 9"):
        qt_rcc.ResourceFile(b"qres" + struct.pack(">iiii", 9, 0, 0, 0), "y.rcc")


if __name__ == "__main__":
    raise SystemExit(pytest.main([__file__, "-q"]))
