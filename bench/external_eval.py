"""The external evaluation as a benchmark: int8 models on real photographs no training
source shares (//data_tools:external_evaluation_set), in TFLM, with TFLM's person_detect
(the teacher) as the anchor rows: the window squashed to 96x96, and the best of three
squares as tall as the window (training/teacher.py, VIEWS).

    bazel run //bench:external_eval [-- --model=NAME=FILE.tflite ...] [--out=FILE.json]

Without --model it scores the product's default model (//quantization:person_detector_int8,
trained by the build). Prints a Markdown table: AUC, accuracy, person and no-person
recall, person recall at 5% false positives, and the confusion matrix.
"""

from __future__ import annotations

import json

from absl import app, flags
from tflite_micro.python.tflite_micro import runtime
from tqdm import tqdm

from quantization import external_evaluation
from tools.cli import cli_path
from training import data

SET = flags.DEFINE_string("set", "data_tools/external_evaluation_set", "The external evaluation set.")
TEACHER = flags.DEFINE_string("teacher", "../microflow/models/person_detect.tflite", "TFLM's person_detect.tflite.")
MODELS = flags.DEFINE_multi_string(
    "model", ["default=quantization/person_detector_int8/model.tflite"], "NAME=FILE.tflite, an int8 model to score."
)
OUT = flags.DEFINE_string("out", None, "Also write the results here (JSON).")


def _input_size(tflite: bytes) -> tuple[int, int]:
    shape = runtime.Interpreter.from_bytes(tflite).get_input_details(0)["shape"]
    return int(shape[2]), int(shape[1])


def main(argv: list[str]) -> None:
    del argv
    set_dir = cli_path(SET.value)
    results: dict[str, dict] = {}
    for entry in tqdm(MODELS.value, desc="models", unit="model"):
        name, separator, path = entry.partition("=")
        if not separator:
            raise app.UsageError(f"--model={entry}: expected NAME=FILE.tflite")
        tflite = cli_path(path).read_bytes()
        width, height = _input_size(tflite)
        summary = external_evaluation.evaluate(tflite, set_dir, None, width, height)
        results[f"{name} ({width}x{height}, int8, TFLM)"] = summary["results"]["model"]
    windows = external_evaluation.load_set(set_dir)
    for view, title in (("frame", "the window squashed"), ("max_of_squares", "best of three squares")):
        teacher = external_evaluation.teacher_probabilities(cli_path(TEACHER.value), windows, view)
        results[f"teacher: TFLM person_detect (96x96, {title})"] = external_evaluation.metrics(teacher, windows.labels)
    counts = {label: int((windows.labels == index).sum()) for index, label in enumerate(data.CLASSES)}
    print(f"external evaluation: {counts['person']} person and {counts['no_person']} no-person windows ({set_dir})")
    print("\n".join(external_evaluation.table(results)))
    if OUT.value:
        cli_path(OUT.value).write_text(json.dumps({"windows": counts, "results": results}, indent=2) + "\n")


if __name__ == "__main__":
    app.run(main)
