"""The trainer end to end on a tiny, separable fixture (40x32 images, a few epochs): it
learns, the exported model takes raw pixels, frozen layers stay frozen, ImageNet-style
weights are adapted to one channel, runs are byte-identical, and bad input is named."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf

from training import config as config_module
from training import data, model
from training.testing import HEIGHT, TINY, WIDTH, make_dataset
from training.trainer import MONITOR, _AfterWarmup, _phase, train

keras = tf.keras


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_dataset(tmp_path_factory.mktemp("data"), {"train": 64, "val": 12, "test": 16})


@pytest.fixture(scope="module")
def trained(dataset: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("run_a")
    train(config_module.load(None, TINY), dataset, out)
    return out


def test_a_tiny_configuration_learns(trained: Path) -> None:
    evaluation = json.loads((trained / "evaluation.json").read_text())
    assert evaluation["accuracy"] >= 0.9, evaluation
    assert evaluation["confusion_matrix"]["rows_true_columns_predicted"] == ["no_person", "person"]
    for name in ("model.keras", "history.json", "history.png", "confusion_matrix.png", "worst_examples.png"):
        assert (trained / name).stat().st_size > 0, name
    history = json.loads((trained / "history.json").read_text())
    assert set(history) == {"phase1", "phase2"}


def test_the_exported_model_takes_raw_pixels(trained: Path, dataset: Path) -> None:
    network = tf.keras.models.load_model(trained / "model.keras")
    assert network.input_shape == (None, HEIGHT, WIDTH, 1)
    rescale = network.get_layer("rescale")
    assert rescale.scale == pytest.approx(1 / 255)
    test = data.load_split(dataset, "test", WIDTH, HEIGHT)
    raw = test.images.astype(np.float32)  # 0..255, as the camera gives them
    first, second = network.predict(raw, verbose=0), network.predict(raw, verbose=0)
    np.testing.assert_array_equal(first, second)  # augmentation is off outside training
    assert (first.argmax(axis=1) == test.labels).mean() >= 0.9


def test_runs_are_byte_identical(trained: Path, dataset: Path, tmp_path: Path) -> None:
    train(config_module.load(None, TINY), dataset, tmp_path)
    for name in ("model.keras", "history.json", "evaluation.json"):
        assert (tmp_path / name).read_bytes() == (trained / name).read_bytes(), name


def _val_accuracy(out: Path, dataset: Path) -> float:
    network = tf.keras.models.load_model(out / "model.keras")
    val = data.load_split(dataset, "val", WIDTH, HEIGHT)
    return float((network.predict(val.images.astype(np.float32), verbose=0).argmax(axis=1) == val.labels).mean())


def test_the_model_leaves_with_the_best_measured_epoch(dataset: Path, tmp_path: Path) -> None:
    # Whichever phase wins on this CPU, the saved model is the best epoch either measured.
    config = config_module.load(None, [*TINY, "phase2_epochs=2", "phase2_learning_rate=3.0"])
    train(config, dataset, tmp_path)
    history = json.loads((tmp_path / "history.json").read_text())
    best = max(max(history["phase1"][MONITOR]), max(history["phase2"][MONITOR]))
    assert _val_accuracy(tmp_path, dataset) == pytest.approx(best)


def _two_point_problem() -> tuple[keras.Model, tuple[tf.data.Dataset, tf.data.Dataset]]:
    """A linear classifier of two points whose accuracy is exactly 1 or 0 by its weights:
    the phase rule sees a better or a worse phase whatever bytes the CPU computes."""
    network = keras.Sequential([keras.Input((2,)), keras.layers.Dense(2, activation="softmax")])
    points = tf.data.Dataset.from_tensor_slices((np.eye(2, dtype=np.float32), np.array([0, 1]))).batch(2)
    return network, (points, points)


def _classifier(right: bool) -> list[np.ndarray]:
    sign = 1.0 if right else -1.0
    return [sign * np.array([[4.0, -4.0], [-4.0, 4.0]], np.float32), np.zeros(2, np.float32)]


@pytest.mark.parametrize("phase2_is_better", [False, True])
def test_phase_two_is_kept_only_if_it_beats_phase_one(tmp_path: Path, phase2_is_better: bool) -> None:
    network, datasets = _two_point_problem()
    config = config_module.load(None, TINY)
    checkpoint, logged = tmp_path / "best.weights.h5", []

    def phase(name: str, right: bool, to_beat: float | None) -> tuple[dict[str, list[float]], float | None]:
        network.set_weights(_classifier(right))  # what this phase's training reached (a rate of 0 keeps it)
        return _phase(network, name, 1, 0.0, 0, to_beat, datasets, config, checkpoint, logged.append)

    history1, best1 = phase("phase1", not phase2_is_better, None)
    history2, best2 = phase("phase2", phase2_is_better, best1)
    assert history1[MONITOR] == [0.0 if phase2_is_better else 1.0]
    assert history2[MONITOR] == [1.0 if phase2_is_better else 0.0]
    # The network leaves with the right classifier either way: phase 2's, or phase 1's restored.
    for got, expected in zip(network.get_weights(), _classifier(right=True), strict=True):
        np.testing.assert_array_equal(got, expected)
    assert best2 == 1.0
    assert logged[-1].endswith(", kept") == phase2_is_better, logged


def test_the_kept_epoch_is_the_best_after_the_warm_up(dataset: Path, tmp_path: Path) -> None:
    config = config_module.load(None, [*TINY, "phase1_warmup_epochs=5", "phase2_epochs=0"])
    train(config, dataset, tmp_path)
    series = json.loads((tmp_path / "history.json").read_text())["phase1"][MONITOR]
    assert len(series) == 8  # no early stop inside the warm-up
    assert _val_accuracy(tmp_path, dataset) == pytest.approx(max(series[5:]))


def test_callbacks_see_no_epoch_of_the_warm_up(tmp_path: Path) -> None:
    network = tf.keras.Sequential([tf.keras.Input((2,)), tf.keras.layers.Dense(1)])
    path = tmp_path / "best.weights.h5"
    checkpoint = tf.keras.callbacks.ModelCheckpoint(
        str(path), monitor=MONITOR, mode="max", save_best_only=True, save_weights_only=True
    )
    wrapped = _AfterWarmup(checkpoint, warmup=2)
    wrapped.set_model(network)
    wrapped.on_train_begin()
    for epoch, accuracy in enumerate([0.9, 0.8]):
        wrapped.on_epoch_begin(epoch)
        wrapped.on_epoch_end(epoch, {MONITOR: accuracy})
    assert not path.exists()  # 0.9 at epoch 0 is no best: it was in the warm-up
    wrapped.on_epoch_begin(2)
    wrapped.on_epoch_end(2, {MONITOR: 0.6})
    assert path.exists() and checkpoint.best == pytest.approx(0.6)


def _imagenet_style_weights(path: Path) -> Path:
    """A 3-channel MobileNetV2 backbone file, as a user would bring (random values here)."""
    tf.keras.utils.set_random_seed(5)
    source = tf.keras.applications.MobileNetV2(
        input_shape=(HEIGHT, WIDTH, 3), alpha=0.35, include_top=False, weights=None
    )
    source.save_weights(str(path))
    return path


def test_weights_are_adapted_to_one_channel_and_frozen_in_phase_one(dataset: Path, tmp_path: Path) -> None:
    weights = _imagenet_style_weights(tmp_path / "imagenet.weights.h5")
    config = config_module.load(
        None, [*TINY, "phase1_epochs=2", "phase2_epochs=0", f"weights={json.dumps(str(weights))}"]
    )
    train(config, dataset, tmp_path / "out")
    trained = tf.keras.models.load_model(tmp_path / "out" / "model.keras").get_layer(model.BACKBONE)
    tf.keras.utils.set_random_seed(5)
    source = tf.keras.applications.MobileNetV2(
        input_shape=(HEIGHT, WIDTH, 3), alpha=0.35, include_top=False, weights=None
    )
    source.load_weights(str(weights))
    conv1 = source.get_layer("Conv1").get_weights()[0]
    np.testing.assert_allclose(trained.get_layer("Conv1").get_weights()[0], conv1.sum(axis=2, keepdims=True), rtol=1e-6)
    # Phase 1 with weights trains the head only: every backbone weight is as loaded.
    for layer in ("block_16_project", "block_16_project_BN", "Conv_1"):
        for got, expected in zip(
            trained.get_layer(layer).get_weights(), source.get_layer(layer).get_weights(), strict=True
        ):
            np.testing.assert_array_equal(got, expected)


def test_weights_of_another_shape_are_refused(tmp_path: Path) -> None:
    tf.keras.utils.set_random_seed(1)
    other = tf.keras.applications.MobileNetV2(
        input_shape=(HEIGHT, WIDTH, 3), alpha=0.5, include_top=False, weights=None
    )
    other.save_weights(str(tmp_path / "alpha05.weights.h5"))
    config = config_module.load(None, TINY)
    with pytest.raises(model.WeightsError, match=r"alpha05\.weights\.h5"):
        model.load_imagenet_weights(model.build(config), tmp_path / "alpha05.weights.h5", config)


def test_bad_datasets_are_named(tmp_path: Path) -> None:
    root = make_dataset(tmp_path / "d", {"train": 2, "val": 1, "test": 1})
    for path in (root / "val" / "person").glob("*.png"):
        path.unlink()
    with pytest.raises(data.DatasetError, match="class 'person' has no images in val"):
        data.load(root, WIDTH, HEIGHT)
    with pytest.raises(data.DatasetError, match="expected 160x120 L"):
        data.load_split(root, "train", 160, 120)
    (root / "test" / "no_person").rename(root / "test" / "empty")
    with pytest.raises(data.DatasetError, match="test/no_person: missing"):
        data.load_split(root, "test", WIDTH, HEIGHT)


if __name__ == "__main__":
    raise SystemExit(pytest.main([__file__, "-q"]))
