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

from quantization import audit, bias_quantization, convert, evaluate_int8
from quantization.quantize import quantize
from training import config as config_module
from training import model as model_module
from training import testing
from training.trainer import train

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


def test_uint8_input_is_available_and_zero_samples_calibrate_on_the_whole_split(tmp_path: Path) -> None:
    data = tiny_dataset(tmp_path / "data")
    described = quantize(detector(tmp_path / "m.keras"), data, tmp_path / "out", OPS, "uint8", 0, 1)
    assert described["input"]["type"] == "UINT8"
    calibration = json.loads((tmp_path / "out" / "calibration.json").read_text())
    assert [image["index"] for image in calibration["images"]] == list(range(12))


def test_a_calibration_sample_is_seeded_sorted_and_capped() -> None:
    sample = convert.calibration_indices(4, 10, 7)
    assert sample == sorted(set(sample)) and len(sample) == 4 and all(0 <= i < 10 for i in sample)
    assert sample == convert.calibration_indices(4, 10, 7) != convert.calibration_indices(4, 10, 8)
    assert convert.calibration_indices(20, 10, 7) == convert.calibration_indices(0, 10, 7) == list(range(10))


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
        convert.calibration_indices(0, 0, 1)
    with pytest.raises(convert.ConversionError, match="-3 calibration samples"):
        convert.calibration_indices(-3, 10, 1)
    with pytest.raises(convert.ConversionError, match="representative dataset is empty"):
        convert.convert(_small(), np.zeros((0, HEIGHT, WIDTH, 1)))


@pytest.fixture(scope="module")
def trained_tiny(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(a tiny model that learned its separable fixture, that fixture)."""
    root = tmp_path_factory.mktemp("tiny")
    dataset = testing.make_dataset(root / "data", {"train": 64, "val": 12, "test": 16})
    train(config_module.load(None, testing.TINY), dataset, root / "run")
    return root / "run" / "model.keras", dataset


def test_the_int8_evaluation_reports_and_passes_a_generous_gate(
    trained_tiny: tuple[Path, Path], tmp_path: Path
) -> None:
    model, dataset = trained_tiny
    gate = evaluate_int8.Gate(tolerance_pp=15.0, max_disagreement=0.1)
    described = quantize(model, dataset, tmp_path, OPS, "int8", 32, 1, gate)
    evaluation = json.loads((tmp_path / "evaluation_int8.json").read_text())
    assert evaluation == json.loads(json.dumps(described["evaluation"]))
    assert set(evaluation["accuracy"]) == {"fp32", "tflite_int8", "tflm_int8"}
    assert evaluation["accuracy"]["fp32"] >= 0.9 and evaluation["images"] == 32
    markdown = (tmp_path / "evaluation_int8.md").read_text()
    assert markdown.count("data:image/png;base64,") == 3 and "Accuracy delta" in markdown


def test_the_gate_trips_when_calibration_ruins_int8_accuracy(trained_tiny: tuple[Path, Path], tmp_path: Path) -> None:
    model, dataset = trained_tiny
    network = convert.load_model(model)
    train_split = testing.data.load_split(dataset, "train", testing.WIDTH, testing.HEIGHT)
    # Calibrating on black images only: the bright half of the inputs saturates.
    tflite = convert.convert(network, np.zeros((8, testing.HEIGHT, testing.WIDTH, 1)))
    test = testing.data.load_split(dataset, "test", testing.WIDTH, testing.HEIGHT)
    fp32 = network.predict(test.images.astype("float32"), verbose=0)
    reference = evaluate_int8.run_tflite_reference(tflite, test.images)
    tflm = evaluate_int8.run_tflm(tflite, test.images)
    assert len(train_split.labels) == 128
    with pytest.raises(evaluate_int8.GateError, match="below FP32"):
        evaluate_int8.compare(fp32, reference, tflm, test, tmp_path, evaluate_int8.Gate())


def test_trimming_bias_quantization_changes_no_score(trained_tiny: tuple[Path, Path]) -> None:
    model, dataset = trained_tiny
    network = convert.load_model(model)
    train_split = testing.data.load_split(dataset, "train", testing.WIDTH, testing.HEIGHT)
    original = convert.convert(network, train_split.images[:16])
    trimmed = bias_quantization.trim(original)
    assert trimmed.tensors > 0
    test = testing.data.load_split(dataset, "test", testing.WIDTH, testing.HEIGHT)
    for run in (evaluate_int8.run_tflm, evaluate_int8.run_tflite_reference):
        np.testing.assert_array_equal(run(trimmed.flatbuffer, test.images), run(original, test.images))


if __name__ == "__main__":
    raise SystemExit(pytest.main([__file__, "-q"]))
