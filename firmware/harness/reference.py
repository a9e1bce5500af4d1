"""The reference for device results: the host TFLM interpreter (`tflite-micro` from PyPI)
on the same model and frames, fed the way the firmware feeds them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from tflite_micro.python.tflite_micro import runtime


def input_bytes(pixels: np.ndarray, scale: float, zero_point: int, dtype: np.dtype) -> np.ndarray:
    """What the firmware's PIXEL_TO_INPUT table does: round(pixel / scale) + zero_point."""
    info = np.iinfo(dtype)
    return np.clip(np.round(pixels.astype(np.float64) / scale) + zero_point, info.min, info.max).astype(dtype)


def outputs(model: Path, frames: list[np.ndarray]) -> list[bytes]:
    """The output tensor bytes of `model` for each frame of raw 8-bit pixels."""
    interpreter = runtime.Interpreter.from_bytes(model.read_bytes())
    details = interpreter.get_input_details(0)
    quantization = details["quantization_parameters"]
    scale, zero_point = quantization["scales"][0], quantization["zero_points"][0]
    results = []
    for pixels in frames:
        interpreter.set_input(input_bytes(pixels, scale, zero_point, details["dtype"]).reshape(details["shape"]), 0)
        interpreter.invoke()
        results.append(interpreter.get_output(0).tobytes())
    return results
