"""Builds the models the TFLM equivalence test runs, with TensorFlow's own converter.

- `model`: a small full-int8 CNN covering the operators a MobileNetV2-style person
  detector uses (PAD, CONV_2D, DEPTHWISE_CONV_2D, ADD, MUL, LOGISTIC, MAX_POOL_2D,
  AVERAGE_POOL_2D, RESHAPE, FULLY_CONNECTED, SOFTMAX). It is trained briefly on random
  labels, so its outputs spread over the int8 range instead of saturating (saturated
  outputs would agree between interpreters trivially).
- `inputs`: int8 input records, one after another.
- Three models TFLM (2020) must refuse: int8 MEAN (version 2, what GlobalAveragePooling2D
  converts to), HARD_SWISH (a kernel the library lacks), and the test model converted with
  TensorFlow's default per-channel dense weights (which the 2020 FULLY_CONNECTED would
  compute wrongly).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import tensorflow as tf
from absl import app, flags, logging

from firmware.tflm.equivalence.int8_conversion import convert_int8, single_batch

MODEL_OUT = flags.DEFINE_string("model_out", None, "Where to write the int8 test model.", required=True)
INPUTS_OUT = flags.DEFINE_string("inputs_out", None, "Where to write the int8 input records.", required=True)
MEAN_OUT = flags.DEFINE_string("mean_v2_out", None, "Where to write the int8 MEAN model.", required=True)
HARD_SWISH_OUT = flags.DEFINE_string("hard_swish_out", None, "Where to write the HARD_SWISH model.", required=True)
PER_CHANNEL_DENSE_OUT = flags.DEFINE_string(
    "per_channel_dense_out", None, "Where to write the model with per-channel dense weights.", required=True
)
RECORDS = flags.DEFINE_integer("records", 128, "Input records to write.")
SEED = flags.DEFINE_integer("seed", 20261125, "Seed for weights, data and labels.")

INPUT_SHAPE = (24, 32, 1)
CLASSES = 4
keras = tf.keras
layers = keras.layers


def _test_network(batch_size: int | None = None) -> keras.Model:
    inputs = keras.Input(INPUT_SHAPE, batch_size=batch_size)
    x = layers.Rescaling(1 / 127.5, offset=-1)(inputs)
    x = layers.ZeroPadding2D(1)(x)
    x = layers.Conv2D(8, 3, strides=2, activation="relu6")(x)
    branch = layers.DepthwiseConv2D(3, padding="same", activation="relu")(x)
    branch = layers.Conv2D(8, 1)(branch)
    x = layers.Add()([x, branch])
    x = layers.Multiply()([x, layers.Activation("sigmoid")(x)])
    x = layers.MaxPooling2D(2)(x)
    x = layers.Conv2D(12, 3, padding="same", activation="relu")(x)
    x = layers.AveragePooling2D(pool_size=x.shape[1:3])(x)
    x = layers.Flatten()(x)
    outputs = layers.Dense(CLASSES, activation="softmax")(x)
    return keras.Model(inputs, outputs)


def _global_pooling_network(batch_size: int | None = None) -> keras.Model:
    inputs = keras.Input(INPUT_SHAPE, batch_size=batch_size)
    x = layers.Conv2D(4, 3, activation="relu")(inputs)
    x = layers.GlobalAveragePooling2D()(x)
    return keras.Model(inputs, layers.Dense(CLASSES)(x))


def _hard_swish_network(batch_size: int | None = None) -> keras.Model:
    inputs = keras.Input(INPUT_SHAPE, batch_size=batch_size)
    x = layers.Conv2D(4, 3)(inputs)
    x = layers.Activation(keras.activations.hard_swish)(x)
    return keras.Model(inputs, layers.Dense(CLASSES)(layers.Flatten()(x)))


def _images(rng: np.random.Generator, count: int) -> np.ndarray:
    return rng.uniform(0, 255, size=(count, *INPUT_SHAPE)).astype(np.float32)


def quantize_inputs(model: bytes, images: np.ndarray) -> bytes:
    details = tf.lite.Interpreter(model_content=model).get_input_details()[0]
    scale, zero_point = details["quantization"]
    return np.clip(np.round(images / scale + zero_point), -128, 127).astype(np.int8).tobytes()


def _write(path: str, build: Callable[[], bytes]) -> None:
    Path(path).write_bytes(build())
    logging.info("wrote %s", path)


def main(argv: list[str]) -> None:
    del argv
    keras.utils.set_random_seed(SEED.value)
    tf.config.experimental.enable_op_determinism()
    rng = np.random.default_rng(SEED.value)
    train = _images(rng, 256)
    labels = rng.integers(0, CLASSES, size=len(train))
    network = _test_network()
    network.compile(optimizer=keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy")
    network.fit(train, labels, epochs=3, batch_size=32, shuffle=False, verbose=0)
    single = single_batch(_test_network, network)
    model = convert_int8(single, train[:64])
    Path(MODEL_OUT.value).write_bytes(model)
    Path(INPUTS_OUT.value).write_bytes(quantize_inputs(model, _images(rng, RECORDS.value)))
    _write(MEAN_OUT.value, lambda: convert_int8(single_batch(_global_pooling_network), train[:16]))
    _write(HARD_SWISH_OUT.value, lambda: convert_int8(single_batch(_hard_swish_network), train[:16]))
    _write(PER_CHANNEL_DENSE_OUT.value, lambda: convert_int8(single, train[:64], per_tensor_dense=False))


if __name__ == "__main__":
    app.run(main)
