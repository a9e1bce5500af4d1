"""Frames for the firmware: a prepared dataset split as raw 8-bit gray files, one a frame."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
from PIL import Image

CLASSES = ("no_person", "person")


@dataclasses.dataclass(frozen=True)
class Frame:
    path: Path  # the raw frame file (height x width bytes)
    label: int  # index into CLASSES
    source: Path  # the dataset image it came from


def write_split(dataset: Path, split: str, out: Path, limit: int | None = None) -> list[Frame]:
    """Writes DATASET/SPLIT/{no_person,person}/*.png as OUT/<class>/<name>.gray, sorted by
    class then name; `limit` keeps the first N of each class."""
    frames = []
    for label, name in enumerate(CLASSES):
        images = sorted((dataset / split / name).glob("*.png"))[:limit]
        if not images:
            raise FileNotFoundError(f"{dataset / split / name}: no .png frames (a //data_tools:prepare dataset?)")
        (out / name).mkdir(parents=True, exist_ok=True)
        for image in images:
            frame = out / name / (image.stem + ".gray")
            frame.write_bytes(np.asarray(Image.open(image).convert("L"), dtype=np.uint8).tobytes())
            frames.append(Frame(frame, label, image))
    return frames


def pixels(frame: Path) -> np.ndarray:
    return np.frombuffer(frame.read_bytes(), dtype=np.uint8)
