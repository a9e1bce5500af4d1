"""BatchNormalization folded in NumPy before conversion, so that converting follows no CPU.

The converter folds each inference-mode BatchNormalization into its convolution with TF's
`Rsqrt` kernel: the approximate RSQRTPS instruction plus a Newton step, whose last bit
differs between Intel, AMD and emulators, so per-channel weight scales and int32 biases
differed between CPUs. Here each BatchNormalization becomes the per-channel multiply and
add it computes in inference, with factors computed once in float32 NumPy (IEEE square
root and division, the same bits everywhere and the same arithmetic as portable training);
the converter then fuses the multiply and the add into the convolution with plain float
products and sums.
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf

keras = tf.keras


class ChannelAffine(keras.layers.Layer):
    """x * scale + offset along the last axis, with constant factors."""

    def __init__(self, scale: list[float], offset: list[float], **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.scale = np.asarray(scale, np.float32)
        self.offset = np.asarray(offset, np.float32)

    def call(self, inputs: tf.Tensor, training: bool | None = None, mask: tf.Tensor | None = None) -> tf.Tensor:
        del training, mask  # BatchNormalization's call signature; the affine ignores both
        return inputs * tf.constant(self.scale) + tf.constant(self.offset)

    def get_config(self) -> dict[str, object]:
        return {**super().get_config(), "scale": self.scale.tolist(), "offset": self.offset.tolist()}


def inference_factors(layer: keras.layers.BatchNormalization) -> tuple[np.ndarray, np.ndarray]:
    """(scale, offset) with BatchNormalization(x) = x * scale + offset in inference mode."""
    if layer.axis not in (-1, len(layer.input.shape) - 1):
        raise ValueError(f"{layer.name}: normalizes axis {layer.axis}; only the channel (last) axis folds")
    mean = layer.moving_mean.numpy().astype(np.float32)
    variance = layer.moving_variance.numpy().astype(np.float32)
    gamma = layer.gamma.numpy().astype(np.float32) if layer.scale else np.ones_like(mean)
    beta = layer.beta.numpy().astype(np.float32) if layer.center else np.zeros_like(mean)
    # Keras' order: rsqrt(variance + epsilon) * gamma, then beta - mean * that.
    scale = (np.float32(1) / np.sqrt(variance + np.float32(layer.epsilon))) * gamma
    return scale, beta - mean * scale


def _replace(layer: keras.layers.Layer) -> keras.layers.Layer:
    if isinstance(layer, keras.layers.BatchNormalization):
        scale, offset = inference_factors(layer)
        return ChannelAffine(scale.tolist(), offset.tolist(), name=layer.name)
    return layer  # shared, weights and all: the copy only serves the conversion


def folded(model: keras.Model) -> keras.Model:
    """`model` in inference mode with every BatchNormalization (nested models too) replaced by
    its ChannelAffine; the other layers are the same objects."""
    return keras.models.clone_model(model, clone_function=_replace, recursive=True)
