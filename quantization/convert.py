"""Full-integer conversion of the trained `.keras` model for the firmware.

The wrapper fixes the exported signature: one raw-pixel image per inference, the model's
own in-graph preprocessing, int8 softmax scores. The input is int8 by default: calibrated
on 0..255 pixels it gets scale 1 and zero point -128, so pixel p is fed as p - 128 (the
report records the actual parameters); `uint8` takes camera bytes as they are. A batch of
one makes every shape static, so Flatten converts to one RESHAPE. Dense weights are
quantized per tensor (TFLM 2020's FULLY_CONNECTED reads one scale).

Calibration uses the whole training split by default, or a sample of it drawn with a fixed
seed; `quantize.py` writes which images next to the model.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import tensorflow as tf

from quantization import bias_quantization, fold_batch_norm
from training import portable_numerics

keras = tf.keras
INPUT_TYPES = {"int8": tf.int8, "uint8": tf.uint8}


class ConversionError(ValueError):
    """A model or calibration set that cannot be converted."""


def load_model(path: Path) -> keras.Model:
    try:
        model = keras.models.load_model(path, compile=False)
    except (ValueError, OSError, KeyError) as error:
        raise ConversionError(f"{path}: not a Keras model file ({error})") from error
    if len(model.inputs) != 1 or len(model.outputs) != 1:
        raise ConversionError(f"{path}: expected one image input and one score output")
    return model


def single_image_wrapper(model: keras.Model) -> keras.Model:
    """The model called on a batch-of-one input, in inference mode."""
    inputs = keras.Input(model.input_shape[1:], batch_size=1, name="pixels")
    return keras.Model(inputs, model(inputs, training=False), name="person_detector_int8")


def calibration_indices(count: int, available: int, seed: int) -> list[int]:
    """Which of `available` training images calibrate: all of them for `count` 0, else a
    seeded sample of `count` (all when there are fewer)."""
    if count < 0:
        raise ConversionError(f"{count} calibration samples: give a number of training images, or 0 for all")
    if available == 0:
        raise ConversionError("the representative dataset is empty: no training images to calibrate with")
    if count == 0:
        return list(range(available))
    return sorted(np.random.default_rng(seed).choice(available, size=min(count, available), replace=False).tolist())


def firmware_model(
    model: keras.Model, train_images: np.ndarray, samples: int, seed: int, input_type: str = "int8"
) -> tuple[list[int], bias_quantization.Trimmed]:
    """The firmware's int8 model: calibrated on `samples` training images (calibration_indices),
    then with the bias quantization TFLM never reads emptied; and which images calibrated."""
    chosen = calibration_indices(samples, len(train_images), seed)
    return chosen, bias_quantization.trim(convert(model, train_images[chosen], input_type))


def convert(model: keras.Model, calibration: np.ndarray, input_type: str = "int8", quantize: bool = True) -> bytes:
    """The int8 `.tflite` (or, with quantize=False, the float one for size comparison)."""
    if input_type not in INPUT_TYPES:
        raise ConversionError(f"input type {input_type!r}: expected one of {', '.join(INPUT_TYPES)}")
    if quantize and len(calibration) == 0:
        raise ConversionError("the representative dataset is empty")
    # Folded BatchNorm weights and calibration ranges are float results: the same bits on
    # every CPU only with portable arithmetic, and with the fold done outside the converter.
    portable_numerics.configure()
    converter = tf.lite.TFLiteConverter.from_keras_model(single_image_wrapper(fold_batch_norm.folded(model)))
    if quantize:

        def representative() -> Iterator[list[np.ndarray]]:
            for image in calibration:
                yield [image[np.newaxis].astype(np.float32)]

        converter.optimizations = [tf.lite.Optimize.DEFAULT]
        converter.representative_dataset = representative
        converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
        converter.inference_input_type = INPUT_TYPES[input_type]
        converter.inference_output_type = tf.int8
        converter._experimental_disable_per_channel_quantization_for_dense_layers = True
    try:
        return converter.convert()
    except Exception as error:  # the converter raises many types; all mean "not convertible"
        raise ConversionError(
            f"TensorFlow cannot convert the model to {'int8' if quantize else 'float'}: {error}"
        ) from error
