"""The external evaluation set: 160x120 windows of real photographs that no training
source shares (photos.tsv, use `eval`), laid out as a prepared dataset's test split.

    external_set --photos=PATH/photos.tsv --out=DIR

Writes DIR/test/{person,no_person}/*.png and DIR/manifest.json (each window's photograph,
archive, licence, pixel box and where its label came from: a person looking at the
photograph). The windows are fixed, no randomness: a photograph of people gives three 4:3
windows centred on its people's box (the largest window that fits, 0.8 and 0.6 of it); a
photograph without people gives the largest window and 0.7 of it at the centre, and four
windows of half its size centred on the quadrants.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from absl import app, flags
from PIL import Image

from data_tools import labels, real_photos, transform
from data_tools.pipeline import MANIFEST, png_bytes
from tools.cli import cli_path

PHOTOS = flags.DEFINE_string("photos", None, "photos.tsv of the @real_photos repository.", required=True)
OUT = flags.DEFINE_string("out", None, "Output directory (created, must be empty).", required=True)

PERSON_SCALES = (1.0, 0.8, 0.6)
CENTRE_SCALES = (1.0, 0.7)
QUADRANT_SCALE = 0.5
Window = tuple[int, int, int, int]


def _window(size: tuple[int, int], scale: float, centre: tuple[float, float]) -> Window:
    """A 4:3 window of `scale` times the largest that fits, centred as near `centre` as fits."""
    width, height = size
    window_width = min(width, height * transform.WIDTH / transform.HEIGHT) * scale
    window_height = window_width * transform.HEIGHT / transform.WIDTH
    left = min(max(centre[0] - window_width / 2, 0), width - window_width)
    top = min(max(centre[1] - window_height / 2, 0), height - window_height)
    return round(left), round(top), round(left + window_width), round(top + window_height)


def windows(photo: real_photos.Photo, size: tuple[int, int]) -> list[Window]:
    width, height = size
    if photo.box is not None:
        x0, y0, x1, y1 = photo.box
        centre = ((x0 + x1) / 2 * width, (y0 + y1) / 2 * height)
        return [_window(size, scale, centre) for scale in PERSON_SCALES]
    middle = (width / 2, height / 2)
    quadrants = [(width * fx, height * fy) for fy in (0.25, 0.75) for fx in (0.25, 0.75)]
    return [_window(size, scale, middle) for scale in CENTRE_SCALES] + [
        _window(size, QUADRANT_SCALE, centre) for centre in quadrants
    ]


def build(photos_tsv: Path, out: Path) -> dict:
    photos = [photo for photo in real_photos.read_list(photos_tsv) if photo.use == "eval"]
    if out.exists() and any(out.iterdir()):
        raise ValueError(f"{out}: not empty")
    for label in labels.CLASSES:
        (out / "test" / label).mkdir(parents=True, exist_ok=True)
    kept = []
    for photo in sorted(photos, key=lambda item: item.name):
        image = real_photos.load_gray(photo)
        for index, box in enumerate(windows(photo, image.size)):
            pixels = transform.resize(image.crop(box), "crop")
            data = png_bytes(pixels)
            output = f"test/{photo.label}/{photo.slug(8)}-w{index}.png"
            (out / output).write_bytes(data)
            kept.append({
                "output": output,
                "sha256": hashlib.sha256(data).hexdigest(),
                "label": photo.label,
                "label_source": "human (photos.tsv)",
                "photo": photo.name,
                "licence": photo.licence,
                "window": list(box),
            })  # fmt: skip
    counts = {label: sum(entry["label"] == label for entry in kept) for label in labels.CLASSES}
    manifest = {
        "kept": sorted(kept, key=lambda entry: entry["output"]),
        "counts": {"photos": len(photos), "windows": counts},
        "settings": {"size": [transform.WIDTH, transform.HEIGHT], "resize_policy": "crop"},
    }
    (out / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return manifest


def main(argv: list[str]) -> None:
    del argv
    try:
        manifest = build(cli_path(PHOTOS.value), cli_path(OUT.value))
    except (real_photos.PhotoError, ValueError) as error:
        raise SystemExit(f"external_set: error: {error}") from error
    counts = manifest["counts"]
    print(f"external_set: {counts['photos']} photographs, windows {counts['windows']}")


if __name__ == "__main__":
    app.run(main)
