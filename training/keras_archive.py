"""Makes a saved `.keras` archive independent of the clock and of the process.

Keras writes the save time into `metadata.json`, Python object ids into `config.json`
(`shared_object_id`, which only has to match within the file) and zip entry times from
the clock. The date becomes a fixed one, the ids are renumbered in order of appearance,
and entries are written in sorted order dated 1980-01-01, so equal weights give equal bytes.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

FIXED_DATE = "1980-01-01@00:00:00"
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def _renumber_shared_objects(node: object, numbers: dict[int, int]) -> object:
    if isinstance(node, dict):
        return {
            key: numbers.setdefault(value, len(numbers) + 1)
            if key == "shared_object_id" and isinstance(value, int)
            else _renumber_shared_objects(value, numbers)
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_renumber_shared_objects(item, numbers) for item in node]
    return node


def normalize(path: Path) -> None:
    with zipfile.ZipFile(path) as archive:
        entries = {info.filename: (info, archive.read(info.filename)) for info in archive.infolist()}
    with zipfile.ZipFile(path, "w") as archive:
        for name in sorted(entries):
            info, data = entries[name]
            if name == "metadata.json":
                metadata = json.loads(data)
                metadata["date_saved"] = FIXED_DATE
                data = json.dumps(metadata, sort_keys=True).encode()
            elif name == "config.json":
                data = json.dumps(_renumber_shared_objects(json.loads(data), {})).encode()
            fixed = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            fixed.compress_type = info.compress_type
            fixed.external_attr = 0o644 << 16
            archive.writestr(fixed, data)
