"""Opens one input file as an image, or says exactly why it cannot be used.

Rejections (each a `Rejection` with a reason a user can act on): missing, zero-byte,
larger than --max_file_bytes, not an image, truncated or corrupt, more pixels than
--max_pixels (decompression bombs), or a pixel mode with no defined grayscale meaning.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

# Modes whose conversion to 8-bit grayscale is defined below (ImageOps/convert or scaling).
_COLOUR_MODES = {"1", "L", "LA", "P", "PA", "RGB", "RGBA", "RGBX", "CMYK", "YCbCr", "LAB", "HSV"}
_WIDE_MODES = {"I;16", "I;16B", "I;16L", "I"}


class Rejection(ValueError):
    """An input that cannot become a training image, with the reason."""


@dataclass(frozen=True)
class Limits:
    max_file_bytes: int = 50 * 1024 * 1024
    max_pixels: int = 40_000_000


def open_image(path: Path, limits: Limits) -> Image.Image:
    """The decoded image (first frame, EXIF orientation applied), fully loaded."""
    if not path.is_file():
        raise Rejection("file not found")
    size = path.stat().st_size
    if size == 0:
        raise Rejection("zero-byte file")
    if size > limits.max_file_bytes:
        raise Rejection(f"file of {size} bytes exceeds --max_file_bytes={limits.max_file_bytes}")
    try:
        with warnings.catch_warnings():
            # Pillow warns, then errors, on decompression bombs: both are rejections here.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(path)
            width, height = image.size
            if width * height > limits.max_pixels:
                raise Rejection(
                    f"{width}x{height} pixels exceeds --max_pixels={limits.max_pixels} (decompression bomb?)"
                )
            image.seek(0)  # first frame of animations
            image.load()
            return ImageOps.exif_transpose(image)
    except Rejection:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise Rejection(f"decompression bomb: {error}") from error
    except UnidentifiedImageError as error:
        raise Rejection("not an image pillow can read") from error
    except (OSError, SyntaxError, ValueError, EOFError) as error:
        raise Rejection(f"truncated or corrupt image: {error}") from error


def check_mode(image: Image.Image) -> None:
    """Refuses pixel modes without a defined grayscale meaning (e.g. 32-bit float)."""
    if image.mode not in _COLOUR_MODES and image.mode not in _WIDE_MODES:
        raise Rejection(f"unsupported pixel mode {image.mode!r} (expected 8/16-bit gray, palette, RGB(A) or CMYK)")
