"""The int8 model on real photographs no training source shares (//data_tools:external_evaluation_set),
in TFLM, with the teacher (TFLM's person_detect) scored on the same windows beside it.

Metrics for each: ROC AUC of the person score (ties count half), accuracy and confusion
matrix at the model's own decision (argmax), and person recall at 5% false positives (the
lowest threshold that keeps no more than 5% of the no-person windows above it).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from PIL import Image

from data_tools import transform
from quantization import evaluate_int8
from training import data
from training import teacher as teacher_module
from training.evaluate import report as decision_report

FALSE_POSITIVE_RATE = 0.05
SET_SIZE = (transform.WIDTH, transform.HEIGHT)


def load_set(root: Path) -> data.Split:
    """The set's windows, as stored (160x120)."""
    return data.load_split(root, "test", *SET_SIZE)


def at_input_size(windows: data.Split, width: int, height: int) -> data.Split:
    """The windows at a model's input size, resized as the datasets are."""
    if (width, height) == SET_SIZE:
        return windows
    resized = [
        np.asarray(transform.resize(Image.fromarray(image[..., 0], "L"), "crop", (width, height)))
        for image in windows.images
    ]
    return data.Split(np.stack(resized)[..., np.newaxis], windows.labels, windows.paths)


def auc(scores: np.ndarray, labels: np.ndarray) -> float:
    """Probability that a person window outscores a no-person one (Mann-Whitney, ties half)."""
    positives, negatives = scores[labels == 1], scores[labels == 0]
    greater = (positives[:, np.newaxis] > negatives[np.newaxis, :]).sum()
    ties = (positives[:, np.newaxis] == negatives[np.newaxis, :]).sum()
    return float((greater + 0.5 * ties) / (len(positives) * len(negatives)))


def recall_at_false_positives(scores: np.ndarray, labels: np.ndarray, rate: float) -> tuple[float, float]:
    """(person recall, threshold) at the lowest threshold with at most `rate` false positives."""
    positives, negatives = scores[labels == 1], scores[labels == 0]
    best = (0.0, float("inf"))
    for threshold in np.unique(scores)[::-1]:
        if (negatives >= threshold).mean() > rate:
            break
        best = (float((positives >= threshold).mean()), float(threshold))
    return best


def metrics(probabilities: np.ndarray, labels: np.ndarray) -> dict[str, object]:
    """probabilities: (N, 2) [no_person, person]. The decision's figures are the FP32
    report's (training/evaluate.py); AUC and recall at 5% FP are the person score's."""
    person = probabilities[:, 1]
    decisions = decision_report(probabilities, labels)
    classes = decisions["classes"]
    recall, threshold = recall_at_false_positives(person, labels, FALSE_POSITIVE_RATE)
    return {
        "auc": auc(person, labels),
        "accuracy": decisions["accuracy"],
        "person_recall": classes["person"]["recall"],  # type: ignore[index]
        "no_person_recall": classes["no_person"]["recall"],  # type: ignore[index]
        "person_recall_at_5pct_fp": recall,
        "threshold_at_5pct_fp": threshold,
        "confusion_matrix": decisions["confusion_matrix"],
    }


def teacher_probabilities(teacher_path: Path, windows: data.Split, view: str = teacher_module.FRAME) -> np.ndarray:
    """The teacher's de-quantized outputs for each window's `view` (teacher.VIEWS): by
    default the window squashed to 96x96, as the teacher was trained."""
    return teacher_module.Teacher(teacher_path).probabilities(windows.images, view)


def evaluate(tflite: bytes, set_dir: Path, teacher_path: Path | None, width: int, height: int) -> dict:
    stored = load_set(set_dir)
    windows = at_input_size(stored, width, height)
    manifest = json.loads((set_dir / "manifest.json").read_text())
    results = {"model": metrics(evaluate_int8.run_tflm(tflite, windows.images), windows.labels)}
    if teacher_path is not None:
        results["teacher"] = metrics(teacher_probabilities(teacher_path, stored), stored.labels)
    return {
        "windows": {label: int((windows.labels == index).sum()) for index, label in enumerate(data.CLASSES)},
        "photos": manifest["counts"]["photos"],
        "false_positive_rate": FALSE_POSITIVE_RATE,
        "results": results,
    }


TABLE_HEADER = (
    "| model | AUC | accuracy | person recall | no-person recall | person recall at 5% FP | confusion |",
    "| --- | --- | --- | --- | --- | --- | --- |",
)


def table(results: dict[str, dict]) -> list[str]:
    """A Markdown table, one row per named result of `metrics`."""
    return [*TABLE_HEADER] + [
        f"| {name} | {r['auc']:.4f} | {r['accuracy']:.4f} | {r['person_recall']:.3f} | {r['no_person_recall']:.3f} "
        f"| {r['person_recall_at_5pct_fp']:.3f} | {r['confusion_matrix']['counts']} |"
        for name, r in results.items()
    ]


def markdown(summary: dict) -> str:
    names = {"model": "this model (int8, TFLM)", "teacher": "teacher: TFLM person_detect (96x96)"}
    windows = summary["windows"]
    return "\n".join([
        "## External evaluation: real photographs no training source shares",
        "",
        f"{summary['photos']} photographs, {windows['person']} person and {windows['no_person']} no-person windows "
        "(//data_tools:external_evaluation_set).",
        "",
        *table({names[name]: result for name, result in summary["results"].items()}),
        "",
    ])  # fmt: skip


def write(summary: dict, out: Path) -> None:
    (out / "external_evaluation.json").write_text(json.dumps(summary, indent=2, sort_keys=True) + "\n")
    with (out / "evaluation_int8.md").open("a") as report:
        report.write("\n" + markdown(summary))
