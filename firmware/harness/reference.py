"""The reference for device results: the host TFLM interpreter (`tflite-micro` from PyPI)
on the same model and frames, fed the way the firmware feeds them."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from tflite_micro.python.tflite_micro import runtime


def pixel_table(codegen_report: Path) -> list[int]:
    """The input value for each pixel, as the generated module's PIXEL_TO_INPUT has it."""
    return json.loads(codegen_report.read_text())["pixel_to_input"]


def input_tensor(pixels: np.ndarray, table: list[int], dtype: np.dtype) -> np.ndarray:
    """What the firmware writes into the input tensor: PIXEL_TO_INPUT[pixel]."""
    return np.asarray(table, dtype=dtype)[pixels.astype(np.uint8)]


def outputs(model: Path, frames: list[np.ndarray], table: list[int]) -> list[bytes]:
    """The output tensor bytes of `model` for each frame of raw 8-bit pixels, fed through
    the pixel-to-input `table` (pixel_table)."""
    interpreter = runtime.Interpreter.from_bytes(model.read_bytes())
    details = interpreter.get_input_details(0)
    results = []
    for pixels in frames:
        interpreter.set_input(input_tensor(pixels, table, details["dtype"]).reshape(details["shape"]), 0)
        interpreter.invoke()
        results.append(interpreter.get_output(0).tobytes())
    return results


def outputs_tflite_reference_kernels(model: Path, frames: list[np.ndarray], table: list[int]) -> list[bytes]:
    """As outputs(), through TensorFlow Lite's reference kernels: the reference for uint8
    models, whose convolutions today's TFLM (tflite-micro) no longer prepares."""
    import tensorflow as tf  # heavy: only for the models that need it

    interpreter = tf.lite.Interpreter(
        model_path=str(model), experimental_op_resolver_type=tf.lite.experimental.OpResolverType.BUILTIN_REF
    )
    interpreter.allocate_tensors()
    details, output = interpreter.get_input_details()[0], interpreter.get_output_details()[0]
    results = []
    for pixels in frames:
        tensor = input_tensor(pixels, table, details["dtype"]).reshape(details["shape"])
        interpreter.set_tensor(details["index"], tensor)
        interpreter.invoke()
        results.append(interpreter.get_tensor(output["index"]).tobytes())
    return results
