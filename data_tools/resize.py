"""A prepared dataset at another input size: every image of every split resized (same
split, same label, same file name), for models whose input is not 160x120.

    bazel run //data_tools:resize_dataset -- --src=DIR --out=DIR --width=96 --height=96

(resize_dataset.py is that command line; this module does the work.)

The images go through the same resize as `prepare` (`crop` keeps the centre at the new
aspect ratio, `letterbox` pads). The manifest is the source's, with each kept file's new
sha256, the new size in `settings.size` and the source's size and manifest hash in
`settings.resized_from`; every file on disk must be in it and every kept entry on disk.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from PIL import Image

from data_tools import labels, split, transform
from data_tools.pipeline import MANIFEST, png_bytes


class ResizeError(ValueError):
    """A source dataset that does not match its own manifest."""


def _images_on_disk(src: Path) -> set[str]:
    return {
        path.relative_to(src).as_posix()
        for split_name in split.SPLITS
        for label in labels.CLASSES
        for path in (src / split_name / label).glob("*.png")
    }


def resize_dataset(src: Path, out: Path, width: int, height: int, policy: str = "crop") -> dict:
    """Writes the resized dataset to `out` (which must be empty or absent); returns its manifest."""
    manifest_path = src / MANIFEST
    if not manifest_path.is_file():
        raise ResizeError(f"{manifest_path}: missing; --src must be a dataset written by //data_tools:prepare")
    manifest = json.loads(manifest_path.read_text())
    kept = {entry["output"]: entry for entry in manifest["kept"]}
    on_disk = _images_on_disk(src)
    if on_disk != set(kept):
        stray, missing = sorted(on_disk - set(kept)), sorted(set(kept) - on_disk)
        raise ResizeError(
            f"{src}: files and manifest disagree (not in the manifest: {stray[:3]}, missing on disk: {missing[:3]})"
        )
    if out.exists() and any(out.iterdir()):
        raise ResizeError(f"{out}: not empty")
    for split_name in split.SPLITS:
        for label in labels.CLASSES:
            (out / split_name / label).mkdir(parents=True, exist_ok=True)
    for relative in sorted(kept):
        with Image.open(src / relative) as image:
            if image.mode != "L":
                raise ResizeError(f"{src / relative}: mode {image.mode}, expected L (8-bit gray)")
            data = png_bytes(transform.resize(image, policy, (width, height)))
        (out / relative).write_bytes(data)
        kept[relative] = {**kept[relative], "sha256": hashlib.sha256(data).hexdigest()}
    manifest["kept"] = [kept[relative] for relative in sorted(kept)]
    manifest["settings"] = {
        **manifest["settings"],
        "size": [width, height],
        "resize_policy": policy,
        "resized_from": {
            "size": manifest["settings"].get("size"),
            "resize_policy": manifest["settings"].get("resize_policy"),
            "manifest_sha256": hashlib.sha256(manifest_path.read_bytes()).hexdigest(),
        },
    }
    (out / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return manifest
