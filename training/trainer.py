"""Training the person detector: two phases, then the FP32 evaluation (`train`).

Phase 1 trains the head with the backbone frozen when ImageNet weights are given, or the
whole network when training from scratch. Phase 2 unfreezes the top `fine_tune_layers`
backbone layers (BatchNorm stays frozen) at a lower learning rate. Both phases use
EarlyStopping, ReduceLROnPlateau and ModelCheckpoint on validation accuracy (`MONITOR`).

From scratch, validation accuracy jumps between chance and 0.7 in the first epochs, while
the BatchNorm statistics still move: phase 1 takes no decision on it (no stop, no learning
rate cut, no checkpoint) during `phase1_warmup_epochs`. Phase 2 keeps its weights only
if it beats phase 1's best epoch; otherwise the model leaves with phase 1's.

With `init_from_teacher`, the MobileNetV1 student starts from the teacher's weights and
counts as pretrained (phase 1 trains the head only). With `distillation_weight`, the
teacher scores every training and validation image once, before training, and the loss
mixes the labels with its soft scores (distillation.py).

Writes to OUT: model.keras (clock-independent bytes), config.json (the resolved config),
history.json and history.png, evaluation.json, confusion_matrix.png, worst_examples.png.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from pathlib import Path

import matplotlib
import numpy as np
import tensorflow as tf

from training import data, distillation, evaluate, keras_archive, model, portable_numerics
from training import teacher as teacher_module
from training.config import TrainConfig, check_teacher

matplotlib.use("Agg")
import matplotlib.pyplot as plt

keras = tf.keras

# Validation accuracy, not loss: from scratch, a near-chance epoch that predicts about 0.5
# for everything has a loss near ln 2, which the first confident epochs exceed even while
# they classify better; on loss, such an epoch was kept as the best (test accuracy 0.51).
MONITOR = "val_accuracy"


def configure_determinism(threads: int, seed: int) -> None:
    """Fixed threads, seeds, deterministic ops and CPU-independent arithmetic
    (portable_numerics); a fresh Keras session, so that layer names (and with them the
    saved model) do not depend on what ran before."""
    portable_numerics.configure()
    keras.backend.clear_session()
    try:
        tf.config.threading.set_intra_op_parallelism_threads(threads)
        tf.config.threading.set_inter_op_parallelism_threads(1)
    except RuntimeError:
        # TensorFlow already ran in this process (a test, a notebook): its thread counts stay.
        pass
    tf.config.experimental.enable_op_determinism()
    tf.keras.utils.set_random_seed(seed)


class _AfterWarmup(keras.callbacks.Callback):
    """Hands epoch ends to `inner` only from epoch `warmup` on: EarlyStopping's
    `start_from_epoch`, for the callbacks that lack it (ModelCheckpoint, ReduceLROnPlateau)."""

    def __init__(self, inner: keras.callbacks.Callback, warmup: int) -> None:
        super().__init__()
        self.inner = inner
        self.warmup = warmup

    def set_model(self, network: keras.Model) -> None:
        super().set_model(network)
        self.inner.set_model(network)

    def set_params(self, params: dict[str, object]) -> None:
        super().set_params(params)
        self.inner.set_params(params)

    def on_train_begin(self, logs: dict[str, float] | None = None) -> None:
        self.inner.on_train_begin(logs)

    def on_epoch_begin(self, epoch: int, logs: dict[str, float] | None = None) -> None:
        self.inner.on_epoch_begin(epoch, logs)

    def on_epoch_end(self, epoch: int, logs: dict[str, float] | None = None) -> None:
        if epoch >= self.warmup:
            self.inner.on_epoch_end(epoch, logs)

    def on_train_end(self, logs: dict[str, float] | None = None) -> None:
        self.inner.on_train_end(logs)


def _phase(
    network: keras.Model,
    name: str,
    epochs: int,
    learning_rate: float,
    warmup: int,
    to_beat: float | None,
    datasets: tuple[tf.data.Dataset, tf.data.Dataset],
    config: TrainConfig,
    checkpoint: Path,
    log: Callable[[str], None],
) -> tuple[dict[str, list[float]], float | None]:
    """Trains one phase; leaves `network` with the best weights seen so far, this phase's
    best epoch after `warmup` if it beats `to_beat`, else those already in `checkpoint`.

    Returns the history and the best MONITOR value kept (None if none was measured)."""
    if config.distillation_weight > 0:
        loss: str | keras.losses.Loss = distillation.DistillationLoss(
            config.distillation_weight, config.distillation_temperature
        )
        metrics: list[str | keras.metrics.Metric] = [distillation.accuracy()]
    else:
        loss, metrics = "sparse_categorical_crossentropy", ["accuracy"]
    network.compile(optimizer=keras.optimizers.Adam(learning_rate), loss=loss, metrics=metrics)
    # The checkpoint alone decides the kept weights, so EarlyStopping does not restore any.
    callbacks = [
        keras.callbacks.EarlyStopping(
            monitor=MONITOR, mode="max", patience=config.early_stopping_patience, start_from_epoch=warmup
        ),
        _AfterWarmup(
            keras.callbacks.ReduceLROnPlateau(
                monitor=MONITOR, mode="max", factor=config.reduce_lr_factor, patience=config.reduce_lr_patience
            ),
            warmup,
        ),
        _AfterWarmup(
            keras.callbacks.ModelCheckpoint(
                str(checkpoint),
                monitor=MONITOR,
                mode="max",
                save_best_only=True,
                save_weights_only=True,
                initial_value_threshold=to_beat,
            ),
            warmup,
        ),
    ]
    train, val = datasets
    history = network.fit(train, validation_data=val, epochs=epochs, callbacks=callbacks, verbose=2, shuffle=False)
    values = {key: [float(v) for v in series] for key, series in history.history.items()}
    after_warmup = values.get(MONITOR, [])[warmup:]
    best = max(after_warmup) if after_warmup else None
    trainable = sum(int(tf.size(w)) for w in network.trainable_weights)
    summary = f"{name}: {len(values.get('loss', []))} epochs ({warmup} of warm-up), {trainable} trainable parameters"
    if best is not None and (to_beat is None or best > to_beat):
        log(f"{summary}; best {MONITOR} {best:.4f}, kept")
    elif to_beat is not None:
        measured = "none" if best is None else f"{best:.4f}"
        log(f"{summary}; best {MONITOR} {measured} does not beat {to_beat:.4f}: the earlier weights are kept")
        best = to_beat
    else:
        log(f"{summary}; no epoch after the warm-up: the last weights are kept")
    if checkpoint.exists():
        network.load_weights(str(checkpoint))
    return values, best


def _freeze_for_phase1(network: keras.Model, from_scratch: bool) -> None:
    network.get_layer(model.BACKBONE).trainable = from_scratch


def _unfreeze_top(network: keras.Model, count: int) -> None:
    backbone = network.get_layer(model.BACKBONE)
    backbone.trainable = True
    cut = max(0, len(backbone.layers) - count)
    for index, layer in enumerate(backbone.layers):
        layer.trainable = index >= cut and not isinstance(layer, keras.layers.BatchNormalization)


def _plot_history(history: dict[str, dict[str, list[float]]], path: Path) -> None:
    figure, (loss_axes, accuracy_axes) = plt.subplots(1, 2, figsize=(9, 3.5), dpi=100)
    offset = 0
    for phase, values in history.items():
        epochs = list(range(offset + 1, offset + 1 + len(values.get("loss", []))))
        for axes, key in ((loss_axes, "loss"), (accuracy_axes, "accuracy")):
            axes.plot(epochs, values.get(key, []), marker="o", label=f"{phase} train")
            axes.plot(epochs, values.get(f"val_{key}", []), marker="x", label=f"{phase} val")
        offset += len(epochs)
    for axes, title in ((loss_axes, "loss"), (accuracy_axes, "accuracy")):
        axes.set_title(title)
        axes.set_xlabel("epoch")
        axes.legend(fontsize=7)
    figure.tight_layout()
    figure.savefig(path, metadata={"Software": None})
    plt.close(figure)


def _teacher_targets(
    teacher: teacher_module.Teacher, split: data.Split, name: str, view: str, log: Callable[[str], None]
) -> np.ndarray:
    """[label, teacher no_person, teacher person] per image, in the split's (sorted) order."""
    probabilities = teacher.scores(split.images, view)
    agreement = float((probabilities.argmax(axis=1) == split.labels).mean())
    log(f"teacher on {name}: accuracy {agreement:.4f} against the labels")
    return distillation.targets(split.labels, probabilities)


def train(
    config: TrainConfig,
    data_dir: Path,
    out: Path,
    log: Callable[[str], None] = print,
    teacher: Path | None = None,
) -> dict[str, object]:
    """Runs both phases and the evaluation; returns the evaluation report. `teacher` is the
    teacher's .tflite (person_detect), for init_from_teacher and distillation."""
    check_teacher(config, teacher)
    configure_determinism(config.threads, config.seed)
    with portable_numerics.training_graphs():
        return _train(config, data_dir, out, log, teacher)


def _train(
    config: TrainConfig, data_dir: Path, out: Path, log: Callable[[str], None], teacher: Path | None
) -> dict[str, object]:
    splits = data.load(data_dir, config.image_width, config.image_height)
    for name, split in splits.items():
        log(f"{name}: {len(split.labels)} images ({int(split.labels.sum())} person)")

    def dataset(split: data.Split, shuffle: bool, targets: np.ndarray | None = None) -> tf.data.Dataset:
        pipeline = tf.data.Dataset.from_tensor_slices((split.images, split.labels if targets is None else targets))
        if shuffle:
            pipeline = pipeline.shuffle(len(split.labels), seed=config.seed, reshuffle_each_iteration=True)
        return pipeline.batch(config.batch_size)

    if config.distillation_weight > 0:
        assert teacher is not None  # check_teacher
        scorer = teacher_module.Teacher(teacher)
        log(
            f"distillation from {teacher}: weight {config.distillation_weight}, "
            f"T {config.distillation_temperature}, view {config.teacher_view}"
        )
        view = config.teacher_view
        datasets = (
            dataset(splits["train"], True, _teacher_targets(scorer, splits["train"], "train", view, log)),
            dataset(splits["val"], False, _teacher_targets(scorer, splits["val"], "val", view, log)),
        )
    else:
        datasets = (dataset(splits["train"], True), dataset(splits["val"], False))
    network = model.build(config)
    from_scratch = config.weights is None and not config.init_from_teacher
    if config.init_from_teacher:
        assert teacher is not None  # check_teacher
        model.load_teacher_weights(network, teacher_module.read_weights(teacher))
        log(f"teacher weights from {teacher} (backbone and classifier)")
    elif from_scratch:
        log("no ImageNet weights: training from scratch, so phase 1 trains the whole network")
    else:
        model.load_imagenet_weights(network, Path(config.weights), config)
        log(f"ImageNet weights from {config.weights} (first convolution summed over RGB)")
    out.mkdir(parents=True, exist_ok=True)
    history: dict[str, dict[str, list[float]]] = {}
    with tempfile.TemporaryDirectory() as scratch:
        # One checkpoint for both phases: phase 2 overwrites it only with a better epoch.
        checkpoint = Path(scratch) / "best.weights.h5"
        _freeze_for_phase1(network, from_scratch)
        history["phase1"], best = _phase(
            network,
            "phase1",
            config.phase1_epochs,
            config.phase1_learning_rate,
            min(config.phase1_warmup_epochs, config.phase1_epochs),
            None,
            datasets,
            config,
            checkpoint,
            log,
        )
        if config.phase2_epochs:
            _unfreeze_top(network, config.fine_tune_layers)
            history["phase2"], _ = _phase(
                network,
                "phase2",
                config.phase2_epochs,
                config.phase2_learning_rate,
                0,
                best,
                datasets,
                config,
                checkpoint,
                log,
            )
    if config.distillation_weight > 0:
        # The saved model names its loss; Keras' own keeps model.keras loadable without
        # this package (the quantizer, notebooks). The exported graph is the same either way.
        network.compile(optimizer=network.optimizer, loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    network.save(out / "model.keras")
    keras_archive.normalize(out / "model.keras")
    (out / "config.json").write_text(json.dumps(config.to_json(), indent=2, sort_keys=True) + "\n")
    (out / "history.json").write_text(json.dumps(history, indent=2, sort_keys=True) + "\n")
    _plot_history(history, out / "history.png")
    probabilities = network.predict(splits["test"].images, batch_size=config.batch_size, verbose=0)
    result = evaluate.write(probabilities, splits["test"], out)
    log(f"FP32 test accuracy {result['accuracy']:.4f} on {result['images']} images")
    return result
