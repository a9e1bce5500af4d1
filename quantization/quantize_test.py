"""Conversion and audit on tiny models built here: a convertible one passes and is fully
int8, unsupported constructions fail naming the operator, layer and remedy, and bad
inputs are clear failures."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf
from PIL import Image

from quantization import audit, convert
from quantization.quantize import quantize
from training import config as config_module
from training import model as model_module

OPS = Path("third_party/tflm/ops.txt")
WIDTH, HEIGHT = 40, 32
keras = tf.keras


def tiny_dataset(root: Path) -> Path:
    rng = np.random.default_rng(0)
    for split in ("train", "val", "test"):
        for label in ("no_person", "person"):
            folder = root / split / label
            folder.mkdir(parents=True)
            for index in range(6):
                pixels = rng.integers(0, 256, size=(HEIGHT, WIDTH), dtype=np.uint8)
                Image.fromarray(pixels, "L").save(folder / f"{index}.png")
    return root


def detector(path: Path) -> Path:
    config = config_module.load(None, [f"image_width={WIDTH}", f"image_height={HEIGHT}"])
    keras.utils.set_random_seed(0)
    model_module.build(config).save(path)
    return path


def test_the_detector_converts_to_a_fully_int8_model_tflm_runs(tmp_path: Path) -> None:
    data = tiny_dataset(tmp_path / "data")
    described = quantize(detector(tmp_path / "m.keras"), data, tmp_path / "out", OPS, "int8", 8, 1)
    assert set(described["operators"]) <= set(audit.load_library_ops(OPS))
    assert "MEAN" not in described["operators"] and described["operators"]["AVERAGE_POOL_2D"] == 1
    assert described["input"] == {"type": "INT8", "shape": [1, HEIGHT, WIDTH, 1], "scale": 1.0, "zero_point": -128}
    assert described["output"]["type"] == "INT8" and described["output"]["shape"] == [1, 2]
    assert all(tensor["type"] in ("INT8", "INT32") for tensor in described["tensors"])
    assert 0 < described["size_ratio"] < 0.5 and described["macs_per_inference"] > 0
    calibration = json.loads((tmp_path / "out" / "calibration.json").read_text())
    assert len(calibration["images"]) == 8 and calibration["seed"] == 1
    assert (tmp_path / "out" / "model.tflite").read_bytes()[4:8] == b"TFL3"


def test_uint8_input_is_available(tmp_path: Path) -> None:
    data = tiny_dataset(tmp_path / "data")
    described = quantize(detector(tmp_path / "m.keras"), data, tmp_path / "out", OPS, "uint8", 4, 1)
    assert described["input"]["type"] == "UINT8"


def _small(head: keras.layers.Layer | None = None, activation: object = "relu") -> keras.Model:
    inputs = keras.Input((HEIGHT, WIDTH, 1), batch_size=1)
    x = keras.layers.Conv2D(4, 3, activation=activation)(inputs)
    x = (head or keras.layers.Flatten())(x)
    return keras.Model(inputs, keras.layers.Dense(2, activation="softmax")(x))


@pytest.mark.parametrize(
    ("network", "message"),
    [
        (lambda: _small(keras.layers.GlobalAveragePooling2D(name="gap")), "TFLM runs 1 to 1; use AveragePooling2D"),
        (lambda: _small(activation=keras.activations.hard_swish), "TFLM lacks HARD_SWISH; use ReLU6"),
    ],
)
def test_unsupported_operators_fail_naming_op_layer_and_remedy(network: object, message: str) -> None:
    calibration = np.random.default_rng(0).uniform(0, 255, size=(4, HEIGHT, WIDTH, 1))
    tflite = convert.convert(network(), calibration)  # type: ignore[operator]
    with pytest.raises(audit.AuditError, match=message) as failure:
        audit.audit(tflite, audit.load_library_ops(OPS))
    assert "(layer " in str(failure.value)


def test_per_channel_dense_weights_are_refused() -> None:
    calibration = np.random.default_rng(0).uniform(0, 255, size=(4, HEIGHT, WIDTH, 1))
    converter = tf.lite.TFLiteConverter.from_keras_model(_small())
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.representative_dataset = lambda: ([image[np.newaxis].astype(np.float32)] for image in calibration)
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    converter.inference_input_type = converter.inference_output_type = tf.int8
    with pytest.raises(audit.AuditError, match="per-channel weights"):
        audit.audit(converter.convert(), audit.load_library_ops(OPS))


def test_bad_inputs_are_clear_failures(tmp_path: Path) -> None:
    (tmp_path / "junk.keras").write_bytes(b"not a zip")
    with pytest.raises(convert.ConversionError, match="not a Keras model file"):
        convert.load_model(tmp_path / "junk.keras")
    with pytest.raises(convert.ConversionError, match="representative dataset is empty"):
        convert.calibration_indices(10, 0, 1)
    with pytest.raises(convert.ConversionError, match="representative dataset is empty"):
        convert.convert(_small(), np.zeros((0, HEIGHT, WIDTH, 1)))


if __name__ == "__main__":
    raise SystemExit(pytest.main([__file__, "-q"]))
