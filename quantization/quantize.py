"""Converts a trained `.keras` model to the firmware's int8 `.tflite` and audits it.

    bazel run //quantization:quantize -- --model=run/model.keras --data=dataset --out=DIR
        [--input_type=int8|uint8] [--calibration_samples=0] [--seed=1234]
        [--external_set=DIR [--teacher=person_detect.tflite]]

Writes to OUT: model.tflite, calibration.json (the training images used, by file and
index), report.json (size against float, operators, per-tensor quantization, MACs), and
the INT8 evaluation on the test split (evaluation_int8.json/.md, confusion_*.png). Fails,
naming the operator and layer, when TFLM (2020) could not run the result, and when the
gate trips (--tolerance_pp, --max_disagreement). With --external_set, also scores the
int8 model (and --teacher beside it) on real photographs: external_evaluation.json and a
section of evaluation_int8.md (external_evaluation.py).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from absl import app, flags

from quantization import audit, convert, evaluate_int8, external_evaluation, report
from tools.cli import cli_path
from training import data, teacher

MODEL = flags.DEFINE_string("model", None, "The trained .keras model.")
DATA = flags.DEFINE_string("data", None, "The prepared dataset it was trained on (calibration: train split).")
OUT = flags.DEFINE_string("out", None, "Output directory.")
OPS = flags.DEFINE_string("ops", "third_party/tflm/ops.txt", "The TFLM library's kernels (//third_party/tflm:ops).")
INPUT_TYPE = flags.DEFINE_enum("input_type", "int8", list(convert.INPUT_TYPES), "Type of the pixels fed in.")
# All by default: a 200-image sample put alpha 0.75 at 96x96 1.16 points under FP32, the
# whole split 0.65 (BENCHMARKS.md, "Calibration"), for about 30 s more conversion.
SAMPLES = flags.DEFINE_integer(
    "calibration_samples", 0, "Training images for calibration, a seeded sample; 0: all of them.", lower_bound=0
)
SEED = flags.DEFINE_integer("seed", 1234, "Seed of the calibration sample.")
TOLERANCE = flags.DEFINE_float("tolerance_pp", 1.0, "Largest INT8 accuracy loss against FP32, in points.")
DISAGREEMENT = flags.DEFINE_float("max_disagreement", 0.0, "Largest share of TFLite/TFLM prediction disagreement.")
EXTERNAL_SET = flags.DEFINE_string(
    "external_set", None, "Also score the model on this external evaluation set (//data_tools:external_evaluation_set)."
)
TEACHER = flags.DEFINE_string(
    "teacher", None, "With --external_set: score the teacher (person_detect.tflite) beside it."
)


def quantize(
    model_path: Path,
    data_dir: Path,
    out: Path,
    ops: Path,
    input_type: str,
    samples: int,
    seed: int,
    gate: evaluate_int8.Gate | None = None,
    external_set: Path | None = None,
    teacher_path: Path | None = None,
) -> dict:
    """Converts, trims the bias quantization TFLM never reads (bias_quantization.py), audits
    and reports; with a gate, also evaluates against FP32 and applies it; with an external
    set, scores the int8 model (and the teacher) on it after the gate."""
    model = convert.load_model(model_path)
    height, width = model.input_shape[1:3]
    train = data.load_split(data_dir, "train", width, height)
    chosen, trimmed = convert.firmware_model(model, train.images, samples, seed, input_type)
    tflite = trimmed.flatbuffer
    histogram = audit.audit(tflite, audit.load_library_ops(ops), input_type)
    float_tflite = convert.convert(model, train.images[:0], input_type, quantize=False)
    out.mkdir(parents=True, exist_ok=True)
    (out / "model.tflite").write_bytes(tflite)
    calibration = {
        "seed": seed,
        "split": "train",
        "images": [{"index": i, "file": train.paths[i].name} for i in chosen],
    }
    (out / "calibration.json").write_text(json.dumps(calibration, indent=2) + "\n")
    described = report.describe(tflite, float_tflite, histogram)
    described["bias_quantization_trimmed"] = {"tensors": trimmed.tensors, "channels": trimmed.channels}
    (out / "report.json").write_text(json.dumps(described, indent=2, sort_keys=True) + "\n")
    if gate is not None:
        test = data.load_split(data_dir, "test", width, height)
        fp32 = model.predict(test.images.astype("float32"), verbose=0)
        reference = evaluate_int8.run_tflite_reference(tflite, test.images)
        tflm = evaluate_int8.run_tflm(tflite, test.images)
        described["evaluation"] = evaluate_int8.compare(fp32, reference, tflm, test, out, gate)
    if external_set is not None:
        summary = external_evaluation.evaluate(tflite, external_set, teacher_path, width, height)
        external_evaluation.write(summary, out)
        described["external_evaluation"] = summary
    return described


def main(argv: list[str]) -> None:
    del argv
    if not (MODEL.value and DATA.value and OUT.value):
        raise app.UsageError("--model, --data and --out are required")
    try:
        described = quantize(
            cli_path(MODEL.value),
            cli_path(DATA.value),
            cli_path(OUT.value),
            cli_path(OPS.value),
            INPUT_TYPE.value,
            SAMPLES.value,
            SEED.value,
            evaluate_int8.Gate(TOLERANCE.value, DISAGREEMENT.value),
            cli_path(EXTERNAL_SET.value) if EXTERNAL_SET.value else None,
            cli_path(TEACHER.value) if TEACHER.value else None,
        )
    except (
        convert.ConversionError,
        audit.AuditError,
        data.DatasetError,
        evaluate_int8.GateError,
        teacher.TeacherError,
    ) as error:
        print(f"quantize: error: {error}", file=sys.stderr)
        sys.exit(1)
    print(
        f"int8 model: {described['int8_bytes']} bytes ({described['size_ratio']:.2f} of float), "
        f"{described['macs_per_inference']} MACs, operators {described['operators']}"
    )
    if "external_evaluation" in described:
        print(external_evaluation.markdown(described["external_evaluation"]))


if __name__ == "__main__":
    app.run(main)
