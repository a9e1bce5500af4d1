"""BatchNormalization folded in NumPy: the same function as the model in inference, no
BatchNormalization left (nested models included), and the converter's convolution weights
are the kernel times our factors, bit for bit, not a product with TF's approximate Rsqrt."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

from quantization import convert, fold_batch_norm
from training import portable_numerics

keras = tf.keras


def _conv_batch_norm_model() -> keras.Model:
    """A convolution and a depthwise one, each with a BatchNormalization of trained-looking
    statistics, inside a nested model as the product's backbone is. 32 channels: TF's Rsqrt
    takes its vector (approximate) path from 8 elements on."""
    keras.utils.set_random_seed(3)
    inner_inputs = keras.Input((12, 10, 1))
    x = keras.layers.Conv2D(32, 3, use_bias=False, name="conv")(inner_inputs)
    x = keras.layers.BatchNormalization(name="conv_bn")(x)
    x = keras.layers.ReLU(6.0)(x)
    x = keras.layers.DepthwiseConv2D(3, use_bias=False, name="depthwise")(x)
    x = keras.layers.BatchNormalization(name="depthwise_bn")(x)
    inner = keras.Model(inner_inputs, x, name="backbone")
    inputs = keras.Input((12, 10, 1))
    outputs = keras.layers.Dense(2, activation="softmax")(keras.layers.Flatten()(inner(inputs)))
    model = keras.Model(inputs, outputs)
    rng = np.random.default_rng(5)
    for layer in inner.layers:
        if isinstance(layer, keras.layers.BatchNormalization):
            channels = layer.gamma.shape[0]
            layer.set_weights(
                [
                    rng.uniform(0.5, 2.0, channels).astype(np.float32),  # gamma
                    rng.normal(size=channels).astype(np.float32),  # beta
                    rng.normal(size=channels).astype(np.float32),  # moving mean
                    rng.uniform(0.01, 3.0, channels).astype(np.float32),  # moving variance
                ]
            )
    return model


def _all_layers(model: keras.Model) -> list[keras.layers.Layer]:
    found = []
    for layer in model.layers:
        found.extend(_all_layers(layer) if isinstance(layer, keras.Model) else [layer])
    return found


def test_the_folded_model_computes_the_same_function_without_batch_norm() -> None:
    portable_numerics.configure()
    model = _conv_batch_norm_model()
    folded = fold_batch_norm.folded(model)
    assert not [layer for layer in _all_layers(folded) if isinstance(layer, keras.layers.BatchNormalization)]
    assert sum(isinstance(layer, fold_batch_norm.ChannelAffine) for layer in _all_layers(folded)) == 2
    images = np.random.default_rng(1).uniform(0, 1, (4, 12, 10, 1)).astype(np.float32)
    np.testing.assert_allclose(folded(images, training=False), model(images, training=False), rtol=1e-5, atol=1e-6)


def test_the_factors_are_keras_inference_arithmetic_in_ieee_float32() -> None:
    norm = _conv_batch_norm_model().get_layer("backbone").get_layer("conv_bn")
    scale, offset = fold_batch_norm.inference_factors(norm)
    gamma, beta, mean, variance = norm.get_weights()
    expected_scale = (np.float32(1) / np.sqrt(variance + np.float32(norm.epsilon))) * gamma
    np.testing.assert_array_equal(scale, expected_scale)
    np.testing.assert_array_equal(offset, beta - mean * expected_scale)
    features = np.random.default_rng(2).normal(size=(2, 3, 3, scale.size)).astype(np.float32)
    np.testing.assert_allclose(features * scale + offset, norm(features, training=False), rtol=1e-5, atol=1e-5)


def test_the_converted_weights_are_the_kernel_times_our_factors_exactly() -> None:
    portable_numerics.configure()
    model = _conv_batch_norm_model()
    backbone = model.get_layer("backbone")
    scale, _ = fold_batch_norm.inference_factors(backbone.get_layer("conv_bn"))
    expected = np.transpose(backbone.get_layer("conv").kernel.numpy() * scale, (3, 0, 1, 2))  # OHWI
    interpreter = tf.lite.Interpreter(model_content=convert.convert(model, np.zeros((0, 12, 10, 1)), quantize=False))
    constants = []
    for detail in interpreter.get_tensor_details():
        if tuple(detail["shape"]) == expected.shape:
            constants.append(interpreter.get_tensor(detail["index"]))
    assert any(np.array_equal(constant, expected) for constant in constants), "no convolution weight equals ours"


def test_batch_norm_over_another_axis_is_refused() -> None:
    inputs = keras.Input((4, 4, 3))
    norm = keras.layers.BatchNormalization(axis=1, name="rows")
    keras.Model(inputs, norm(inputs))
    with pytest.raises(ValueError, match="rows: normalizes axis 1"):
        fold_batch_norm.inference_factors(norm)


if __name__ == "__main__":
    raise SystemExit(pytest.main([__file__, "-q"]))
