"""Fixtures for tests of the trainer and what follows it: a tiny separable dataset and the
configuration that learns it in seconds."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from training import data

WIDTH, HEIGHT = 40, 32
TINY = [
    f"image_width={WIDTH}",
    f"image_height={HEIGHT}",
    "batch_size=8",
    "phase1_epochs=8",
    "phase1_learning_rate=0.003",
    "phase2_epochs=1",
    "fine_tune_layers=10",
    "early_stopping_patience=10",
    "reduce_lr_patience=10",
    "threads=2",
    # Few steps: moving BatchNorm statistics must settle fast (Keras' 0.99 never does here).
    "batch_norm_momentum=0.5",
]


def make_dataset(root: Path, per_class: dict[str, int], seed: int = 0) -> Path:
    """person: bright with a dark bar; no_person: dark with a bright blob. Separable by
    brightness alone, even under the brightness augmentation (+-20% of the range)."""
    rng = np.random.default_rng(seed)
    for split, count in per_class.items():
        for label in data.CLASSES:
            folder = root / split / label
            folder.mkdir(parents=True)
            for index in range(count):
                noise = rng.normal(0, 10, size=(HEIGHT, WIDTH))
                if label == "person":
                    pixels = 200 + noise
                    pixels[:, rng.integers(5, WIDTH - 10) :][:, :3] = 120
                else:
                    pixels = 45 + noise
                    y, x = rng.integers(4, HEIGHT - 12), rng.integers(4, WIDTH - 12)
                    pixels[y : y + 6, x : x + 6] = 120
                Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), "L").save(folder / f"{index:03d}.png")
    return root
