"""Trimming the convolution biases' quantization arrays moves no byte and leaves the
weights' quantization alone (quantize_test checks that the scores do not change)."""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from quantization import bias_quantization, convert
from training import config as config_module
from training import model as model_module

WIDTH, HEIGHT = 40, 32


def converted() -> bytes:
    config = config_module.load(None, [f"image_width={WIDTH}", f"image_height={HEIGHT}"])
    tf.keras.utils.set_random_seed(0)
    network = model_module.build(config)
    calibration = np.random.default_rng(1).integers(0, 256, (8, HEIGHT, WIDTH, 1)).astype(np.uint8)
    return convert.convert(network, calibration)


def quantization_lengths(flatbuffer: bytes) -> dict[str, int]:
    interpreter = tf.lite.Interpreter(model_content=flatbuffer)
    lengths = {}
    for tensor in interpreter.get_tensor_details():
        lengths[tensor["name"]] = len(tensor["quantization_parameters"]["scales"])
    return lengths


def test_biases_lose_their_arrays_and_nothing_else_changes() -> None:
    original = converted()
    trimmed = bias_quantization.trim(original)
    before, after = quantization_lengths(original), quantization_lengths(trimmed.flatbuffer)
    emptied = {name for name in before if before[name] and not after[name]}
    assert len(emptied) == trimmed.tensors > 0
    assert sum(before[name] for name in emptied) == trimmed.channels
    assert all(after[name] == before[name] for name in before if name not in emptied)  # weights keep theirs
    # In place: same length, and only the two 4-byte counts of each bias differ.
    assert len(trimmed.flatbuffer) == len(original)
    changed = np.flatnonzero(np.frombuffer(original, np.uint8) != np.frombuffer(trimmed.flatbuffer, np.uint8))
    assert 0 < len(changed) <= 8 * trimmed.tensors
    assert bias_quantization.trim(trimmed.flatbuffer).tensors == 0
