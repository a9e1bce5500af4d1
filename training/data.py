"""Reads a prepared dataset (data_tools' layout) into arrays, checking the contract:

    DATA/{train,val,test}/{no_person,person}/*.png   8-bit gray, config's width x height

Class indices follow `CLASSES`: 0 = no_person, 1 = person. Files are read in sorted order.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

CLASSES = ("no_person", "person")
SPLITS = ("train", "val", "test")


class DatasetError(ValueError):
    """A dataset folder that does not match the layout contract."""


@dataclass(frozen=True)
class Split:
    images: np.ndarray  # (N, height, width, 1) uint8
    labels: np.ndarray  # (N,) int32
    paths: tuple[Path, ...]


def load_split(root: Path, split: str, width: int, height: int) -> Split:
    images, labels, paths = [], [], []
    for index, label in enumerate(CLASSES):
        folder = root / split / label
        if not folder.is_dir():
            raise DatasetError(f"{folder}: missing (expected {root}/{{train,val,test}}/{{no_person,person}}/)")
        files = sorted(folder.glob("*.png"))
        if not files:
            raise DatasetError(f"{folder}: class {label!r} has no images in {split}")
        for path in files:
            with Image.open(path) as image:
                if image.mode != "L" or image.size != (width, height):
                    raise DatasetError(
                        f"{path}: {image.size[0]}x{image.size[1]} {image.mode}, expected {width}x{height} L "
                        "(8-bit gray; prepare the data with //data_tools:prepare)"
                    )
                images.append(np.asarray(image, dtype=np.uint8))
            labels.append(index)
            paths.append(path)
    return Split(np.stack(images)[..., np.newaxis], np.array(labels, dtype=np.int32), tuple(paths))


def load(root: Path, width: int, height: int) -> dict[str, Split]:
    if not root.is_dir():
        raise DatasetError(f"{root}: dataset directory does not exist")
    return {split: load_split(root, split, width, height) for split in SPLITS}
