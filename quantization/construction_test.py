"""The constructions the quantizer relies on: full-size average pooling equals global
average pooling (the TFLM-compatible form of the head), and a layer with no int8 kernel,
which the converter leaves in float, is refused by the audit."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf

from quantization import audit, convert

keras = tf.keras


def test_full_size_average_pooling_equals_global_average_pooling() -> None:
    features = np.random.default_rng(0).normal(size=(3, 4, 5, 56)).astype(np.float32)
    inputs = keras.Input(features.shape[1:])
    pooled = keras.layers.Flatten()(keras.layers.AveragePooling2D(pool_size=features.shape[1:3])(inputs))
    ours = keras.Model(inputs, pooled)(features)
    reference = keras.layers.GlobalAveragePooling2D()(features)
    np.testing.assert_allclose(ours, reference, rtol=1e-6, atol=1e-6)


def test_a_float_only_layer_is_refused() -> None:
    inputs = keras.Input((8, 8, 1), batch_size=1)
    x = keras.layers.Conv2D(2, 3)(inputs)
    x = keras.layers.Lambda(lambda t: keras.ops.sin(t), name="sine")(x)  # no int8 kernel
    model = keras.Model(inputs, keras.layers.Dense(2, activation="softmax")(keras.layers.Flatten()(x)))
    calibration = np.random.default_rng(0).uniform(0, 255, size=(4, 8, 8, 1))
    tflite = convert.convert(model, calibration)  # the converter falls back to float for SIN
    with pytest.raises(audit.AuditError, match="is FLOAT32: the model is not fully int8"):
        audit.audit(tflite, audit.load_library_ops(Path("third_party/tflm/ops.txt")))


if __name__ == "__main__":
    raise SystemExit(pytest.main([__file__, "-q"]))
