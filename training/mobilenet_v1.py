"""MobileNetV1 (Howard et al. 2017) for any width and input size, written so that at
alpha 0.25 its layers are one to one those of TFLM's person_detect.tflite (teacher.py).

    conv1: Conv2D 3x3 stride 2 -> BatchNormalization -> ReLU6
    13 x (DepthwiseConv2D 3x3 stride 1 or 2 -> BN -> ReLU6 -> Conv2D 1x1 -> BN -> ReLU6)

Layer names are Keras' (`conv1`, `conv_dw_1`, `conv_pw_1_bn`, ...). Keras' own
`keras.applications.MobileNet` pads its stride-2 depthwise convolutions with
ZeroPadding2D((0, 1), (0, 1)) and a "valid" convolution: the same as TensorFlow's SAME
padding on even sizes, but one row short on odd ones (15 rows, at 160x120, give 7 instead
of 8), and an extra PAD op after conversion. Here every convolution is "same", as in the
teacher, whose every convolution is SAME.
"""

from __future__ import annotations

from dataclasses import dataclass

import tensorflow as tf

keras = tf.keras
layers = keras.layers

# (pointwise filters at alpha 1, depthwise stride) of blocks 1..13.
BLOCKS = (
    (64, 1),
    (128, 2),
    (128, 1),
    (256, 2),
    (256, 1),
    (512, 2),
    (512, 1),
    (512, 1),
    (512, 1),
    (512, 1),
    (512, 1),
    (1024, 2),
    (1024, 1),
)
FIRST_FILTERS = 32


@dataclass(frozen=True)
class ConvLayer:
    """One convolution of the backbone and the BatchNormalization after it."""

    name: str
    batch_norm: str
    depthwise: bool
    stride: int


def conv_layers() -> tuple[ConvLayer, ...]:
    """The backbone's 27 convolutions in graph order (the teacher's order too)."""
    found = [ConvLayer("conv1", "conv1_bn", depthwise=False, stride=2)]
    for block, (_, stride) in enumerate(BLOCKS, start=1):
        found.append(ConvLayer(f"conv_dw_{block}", f"conv_dw_{block}_bn", depthwise=True, stride=stride))
        found.append(ConvLayer(f"conv_pw_{block}", f"conv_pw_{block}_bn", depthwise=False, stride=1))
    return tuple(found)


def _batch_norm(x: tf.Tensor, name: str, momentum: float) -> tf.Tensor:
    return layers.BatchNormalization(momentum=momentum, name=name)(x)


def backbone(input_shape: tuple[int, int, int], alpha: float, batch_norm_momentum: float) -> keras.Model:
    """The feature extractor, without pooling or classifier (Keras' include_top=False)."""
    inputs = keras.Input(input_shape, name="input")
    x = layers.Conv2D(
        int(FIRST_FILTERS * alpha), 3, strides=2, padding="same", use_bias=False, name="conv1"
    )(inputs)
    x = _batch_norm(x, "conv1_bn", batch_norm_momentum)
    x = layers.ReLU(6.0, name="conv1_relu")(x)
    for block, (filters, stride) in enumerate(BLOCKS, start=1):
        x = layers.DepthwiseConv2D(3, strides=stride, padding="same", use_bias=False, name=f"conv_dw_{block}")(x)
        x = _batch_norm(x, f"conv_dw_{block}_bn", batch_norm_momentum)
        x = layers.ReLU(6.0, name=f"conv_dw_{block}_relu")(x)
        x = layers.Conv2D(int(filters * alpha), 1, padding="same", use_bias=False, name=f"conv_pw_{block}")(x)
        x = _batch_norm(x, f"conv_pw_{block}_bn", batch_norm_momentum)
        x = layers.ReLU(6.0, name=f"conv_pw_{block}_relu")(x)
    return keras.Model(inputs, x, name=f"mobilenet_v1_{alpha:g}")
