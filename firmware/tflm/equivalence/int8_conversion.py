"""Full-integer conversion as TFLM (2020) needs it, shared by the test-model builders.

The quantizer (//quantization) owns the product's conversion; these helpers make the
models that prove the library, with the same two constraints: a batch of one, and
per-tensor dense weights.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np
import tensorflow as tf

keras = tf.keras


def single_batch(build: Callable[..., keras.Model], trained: keras.Model | None = None) -> keras.Model:
    """The network with a batch of exactly one, as on the device (and `trained`'s weights).

    Every shape is then static, so Flatten converts to one RESHAPE instead of
    SHAPE/STRIDED_SLICE/PACK, which the 2020 library lacks.
    """
    model = build(batch_size=1)
    if trained is not None:
        model.set_weights(trained.get_weights())
    return model


def convert_int8(model: keras.Model, samples: np.ndarray, per_tensor_dense: bool = True) -> bytes:
    """A full-int8 model (int8 input and output) calibrated on `samples`."""

    def representative() -> Iterator[list[np.ndarray]]:
        for sample in samples:
            yield [sample[np.newaxis]]

    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.representative_dataset = representative
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    converter.inference_input_type = tf.int8
    converter.inference_output_type = tf.int8
    # TFLM 2020's FULLY_CONNECTED reads one weight scale; TensorFlow 2.21 would otherwise
    # quantize dense weights per output channel (the shim refuses such models).
    converter._experimental_disable_per_channel_quantization_for_dense_layers = per_tensor_dense
    return converter.convert()
