"""The INT8 model against the FP32 baseline, on the whole isolated test split.

Three interpreters: the `.keras` model (FP32), the `.tflite` in TensorFlow's TFLite
interpreter with its reference kernels (`BUILTIN_REF`: its default kernels drift from
TFLM's arithmetic), and in TFLM (the `tflite-micro` package). Same metrics and plots as
the FP32 report, plus the accuracy delta and prediction agreement, in one Markdown file
with the PNGs embedded. The gate fails when INT8 (TFLM) accuracy is more than
`tolerance_pp` percentage points below FP32, or when TFLite and TFLM disagree on more
than `max_disagreement` of the predictions.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import tensorflow as tf
from tflite_micro.python.tflite_micro import runtime

from training import evaluate
from training.data import Split


class GateError(ValueError):
    """The INT8 model lost more than the configured tolerance."""


@dataclass(frozen=True)
class Gate:
    tolerance_pp: float = 1.0
    max_disagreement: float = 0.0


def _quantize(images: np.ndarray, dtype: type, scale: float, zero_point: int) -> np.ndarray:
    info = np.iinfo(dtype)
    return np.clip(np.rint(images.astype(np.float32) / scale + zero_point), info.min, info.max).astype(dtype)


def run_tflite_reference(tflite: bytes, images: np.ndarray) -> np.ndarray:
    """Dequantized scores from TFLite's reference kernels."""
    interpreter = tf.lite.Interpreter(
        model_content=tflite, experimental_op_resolver_type=tf.lite.experimental.OpResolverType.BUILTIN_REF
    )
    interpreter.allocate_tensors()
    source, target = interpreter.get_input_details()[0], interpreter.get_output_details()[0]
    scores = []
    for image in _quantize(images, source["dtype"], *source["quantization"]):
        interpreter.set_tensor(source["index"], image[np.newaxis])
        interpreter.invoke()
        scores.append(interpreter.get_tensor(target["index"])[0])
    scale, zero_point = target["quantization"]
    return (np.array(scores, dtype=np.float32) - zero_point) * scale


def _parameters(details: dict) -> tuple[float, int]:
    quantization = details["quantization_parameters"]
    return float(quantization["scales"][0]), int(quantization["zero_points"][0])


def run_tflm(tflite: bytes, images: np.ndarray) -> np.ndarray:
    """Dequantized scores from TFLM (the `tflite-micro` package)."""
    interpreter = runtime.Interpreter.from_bytes(tflite)
    source, target = interpreter.get_input_details(0), interpreter.get_output_details(0)
    scores = []
    for image in _quantize(images, source["dtype"], *_parameters(source)):
        interpreter.set_input(image[np.newaxis], 0)
        interpreter.invoke()
        scores.append(interpreter.get_output(0)[0].copy())
    scale, zero_point = _parameters(target)
    return (np.array(scores, dtype=np.float32) - zero_point) * scale


def _image(path: Path) -> str:
    return f"![{path.stem}](data:image/png;base64,{base64.b64encode(path.read_bytes()).decode()})"


def compare(fp32: np.ndarray, reference: np.ndarray, tflm: np.ndarray, split: Split, out: Path, gate: Gate) -> dict:
    """Writes evaluation_int8.json and evaluation_int8.md (and the plots); applies the gate."""
    results = {
        name: evaluate.report(scores, split.labels)
        for name, scores in (("fp32", fp32), ("tflite_int8", reference), ("tflm_int8", tflm))
    }
    for name, title in (("fp32", "FP32"), ("tflite_int8", "INT8 TFLite"), ("tflm_int8", "INT8 TFLM")):
        evaluate.plot_confusion(results[name], out / f"confusion_{name}.png", title)
    predictions = {
        name: scores.argmax(axis=1)
        for name, scores in (("fp32", fp32), ("tflite_int8", reference), ("tflm_int8", tflm))
    }
    summary = {
        "images": len(split.labels),
        "accuracy": {name: result["accuracy"] for name, result in results.items()},
        "accuracy_delta_pp": 100 * (results["tflm_int8"]["accuracy"] - results["fp32"]["accuracy"]),
        "agreement_fp32_int8": float((predictions["fp32"] == predictions["tflm_int8"]).mean()),
        "disagreement_tflite_tflm": float((predictions["tflite_int8"] != predictions["tflm_int8"]).mean()),
        "gate": {"tolerance_pp": gate.tolerance_pp, "max_disagreement": gate.max_disagreement},
        "reports": results,
    }
    (out / "evaluation_int8.json").write_text(json.dumps(summary, indent=2, sort_keys=True) + "\n")
    rows = [f"| {name} | {results[name]['accuracy']:.4f} |" for name in results]
    lines = [
        "# INT8 against FP32 on the test split",
        "",
        f"{summary['images']} images. Accuracy delta (TFLM INT8 - FP32): {summary['accuracy_delta_pp']:+.2f} pp "
        f"(gate: -{gate.tolerance_pp} pp). Predictions FP32 = INT8: {summary['agreement_fp32_int8']:.4f}. "
        f"TFLite and TFLM disagree on {summary['disagreement_tflite_tflm']:.4f} (gate: {gate.max_disagreement}).",
        "",
        "| model | accuracy |",
        "| --- | --- |",
        *rows,
        "",
        *[_image(out / f"confusion_{name}.png") for name in results],
        "",
    ]
    (out / "evaluation_int8.md").write_text("\n".join(lines))
    check(summary, gate)
    return summary


def check(summary: dict, gate: Gate) -> None:
    if summary["accuracy_delta_pp"] < -gate.tolerance_pp:
        accuracy = summary["accuracy"]
        raise GateError(
            f"INT8 accuracy {accuracy['tflm_int8']:.4f} is {-summary['accuracy_delta_pp']:.2f} pp below FP32 "
            f"{accuracy['fp32']:.4f} (tolerance {gate.tolerance_pp} pp): improve calibration or the model"
        )
    if summary["disagreement_tflite_tflm"] > gate.max_disagreement:
        raise GateError(
            f"TFLite (reference kernels) and TFLM disagree on {summary['disagreement_tflite_tflm']:.4f} of the "
            f"predictions (allowed {gate.max_disagreement})"
        )
