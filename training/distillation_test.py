"""Distillation: the loss is plain crossentropy at weight 0 and pulls the student toward
the teacher's scores at weight 1; the trainer runs a MobileNetV1 student started from the
teacher and distilled from it end to end, and a configuration that needs the teacher
without one is refused."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf

from training import config as config_module
from training import data, distillation, model, teacher
from training.testing import HEIGHT, TINY, WIDTH, make_dataset
from training.trainer import configure_determinism, train

keras = tf.keras
TEACHER = Path("../microflow/models/person_detect.tflite")


def _probabilities(rng: np.random.Generator, count: int) -> np.ndarray:
    logits = rng.normal(0, 2, (count, 2))
    return (np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)).astype(np.float32)


def test_weight_zero_is_plain_crossentropy() -> None:
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 2, 16).astype(np.int32)
    student, soft = _probabilities(rng, 16), _probabilities(rng, 16)
    targets = distillation.targets(labels, soft)
    got = distillation.DistillationLoss(0.0, 2.0)(targets, student)
    expected = keras.losses.SparseCategoricalCrossentropy()(labels, student)
    assert float(got) == float(expected)
    # With a weight, the soft term counts: the same batch gives another loss.
    assert float(distillation.DistillationLoss(0.5, 2.0)(targets, student)) != pytest.approx(float(expected))


def test_the_soft_term_is_the_tempered_kl() -> None:
    teacher_p = np.array([[0.9, 0.1]], np.float32)
    student_p = np.array([[0.3, 0.7]], np.float32)
    temperature = 2.0

    def soften(p: np.ndarray) -> np.ndarray:  # softmax(log(p) / T)
        return p ** (1 / temperature) / (p ** (1 / temperature)).sum()

    t, s = soften(teacher_p[0].astype(np.float64)), soften(student_p[0].astype(np.float64))
    expected = float((t * np.log(t / s)).sum())
    got = float(distillation.kl_to_teacher(teacher_p, student_p, temperature)[0])
    assert got == pytest.approx(expected, rel=1e-5)
    targets = distillation.targets(np.array([1]), teacher_p)
    assert float(distillation.DistillationLoss(1.0, temperature)(targets, student_p)) == pytest.approx(4 * expected)
    assert float(distillation.kl_to_teacher(teacher_p, teacher_p, temperature)[0]) == pytest.approx(0.0, abs=1e-7)


def test_distillation_steps_move_the_student_toward_the_teacher(tmp_path: Path) -> None:
    configure_determinism(2, 11)
    split = data.load_split(make_dataset(tmp_path, {"train": 8}), "train", WIDTH, HEIGHT)
    soft = teacher.Teacher(TEACHER).scores(split.images)
    # A student with the teacher's backbone (features that tell images apart) and its
    # classifier negated: it starts out saying the opposite of the teacher. The labels say
    # the opposite too, so only the soft term can pull the student toward the teacher.
    config = config_module.load(None, [*TINY, "family=mobilenet_v1", "alpha=0.25", "dropout=0"])
    network = model.build(config)
    weights = teacher.read_weights(TEACHER)
    model.load_teacher_weights(network, weights)
    network.get_layer("scores").set_weights([-weights.classifier_kernel, -weights.classifier_bias])
    network.get_layer(model.BACKBONE).trainable = False  # inference-mode BatchNorm: one function to compare
    network.compile(
        optimizer=keras.optimizers.Adam(0.01),
        loss=distillation.DistillationLoss(1.0, 2.0),
        metrics=[distillation.accuracy()],
    )
    images = split.images.astype(np.float32)
    targets = distillation.targets(1 - soft.argmax(axis=1), soft)

    def kl() -> float:
        student = network.predict(images, verbose=0)
        return float(tf.reduce_mean(distillation.kl_to_teacher(soft, student, 1.0)))

    before = kl()
    history = network.fit(images, targets, batch_size=len(images), epochs=20, shuffle=False, verbose=0)
    after = kl()
    assert after < 0.5 * before, (before, after, history.history["loss"])
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert set(history.history) == {"loss", "accuracy"}


def test_a_configuration_that_needs_the_teacher_names_the_flag(tmp_path: Path) -> None:
    for override in ("distillation_weight=0.5", "init_from_teacher=true"):
        config = config_module.load(None, [*TINY, "family=mobilenet_v1", "alpha=0.25", override])
        with pytest.raises(config_module.ConfigError, match="--teacher=PATH"):
            train(config, tmp_path / "no-data", tmp_path / "out")


def test_a_student_from_the_teacher_distils_end_to_end(tmp_path: Path) -> None:
    root = make_dataset(tmp_path / "data", {"train": 16, "val": 8, "test": 8})
    config = config_module.load(
        None,
        [
            *TINY,
            "family=mobilenet_v1",
            "alpha=0.25",
            "init_from_teacher=true",
            "distillation_weight=0.5",
            "phase1_epochs=2",
            "phase2_epochs=1",
        ],
    )
    logged: list[str] = []
    train(config, root, tmp_path / "out", log=logged.append, teacher=TEACHER)
    assert any(line.startswith("teacher on train: accuracy") for line in logged), logged
    assert any("teacher weights from" in line for line in logged), logged
    history = json.loads((tmp_path / "out" / "history.json").read_text())
    assert {"loss", "accuracy", "val_loss", "val_accuracy"} <= set(history["phase1"])
    # The exported model is the product's contract: raw pixels in, softmax [no_person, person] out,
    # loadable without this module (its compile settings are Keras' own).
    network = keras.models.load_model(tmp_path / "out" / "model.keras")
    rescale = network.get_layer("rescale")
    assert (rescale.scale, rescale.offset) == (pytest.approx(1 / 127.5), -1)
    scores = network.predict(np.zeros((2, HEIGHT, WIDTH, 1), np.float32), verbose=0)
    np.testing.assert_allclose(scores.sum(axis=1), 1.0, rtol=1e-6)
    saved = json.loads((tmp_path / "out" / "config.json").read_text())
    assert (saved["family"], saved["distillation_weight"], saved["init_from_teacher"]) == ("mobilenet_v1", 0.5, True)


if __name__ == "__main__":
    raise SystemExit(pytest.main([__file__, "-q"]))
