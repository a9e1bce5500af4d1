"""The MobileNetV1 backbone: Keras' MobileNet layer for layer where both pad alike (even
sizes), TensorFlow's SAME padding where Keras' ZeroPadding2D differs (odd sizes)."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

from training import mobilenet_v1
from training.trainer import configure_determinism

keras = tf.keras


def test_it_computes_keras_mobilenet_on_even_sizes() -> None:
    configure_determinism(2, 7)
    ours = mobilenet_v1.backbone((96, 96, 1), 0.25, 0.9)
    reference = keras.applications.MobileNet(
        input_shape=(96, 96, 1), alpha=0.25, include_top=False, weights=None
    )
    weighted = [layer for layer in reference.layers if layer.get_weights()]
    assert [layer.name for layer in weighted] == [layer.name for layer in ours.layers if layer.get_weights()]
    rng = np.random.default_rng(0)
    for layer in weighted:
        values = [rng.normal(0.5, 0.2, w.shape).astype(np.float32) for w in layer.get_weights()]
        if isinstance(layer, keras.layers.BatchNormalization):
            values[3] = np.abs(values[3]) + 0.5  # a positive variance
        layer.set_weights(values)
        ours.get_layer(layer.name).set_weights(values)
    images = rng.uniform(-1, 1, (2, 96, 96, 1)).astype(np.float32)
    np.testing.assert_allclose(ours(images, training=False), reference(images, training=False), rtol=1e-4, atol=1e-5)
    assert ours.output_shape == (None, 3, 3, 256)


@pytest.mark.parametrize(("height", "width", "expected"), [(120, 160, (4, 5)), (96, 96, (3, 3)), (32, 40, (1, 2))])
def test_every_convolution_pads_same(height: int, width: int, expected: tuple[int, int]) -> None:
    network = mobilenet_v1.backbone((height, width, 1), 0.25, 0.9)
    assert network.output_shape[1:3] == expected  # ceil(size / 32), as TensorFlow's SAME gives
    assert not [layer for layer in network.layers if isinstance(layer, keras.layers.ZeroPadding2D)]
    strides = [layer.stride for layer in mobilenet_v1.conv_layers()]
    assert strides.count(2) == 5 and len(strides) == 27


if __name__ == "__main__":
    raise SystemExit(pytest.main([__file__, "-q"]))
