"""How the calibration set moves INT8 accuracy: one trained model converted with several
calibration sets (a size and a seed each; 0 images: the whole train split, as the
quantizer does by default), each run on the test split in TFLM against the FP32 model.

    bazel run //bench:calibration -- --model=$PWD/run/model.keras \\
        --data=$PWD/bazel-bin/data_tools/default_dataset --sets=200:1234,200:1,1000:1234,0

Prints a Markdown table (and writes it with --out): images, seed, INT8 accuracy, its
distance from FP32 in points, FP32/INT8 prediction agreement, conversion seconds.
"""

from __future__ import annotations

import dataclasses
import sys
import time
from pathlib import Path

import numpy as np
from absl import app, flags
from tqdm import tqdm

from quantization import convert, evaluate_int8
from tools.cli import cli_path
from training import data

MODEL = flags.DEFINE_string("model", None, "The trained .keras model.", required=True)
DATA = flags.DEFINE_string("data", None, "The prepared dataset it was trained on.", required=True)
SETS = flags.DEFINE_list("sets", ["200:1234", "0"], "Calibration sets, IMAGES:SEED (IMAGES 0: the whole train split).")
OUT = flags.DEFINE_string("out", None, "Also write the Markdown table here.")


@dataclasses.dataclass(frozen=True)
class CalibrationSet:
    images: int  # 0: the whole train split
    seed: int


@dataclasses.dataclass(frozen=True)
class Result:
    calibration: CalibrationSet
    used: int
    int8_accuracy: float
    delta_pp: float
    agreement: float
    seconds: float


def parse_set(value: str) -> CalibrationSet:
    images, _, seed = value.strip().partition(":")
    try:
        parsed = CalibrationSet(int(images), int(seed or 1234))
    except ValueError:
        raise ValueError(f"calibration set {value!r} is not IMAGES[:SEED] (for example 200:1234, or 0)") from None
    if parsed.images < 0:
        raise ValueError(f"calibration set {value!r}: a negative number of images")
    return parsed


def measure(model_path: Path, data_dir: Path, sets: list[CalibrationSet]) -> tuple[float, list[Result]]:
    """FP32 test accuracy, and each calibration set's INT8 result in TFLM."""
    model = convert.load_model(model_path)
    height, width = model.input_shape[1:3]
    train = data.load_split(data_dir, "train", width, height)
    test = data.load_split(data_dir, "test", width, height)
    fp32 = model.predict(test.images.astype("float32"), verbose=0).argmax(axis=1)
    fp32_accuracy = float(np.mean(fp32 == test.labels))
    results = []
    for calibration in tqdm(sets, desc="calibration sets", unit="set"):
        start = time.monotonic()
        chosen, trimmed = convert.firmware_model(model, train.images, calibration.images, calibration.seed)
        seconds = time.monotonic() - start
        int8 = evaluate_int8.run_tflm(trimmed.flatbuffer, test.images).argmax(axis=1)
        accuracy, agreement = float(np.mean(int8 == test.labels)), float(np.mean(int8 == fp32))
        delta_pp = (accuracy - fp32_accuracy) * 100
        results.append(Result(calibration, len(chosen), accuracy, delta_pp, agreement, seconds))
    return fp32_accuracy, results


def markdown(fp32_accuracy: float, results: list[Result]) -> str:
    lines = [
        f"FP32 test accuracy {fp32_accuracy:.4f}.",
        "",
        "| images | seed | INT8 acc (TFLM) | Δ pp | FP32/INT8 agreement | conversion s |",
        "|---|---|---|---|---|---|",
    ]
    for r in results:
        seed = "—" if r.calibration.images == 0 else str(r.calibration.seed)
        lines.append(
            f"| {r.used} | {seed} | {r.int8_accuracy:.4f} | {r.delta_pp:+.2f} | {r.agreement:.2%} | {r.seconds:.0f} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> None:
    del argv
    try:
        sets = [parse_set(value) for value in SETS.value]
        fp32_accuracy, results = measure(cli_path(MODEL.value), cli_path(DATA.value), sets)
    except ValueError as error:  # ConversionError and DatasetError among them
        print(f"calibration: error: {error}", file=sys.stderr)
        sys.exit(1)
    table = markdown(fp32_accuracy, results)
    print(table)
    if OUT.value:
        cli_path(OUT.value).write_text(table)


if __name__ == "__main__":
    app.run(main)
