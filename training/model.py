"""The person detector: a 1-channel MobileNet with its preprocessing in the graph.

    raw pixels (uint8 range, H x W x 1)
    -> augmentation (flip, rotation, zoom, brightness; training only)
    -> Rescaling(1/255)                  family mobilenet_v2 (Keras' MobileNetV2)
       Rescaling(1/127.5, offset=-1)     family mobilenet_v1 (mobilenet_v1.py; the teacher's -1..1)
    -> backbone (include_top=False, width multiplier alpha)
    -> AveragePooling2D over the whole feature map + Flatten   (= global average pooling)
    -> Dropout -> Dense(2, softmax)   [no_person, person]

Global pooling is written as a full-size AveragePooling2D: the same numbers, but it
converts to AVERAGE_POOL_2D, which the firmware's TFLM (2020) runs in int8, instead of
MEAN, which it does not (third_party/tflm/README.md).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import tensorflow as tf

from training import mobilenet_v1
from training.config import MOBILENET_V1, TrainConfig
from training.teacher import TeacherWeights

keras = tf.keras
layers = keras.layers

BACKBONE = "backbone"


class WeightsError(ValueError):
    """A weights file that does not fit the backbone."""


def augmentation(config: TrainConfig) -> keras.Sequential:
    steps: list[keras.layers.Layer] = []
    settings = config.augmentation
    if settings.horizontal_flip:
        steps.append(layers.RandomFlip("horizontal", seed=config.seed, name="flip"))
    if settings.rotation:
        steps.append(
            layers.RandomRotation(settings.rotation, fill_mode="nearest", seed=config.seed + 1, name="rotation")
        )
    if settings.zoom:
        steps.append(layers.RandomZoom(settings.zoom, fill_mode="nearest", seed=config.seed + 2, name="zoom"))
    if settings.brightness:
        steps.append(
            layers.RandomBrightness(settings.brightness, value_range=(0, 255), seed=config.seed + 3, name="brightness")
        )
    return keras.Sequential(steps, name="augmentation")


def _backbone(config: TrainConfig, channels: int) -> keras.Model:
    backbone = keras.applications.MobileNetV2(
        input_shape=(config.image_height, config.image_width, channels),
        alpha=config.alpha,
        include_top=False,
        weights=None,
    )
    for layer in backbone.layers:
        if isinstance(layer, layers.BatchNormalization):
            layer.momentum = config.batch_norm_momentum
    return backbone


def build(config: TrainConfig, batch_size: int | None = None) -> keras.Model:
    inputs = keras.Input((config.image_height, config.image_width, 1), batch_size=batch_size, name="pixels")
    x = augmentation(config)(inputs)
    if config.family == MOBILENET_V1:
        # The teacher's convention (teacher.py): real = pixel / 127.5 - 1.
        x = layers.Rescaling(1 / 127.5, offset=-1, name="rescale")(x)
        backbone = mobilenet_v1.backbone(
            (config.image_height, config.image_width, 1), config.alpha, config.batch_norm_momentum
        )
    else:
        x = layers.Rescaling(1 / 255, name="rescale")(x)
        backbone = _backbone(config, 1)
    backbone.name = BACKBONE
    x = backbone(x)
    x = layers.AveragePooling2D(pool_size=tuple(x.shape[1:3]), name="global_pool")(x)
    x = layers.Flatten(name="flatten")(x)
    x = layers.Dropout(config.dropout, seed=config.seed, name="dropout")(x)
    outputs = layers.Dense(2, activation="softmax", name="scores")(x)
    return keras.Model(inputs, outputs, name="person_detector")


def load_imagenet_weights(model: keras.Model, path: Path, config: TrainConfig) -> None:
    """Loads 3-channel MobileNetV2 weights into the 1-channel backbone.

    The first convolution's kernel (3, 3, 3, C) becomes (3, 3, 1, C) by summing over the
    RGB axis: for a gray image fed as R = G = B, the summed kernel gives exactly the
    response the original kernel would. Every other weight is copied as is.
    """
    if not path.is_file():
        raise WeightsError(f"{path}: weights file not found")
    source = _backbone(config, 3)
    try:
        source.load_weights(str(path))
    except (ValueError, KeyError, OSError) as error:
        raise WeightsError(
            f"{path}: not MobileNetV2 weights for alpha={config.alpha} with include_top=False ({error})"
        ) from error
    target = model.get_layer(BACKBONE)
    for source_layer, target_layer in zip(source.layers, target.layers, strict=True):
        weights = source_layer.get_weights()
        if source_layer.name == "Conv1" and weights:
            weights = [np.sum(weights[0], axis=2, keepdims=True), *weights[1:]]
        expected = [w.shape for w in target_layer.get_weights()]
        if [w.shape for w in weights] != expected:
            raise WeightsError(
                f"{path}: layer {source_layer.name} has shapes {[w.shape for w in weights]}, expected {expected}"
            )
        target_layer.set_weights(weights)


def load_teacher_weights(network: keras.Model, weights: TeacherWeights) -> None:
    """Loads the teacher's folded weights into a MobileNetV1 0.25 detector (init_from_teacher).

    The teacher folded each BatchNormalization into its convolution's kernel and bias: the
    kernel is copied, and the BatchNormalization after it becomes the identity plus the
    bias (gamma 1, beta = bias, moving mean 0, moving variance 1 - epsilon, so that
    variance + epsilon is exactly 1 in float32). In inference mode the backbone then
    computes the teacher's float features. The classifier, a 1x1 convolution on the
    pooled 1x1 map, is the same arithmetic as the Dense on the pooled features.
    """
    backbone = network.get_layer(BACKBONE)
    for layer, conv in zip(mobilenet_v1.conv_layers(), weights.convs, strict=True):
        target = backbone.get_layer(layer.name)
        norm = backbone.get_layer(layer.batch_norm)
        expected = tuple(target.get_weights()[0].shape)
        if conv.kernel.shape != expected:
            raise WeightsError(
                f"teacher {conv.name}: kernel {conv.kernel.shape} does not fit {layer.name} {expected} "
                "(init_from_teacher needs family mobilenet_v1 with alpha 0.25)"
            )
        target.set_weights([conv.kernel])
        variance = np.float32(1.0) - np.float32(norm.epsilon)  # + epsilon = 1 exactly (teacher_test checks)
        channels = conv.bias.shape[0]
        norm.set_weights(
            [np.ones(channels, np.float32), conv.bias, np.zeros(channels, np.float32), np.full(channels, variance)]
        )
    scores = network.get_layer("scores")
    if weights.classifier_kernel.shape != tuple(scores.kernel.shape):
        raise WeightsError(f"teacher classifier {weights.classifier_kernel.shape} does not fit {scores.kernel.shape}")
    scores.set_weights([weights.classifier_kernel, weights.classifier_bias])
