"""Turns a decoded image into the model's input: 160x120 (width x height), 8-bit gray.

Grayscale is ITU-R BT.601 luma, L = 0.299 R + 0.587 G + 0.114 B (Pillow's "L"
conversion, in integer arithmetic); transparent pixels are composited on black first;
16-bit gray is scaled to 8 bits (v * 255 / 65535, rounded). Resizing keeps the aspect
ratio: `crop` (default) fills the frame and cuts the centre, `letterbox` fits the whole
image and pads with black.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

WIDTH, HEIGHT = 160, 120
POLICIES = ("crop", "letterbox")
_RESAMPLE = Image.Resampling.LANCZOS


def to_gray(image: Image.Image) -> Image.Image:
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):
        values = np.asarray(image, dtype=np.float64)
        scale = 65535.0 if image.mode.startswith("I;16") or values.max(initial=0) > 255 else 255.0
        return Image.fromarray(np.clip(np.rint(values * 255.0 / scale), 0, 255).astype(np.uint8), mode="L")
    if image.mode in ("P", "PA"):
        image = image.convert("RGBA")
    if image.mode in ("RGBA", "LA"):
        background = Image.new("RGBA", image.size, (0, 0, 0, 255))
        image = Image.alpha_composite(background, image.convert("RGBA"))
    return image.convert("L")


def resize(image: Image.Image, policy: str, size: tuple[int, int] = (WIDTH, HEIGHT)) -> Image.Image:
    """`image` at `size` (width, height), its aspect ratio kept by `policy`."""
    if policy not in POLICIES:
        raise ValueError(f"resize policy {policy!r}: expected one of {', '.join(POLICIES)}")
    target_width, target_height = size
    width, height = image.size
    fit = max if policy == "crop" else min
    scale = fit(target_width / width, target_height / height)
    scaled = (max(1, round(width * scale)), max(1, round(height * scale)))
    image = image.resize(scaled, _RESAMPLE)
    if policy == "crop":
        left, top = (scaled[0] - target_width) // 2, (scaled[1] - target_height) // 2
        return image.crop((left, top, left + target_width, top + target_height))
    canvas = Image.new("L", size, 0)
    canvas.paste(image, ((target_width - scaled[0]) // 2, (target_height - scaled[1]) // 2))
    return canvas


def prepare_pixels(image: Image.Image, policy: str) -> Image.Image:
    """Grayscale, then resized: the exact image written to the dataset."""
    return resize(to_gray(image), policy)
