"""The FP32 baseline on the isolated test split: accuracy, per-class precision, recall and
F1, the confusion matrix (JSON and a labelled PNG) and a contact sheet of the worst
misclassified images. The INT8 model is compared against this report."""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from PIL import Image, ImageDraw
from sklearn.metrics import confusion_matrix, precision_recall_fscore_support

from training.data import CLASSES, Split

WORST_EXAMPLES = 16


def report(probabilities: np.ndarray, labels: np.ndarray) -> dict[str, object]:
    """Accuracy, per-class precision, recall and F1, and the confusion matrix of the
    decisions (argmax) against the class indices `labels`."""
    predicted = probabilities.argmax(axis=1)
    precision, recall, f1, support = precision_recall_fscore_support(
        labels, predicted, labels=list(range(len(CLASSES))), zero_division=0
    )
    matrix = confusion_matrix(labels, predicted, labels=list(range(len(CLASSES))))
    return {
        "images": len(labels),
        "accuracy": float((predicted == labels).mean()),
        "classes": {
            label: {
                "precision": float(precision[i]),
                "recall": float(recall[i]),
                "f1": float(f1[i]),
                "support": int(support[i]),
            }
            for i, label in enumerate(CLASSES)
        },
        "confusion_matrix": {"rows_true_columns_predicted": list(CLASSES), "counts": matrix.tolist()},
    }


def plot_confusion(result: dict[str, object], path: Path, title: str = "FP32") -> None:
    counts = np.array(result["confusion_matrix"]["counts"])  # type: ignore[index]
    figure, axes = plt.subplots(figsize=(4, 3.6), dpi=100)
    axes.imshow(counts, cmap="Blues")
    for (row, column), value in np.ndenumerate(counts):
        colour = "white" if value > counts.max() / 2 else "black"
        axes.text(column, row, str(value), ha="center", va="center", color=colour)
    axes.set_xticks(range(len(CLASSES)), CLASSES)
    axes.set_yticks(range(len(CLASSES)), CLASSES)
    axes.set_xlabel("predicted")
    axes.set_ylabel("true")
    axes.set_title(f"{title} test accuracy {result['accuracy']:.3f}")
    figure.tight_layout()
    figure.savefig(path, metadata={"Software": None})
    plt.close(figure)


def worst_examples(probabilities: np.ndarray, split: Split, path: Path) -> list[dict[str, object]]:
    """Misclassified test images, most confidently wrong first, as a captioned grid."""
    predicted = probabilities.argmax(axis=1)
    wrong = np.flatnonzero(predicted != split.labels)
    order = wrong[np.argsort(-probabilities[wrong, predicted[wrong]], kind="stable")][:WORST_EXAMPLES]
    height, width = split.images.shape[1:3]
    columns = 4
    rows = max(1, (len(order) + columns - 1) // columns)
    sheet = Image.new("L", (columns * width, rows * (height + 12)), 255)
    draw = ImageDraw.Draw(sheet)
    listed = []
    for slot, index in enumerate(order):
        x, y = (slot % columns) * width, (slot // columns) * (height + 12)
        sheet.paste(Image.fromarray(split.images[index, :, :, 0], "L"), (x, y))
        confidence = float(probabilities[index, predicted[index]])
        draw.text((x + 2, y + height), f"{CLASSES[predicted[index]]} {confidence:.2f}", fill=0)
        listed.append(
            {
                "path": split.paths[index].name,
                "true": CLASSES[split.labels[index]],
                "predicted": CLASSES[predicted[index]],
                "confidence": confidence,
            }
        )
    sheet.save(path)
    return listed


def write(probabilities: np.ndarray, split: Split, out: Path) -> dict[str, object]:
    result = report(probabilities, split.labels)
    result["worst_examples"] = worst_examples(probabilities, split, out / "worst_examples.png")
    (out / "evaluation.json").write_text(json.dumps(result, indent=2, sort_keys=True) + "\n")
    plot_confusion(result, out / "confusion_matrix.png")
    return result
