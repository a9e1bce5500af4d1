"""The teacher (TFLM's person_detect.tflite) and the student's start from it: the loaded
MobileNetV1 0.25 holds the teacher's de-quantized weights (checked against values read
here through TensorFlow Lite's interpreter, by tensor name), reproduces its scores on real
images in float, and the teacher's scores are deterministic probabilities."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import skimage.color
import skimage.data
import tensorflow as tf
from PIL import Image

from training import config as config_module
from training import mobilenet_v1, model, teacher
from training.trainer import configure_determinism

TEACHER = Path("../microflow/models/person_detect.tflite")
FRAMES = Path("../tfmicro/examples/models")
NOT_A_TEACHER = FRAMES / "hello_world.tflite"
# FP32 student minus int8 teacher, person probability (measured: at most 0.007 on these).
TOLERANCE = 0.03


@pytest.fixture(scope="module")
def student() -> tf.keras.Model:
    configure_determinism(2, 1)
    config = config_module.load(
        None, ["family=mobilenet_v1", "alpha=0.25", "image_width=96", "image_height=96", "init_from_teacher=true"]
    )
    network = model.build(config)
    model.load_teacher_weights(network, teacher.read_weights(TEACHER))
    return network


@pytest.fixture(scope="module")
def interpreter() -> tf.lite.Interpreter:
    loaded = tf.lite.Interpreter(model_content=teacher.loadable_model(TEACHER))
    loaded.allocate_tensors()
    return loaded


def _dequantized(interpreter: tf.lite.Interpreter, name: str) -> np.ndarray:
    """A constant tensor of the teacher by name, real = scale[c] * (q - zero_point[c])."""
    (detail,) = [d for d in interpreter.get_tensor_details() if d["name"] == name]
    values = interpreter.get_tensor(detail["index"]).astype(np.float64)
    parameters = detail["quantization_parameters"]
    shape = [1] * values.ndim
    shape[parameters["quantized_dimension"] if values.ndim > 1 else 0] = -1
    scales, zero_points = parameters["scales"].reshape(shape), parameters["zero_points"].reshape(shape)
    return scales * (values - zero_points)


def _teacher_tensors(layer: str) -> tuple[str, str]:
    """The teacher's weight and bias tensor names for a student layer (TF-Slim's names)."""
    if layer == "conv1":
        return "MobilenetV1/Conv2d_0/weights/read", "MobilenetV1/MobilenetV1/Conv2d_0/Conv2D_bias"
    kind, block = layer.split("_")[1], int(layer.split("_")[2])
    if kind == "dw":
        return (
            f"MobilenetV1/Conv2d_{block}_depthwise/depthwise_weights/read",
            f"MobilenetV1/MobilenetV1/Conv2d_{block}_depthwise/depthwise_bias",
        )
    return (
        f"MobilenetV1/Conv2d_{block}_pointwise/weights/read",
        f"MobilenetV1/MobilenetV1/Conv2d_{block}_pointwise/Conv2D_bias",
    )


def test_every_convolution_holds_the_teacher_weights(student: tf.keras.Model, interpreter: tf.lite.Interpreter) -> None:
    backbone = student.get_layer(model.BACKBONE)
    layers = mobilenet_v1.conv_layers()
    assert len(layers) == 27
    for layer in layers:
        weight_name, bias_name = _teacher_tensors(layer.name)
        weights = _dequantized(interpreter, weight_name)  # conv (out, kh, kw, in); depthwise (1, kh, kw, c)
        if layer.name == "conv1":  # depthwise x8 on one channel in the teacher: a 1 -> 8 convolution
            expected = weights.reshape(3, 3, 1, -1)
        elif layer.depthwise:
            expected = weights.reshape(3, 3, -1, 1)
        else:
            expected = np.transpose(weights, (1, 2, 3, 0))
        (kernel,) = backbone.get_layer(layer.name).get_weights()
        np.testing.assert_allclose(kernel, expected, rtol=1e-6, atol=1e-9, err_msg=layer.name)
        gamma, beta, mean, variance = backbone.get_layer(layer.batch_norm).get_weights()
        norm = backbone.get_layer(layer.batch_norm)
        np.testing.assert_allclose(beta, _dequantized(interpreter, bias_name), rtol=1e-6, atol=1e-9, err_msg=layer.name)
        np.testing.assert_array_equal(gamma, 1.0)
        np.testing.assert_array_equal(mean, 0.0)
        np.testing.assert_array_equal(variance + np.float32(norm.epsilon), np.float32(1.0))
    kernel, bias = student.get_layer("scores").get_weights()
    classifier = _dequantized(interpreter, "MobilenetV1/Logits/Conv2d_1c_1x1/weights/read")  # (2, 1, 1, 256)
    np.testing.assert_allclose(kernel, classifier.reshape(2, 256).T, rtol=1e-6)
    np.testing.assert_allclose(
        bias, _dequantized(interpreter, "MobilenetV1/Logits/Conv2d_1c_1x1/Conv2D_bias"), rtol=1e-6, atol=1e-9
    )


def _gray96(image: np.ndarray) -> np.ndarray:
    if image.ndim == 3:
        image = np.round(skimage.color.rgb2gray(image[..., :3]) * 255).astype(np.uint8)
    return np.asarray(Image.fromarray(image).resize((96, 96), Image.Resampling.BILINEAR))


def _real_images() -> dict[str, np.ndarray]:
    """TFLM's two reference frames (96x96 raw) and scikit-image's photographs, 96x96 gray."""
    images = {
        name: np.fromfile(FRAMES / f"{name}_image_data_grayscale.data", np.uint8).reshape(96, 96)
        for name in ("person", "no_person")
    }
    for name in ("astronaut", "camera", "coffee", "chelsea", "horse"):
        images[name] = _gray96(getattr(skimage.data, name)())
    return images


def test_the_loaded_student_scores_like_the_teacher(student: tf.keras.Model) -> None:
    images = _real_images()
    frames = np.stack(list(images.values()))[..., np.newaxis]
    expected = teacher.Teacher(TEACHER).scores(frames)
    got = student.predict(frames.astype(np.float32), verbose=0)  # eval mode: no augmentation, no dropout
    for name, want, have in zip(images, expected, got, strict=True):
        assert have.argmax() == want.argmax(), (name, want, have)
        assert abs(float(have[1]) - float(want[1])) < TOLERANCE, (name, want, have)
    # Not a trivial agreement: the teacher sees people and no people among these.
    assert {int(v) for v in expected.argmax(axis=1)} == {0, 1}
    assert expected[list(images).index("person"), 1] > 0.9


def test_teacher_scores_are_deterministic_probabilities() -> None:
    rng = np.random.default_rng(3)
    frames = rng.integers(0, 256, size=(3, 120, 160, 1), dtype=np.uint8)  # resized to 96x96 inside
    scorer = teacher.Teacher(TEACHER)
    first, second = scorer.scores(frames), teacher.Teacher(TEACHER).scores(frames)
    np.testing.assert_array_equal(first, second)
    assert first.shape == (3, 2) and first.dtype == np.float32
    np.testing.assert_allclose(first.sum(axis=1), 1.0, rtol=1e-6)
    assert (first > 0).all()  # an output of -128 is half a step, not 0: finite logits
    # The model's own input parameters (scale 0.0078431377 = 1/127.5 in float32, zero point -1):
    # pixel 0 is -1 -> -128.5 -> clamped to -128; pixel 255 is 1 -> 127.49999 -> 127 - 1 = 126.
    np.testing.assert_array_equal(scorer.quantize(np.array([0, 128, 255], np.uint8)), [-128, -1, 126])
    assert teacher.to_teacher_input(frames).shape == (3, 96, 96, 1)


def test_max_of_squares_takes_the_best_square_of_a_wide_frame() -> None:
    assert teacher.square_boxes(160, 120) == [(0, 0, 120, 120), (20, 0, 140, 120), (40, 0, 160, 120)]
    assert teacher.square_boxes(96, 96) == [(0, 0, 96, 96)]
    assert teacher.square_boxes(96, 128) == [(0, 0, 96, 96), (0, 16, 96, 112), (0, 32, 96, 128)]
    # TFLM's person frame on the left of a wide gray frame: the left square holds it whole.
    person = np.fromfile(FRAMES / "person_image_data_grayscale.data", np.uint8).reshape(96, 96)
    wide = np.full((1, 96, 160, 1), 128, np.uint8)
    wide[0, :, :96, 0] = person
    scorer = teacher.Teacher(TEACHER)
    squares = scorer.probabilities(wide, teacher.MAX_OF_SQUARES)
    left = scorer.probabilities(wide[:, :, :96], teacher.FRAME)
    each = [scorer.probabilities(wide[:, :, a:b], teacher.FRAME)[0, 1] for a, _, b, _ in teacher.square_boxes(160, 96)]
    assert squares[0, 1] == max(each) >= left[0, 1] > 0.9  # the person square wins
    np.testing.assert_allclose(squares.sum(axis=1), 1.0)
    with pytest.raises(teacher.TeacherError, match="teacher view 'crops'"):
        scorer.probabilities(wide, "crops")


def test_a_file_that_is_not_the_teacher_is_refused(tmp_path: Path) -> None:
    with pytest.raises(teacher.TeacherError, match="not MobileNetV1"):
        teacher.read_weights(NOT_A_TEACHER)
    (tmp_path / "junk.tflite").write_bytes(b"\x00" * 64)
    with pytest.raises(teacher.TeacherError, match="junk.tflite"):
        teacher.read_weights(tmp_path / "junk.tflite")
    with pytest.raises(teacher.TeacherError, match="not found"):
        teacher.read_weights(tmp_path / "missing.tflite")


def test_teacher_weights_do_not_fit_another_width() -> None:
    configure_determinism(2, 1)
    config = config_module.load(None, ["family=mobilenet_v1", "alpha=0.5", "image_width=96", "image_height=96"])
    with pytest.raises(model.WeightsError, match="conv1"):
        model.load_teacher_weights(model.build(config), teacher.read_weights(TEACHER))


if __name__ == "__main__":
    raise SystemExit(pytest.main([__file__, "-q"]))
