"""Converts the product's backbone, a Keras MobileNetV2 with the width and input size of
the product's recipe (--config; untrained weights), to full int8 twice, for the operator
audit in mobilenet_v2_test.py:

- `--default_out`: the textbook head (GlobalAveragePooling2D, Dense) and TensorFlow
  2.21's default conversion: what a user would get without our quantizer.
- `--workarounds_out`: the head and conversion the quantizer applies for TFLM (2020):
  a batch of one, AveragePooling2D over the whole feature map instead of global pooling
  (int8 MEAN is missing), Flatten, and per-tensor dense weights.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import tensorflow as tf
from absl import app, flags

from firmware.tflm.equivalence.int8_conversion import convert_int8
from training import config as training_config

DEFAULT_OUT = flags.DEFINE_string("default_out", None, "Default head and conversion.", required=True)
WORKAROUNDS_OUT = flags.DEFINE_string("workarounds_out", None, "TFLM-compatible head and conversion.", required=True)
CONFIG = flags.DEFINE_string("config", None, "The product's training recipe: width and input size.", required=True)

keras = tf.keras
layers = keras.layers


def _input_shape(recipe: training_config.TrainConfig) -> tuple[int, int, int]:
    return (recipe.image_height, recipe.image_width, 1)


def _network(recipe: training_config.TrainConfig, workarounds: bool) -> keras.Model:
    shape = _input_shape(recipe)
    inputs = keras.Input(shape, batch_size=1 if workarounds else None)
    x = layers.Rescaling(1 / 127.5, offset=-1)(inputs)
    backbone = keras.applications.MobileNetV2(input_shape=shape, alpha=recipe.alpha, include_top=False, weights=None)
    x = backbone(x)
    if workarounds:
        x = layers.AveragePooling2D(pool_size=x.shape[1:3])(x)
        x = layers.Flatten()(x)
    else:
        x = layers.GlobalAveragePooling2D()(x)
    return keras.Model(inputs, layers.Dense(2, activation="softmax")(x))


def _normalized(model: keras.Model, samples: np.ndarray) -> keras.Model:
    """Sets every BatchNormalization's moving statistics to those of `samples`.

    Untrained weights shrink activations layer after layer (to ~1e-8 at the logits), which
    quantizes to noise and to scales TFLM's softmax cannot represent. One training-mode pass
    with momentum 0 gives the network the statistics training would start from.
    """
    for layer in model.layers[2].layers:
        if isinstance(layer, layers.BatchNormalization):
            layer.momentum = 0.0
    model(samples, training=True)
    return model


def main(argv: list[str]) -> None:
    del argv
    recipe = training_config.load(Path(CONFIG.value))
    keras.utils.set_random_seed(7)
    samples = np.random.default_rng(7).uniform(0, 255, size=(8, *_input_shape(recipe))).astype(np.float32)
    default = _normalized(_network(recipe, False), samples)
    Path(DEFAULT_OUT.value).write_bytes(convert_int8(default, samples, per_tensor_dense=False))
    workarounds = _network(recipe, True)
    workarounds.set_weights(default.get_weights())
    Path(WORKAROUNDS_OUT.value).write_bytes(convert_int8(workarounds, samples))


if __name__ == "__main__":
    app.run(main)
