"""The real photographs of `@real_photos` (third_party/real_photos): their list and pixels.

`photos.tsv` says for each photograph its use (train: dataset backgrounds; eval: the
external evaluation), its human label, the archive and member it came from, for a person
photograph a box around the people (fractions of width and height), and its licence.
"""

from __future__ import annotations

import bz2
import csv
import hashlib
import pickle
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from data_tools import labels, transform

USES = ("train", "eval")


class PhotoError(ValueError):
    """A photos.tsv row or a photograph that cannot be used."""


@dataclass(frozen=True)
class Photo:
    use: str
    label: str
    archive: str
    member: str
    box: tuple[float, float, float, float] | None  # x0, y0, x1, y1 as fractions; persons only
    licence: str
    path: Path

    @property
    def name(self) -> str:
        return f"{self.archive}/{self.member}"

    def slug(self, digest_length: int) -> str:
        """A file-name-safe name: archive, the member's stem (which repeats across
        packages, `1280x1024`), and a prefix of the sha256 of `name` that tells them apart."""
        digest = hashlib.sha256(self.name.encode()).hexdigest()[:digest_length]
        return f"{self.archive}-{Path(self.member.split(':')[-1]).stem}-{digest}"


def _box(text: str, where: str) -> tuple[float, float, float, float] | None:
    if not text:
        return None
    try:
        x0, y0, x1, y1 = (float(value) for value in text.split(","))
    except ValueError as error:
        raise PhotoError(f"{where}: box {text!r}: expected x0,y0,x1,y1 (fractions of width and height)") from error
    if not (0 <= x0 < x1 <= 1 and 0 <= y0 < y1 <= 1):
        raise PhotoError(f"{where}: box {text!r}: needs 0 <= x0 < x1 <= 1 and 0 <= y0 < y1 <= 1")
    return x0, y0, x1, y1


def read_list(photos_tsv: Path) -> list[Photo]:
    """Every row of photos.tsv, checked; photographs live in photos/<archive>/<member> beside it."""
    lines = [line for line in photos_tsv.read_text().splitlines() if line and not line.startswith("#")]
    photos = []
    for number, row in enumerate(csv.DictReader(lines, delimiter="\t"), start=2):
        where = f"{photos_tsv} (row {number}, {row.get('member')})"
        if row["use"] not in USES:
            raise PhotoError(f"{where}: use {row['use']!r}, expected one of {', '.join(USES)}")
        if row["label"] not in labels.CLASSES:
            raise PhotoError(f"{where}: label {row['label']!r}, expected one of {', '.join(labels.CLASSES)}")
        box = _box(row["box"], where)
        if row["use"] == "eval" and (row["label"] == labels.PERSON) != (box is not None):
            raise PhotoError(f"{where}: an eval photograph has a box exactly when it shows people")
        path = photos_tsv.parent / "photos" / row["archive"] / row["member"].replace(":", "/")
        photos.append(Photo(row["use"], row["label"], row["archive"], row["member"], box, row["licence"], path))
    return photos


def load_gray(photo: Photo) -> Image.Image:
    """The photograph as 8-bit gray (transform.to_gray), whatever its container."""
    if not photo.path.is_file():
        raise PhotoError(f"{photo.path}: missing (the @real_photos repository fetches it)")
    if photo.path.name == "ascent.dat":  # scipy 1.9: a pickled list of rows of gray values
        rows = pickle.loads(photo.path.read_bytes())  # noqa: S301 - the archive's sha256 is pinned
        return Image.fromarray(np.asarray(rows, dtype=np.uint8), "L")
    if photo.path.name == "face.dat":  # scipy 1.9: bz2-compressed raw RGB, 768 x 1024
        pixels = np.frombuffer(bz2.decompress(photo.path.read_bytes()), np.uint8).reshape(768, 1024, 3)
        return transform.to_gray(Image.fromarray(pixels, "RGB"))
    try:
        with Image.open(photo.path) as image:
            image.load()
            return transform.to_gray(image)
    except OSError as error:
        raise PhotoError(f"{photo.path}: not a readable image ({error})") from error
