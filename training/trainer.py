"""Training the person detector: two phases, then the FP32 evaluation (`train`).

Phase 1 trains the head with the backbone frozen when ImageNet weights are given, or the
whole network when training from scratch. Phase 2 unfreezes the top `fine_tune_layers`
backbone layers (BatchNorm stays frozen) at a lower learning rate. Both phases use
EarlyStopping, ReduceLROnPlateau and ModelCheckpoint on validation accuracy (`MONITOR`).

Writes to OUT: model.keras (clock-independent bytes), config.json (the resolved config),
history.json and history.png, evaluation.json, confusion_matrix.png, worst_examples.png.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from pathlib import Path

import matplotlib
import tensorflow as tf

from training import data, evaluate, keras_archive, model
from training.config import TrainConfig

matplotlib.use("Agg")
import matplotlib.pyplot as plt

keras = tf.keras

# Validation accuracy, not loss: from scratch, a near-chance epoch that predicts about 0.5
# for everything has a loss near ln 2, which the first confident epochs exceed even while
# they classify better; on loss, such an epoch was kept as the best (test accuracy 0.51).
MONITOR = "val_accuracy"


def configure_determinism(threads: int, seed: int) -> None:
    """Fixed threads, seeds and deterministic ops; a fresh Keras session, so that layer
    names (and with them the saved model) do not depend on what ran before."""
    keras.backend.clear_session()
    try:
        tf.config.threading.set_intra_op_parallelism_threads(threads)
        tf.config.threading.set_inter_op_parallelism_threads(1)
    except RuntimeError:
        # TensorFlow already ran in this process (a test, a notebook): its thread counts stay.
        pass
    tf.config.experimental.enable_op_determinism()
    tf.keras.utils.set_random_seed(seed)


def _phase(
    network: keras.Model,
    name: str,
    epochs: int,
    learning_rate: float,
    datasets: tuple[tf.data.Dataset, tf.data.Dataset],
    config: TrainConfig,
    scratch: Path,
    log: Callable[[str], None],
) -> dict[str, list[float]]:
    network.compile(
        optimizer=keras.optimizers.Adam(learning_rate),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    checkpoint = scratch / f"{name}.weights.h5"
    callbacks = [
        keras.callbacks.EarlyStopping(
            monitor=MONITOR, mode="max", patience=config.early_stopping_patience, restore_best_weights=True
        ),
        keras.callbacks.ReduceLROnPlateau(
            monitor=MONITOR, mode="max", factor=config.reduce_lr_factor, patience=config.reduce_lr_patience
        ),
        keras.callbacks.ModelCheckpoint(
            str(checkpoint), monitor=MONITOR, mode="max", save_best_only=True, save_weights_only=True
        ),
    ]
    train, val = datasets
    history = network.fit(train, validation_data=val, epochs=epochs, callbacks=callbacks, verbose=2, shuffle=False)
    if checkpoint.exists():
        network.load_weights(str(checkpoint))  # the best epoch by validation accuracy
    values = {key: [float(v) for v in series] for key, series in history.history.items()}
    best = max(values.get(MONITOR, [float("nan")]))
    trainable = sum(int(tf.size(w)) for w in network.trainable_weights)
    log(f"{name}: {len(values.get('loss', []))} epochs, best {MONITOR} {best:.4f}, {trainable} trainable parameters")
    return values


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


def train(config: TrainConfig, data_dir: Path, out: Path, log: Callable[[str], None] = print) -> dict[str, object]:
    """Runs both phases and the evaluation; returns the evaluation report."""
    configure_determinism(config.threads, config.seed)
    splits = data.load(data_dir, config.image_width, config.image_height)
    for name, split in splits.items():
        log(f"{name}: {len(split.labels)} images ({int(split.labels.sum())} person)")

    def dataset(split: data.Split, shuffle: bool) -> tf.data.Dataset:
        pipeline = tf.data.Dataset.from_tensor_slices((split.images, split.labels))
        if shuffle:
            pipeline = pipeline.shuffle(len(split.labels), seed=config.seed, reshuffle_each_iteration=True)
        return pipeline.batch(config.batch_size)

    datasets = (dataset(splits["train"], True), dataset(splits["val"], False))
    network = model.build(config)
    from_scratch = config.weights is None
    if from_scratch:
        log("no ImageNet weights: training from scratch, so phase 1 trains the whole network")
    else:
        model.load_imagenet_weights(network, Path(config.weights), config)
        log(f"ImageNet weights from {config.weights} (first convolution summed over RGB)")
    out.mkdir(parents=True, exist_ok=True)
    history: dict[str, dict[str, list[float]]] = {}
    with tempfile.TemporaryDirectory() as scratch:
        _freeze_for_phase1(network, from_scratch)
        history["phase1"] = _phase(
            network, "phase1", config.phase1_epochs, config.phase1_learning_rate, datasets, config, Path(scratch), log
        )
        if config.phase2_epochs:
            _unfreeze_top(network, config.fine_tune_layers)
            history["phase2"] = _phase(
                network,
                "phase2",
                config.phase2_epochs,
                config.phase2_learning_rate,
                datasets,
                config,
                Path(scratch),
                log,
            )
    network.save(out / "model.keras")
    keras_archive.normalize(out / "model.keras")
    (out / "config.json").write_text(json.dumps(config.to_json(), indent=2, sort_keys=True) + "\n")
    (out / "history.json").write_text(json.dumps(history, indent=2, sort_keys=True) + "\n")
    _plot_history(history, out / "history.png")
    probabilities = network.predict(splits["test"].images, batch_size=config.batch_size, verbose=0)
    result = evaluate.write(probabilities, splits["test"], out)
    log(f"FP32 test accuracy {result['accuracy']:.4f} on {result['images']} images")
    return result
