"""The detector image under QEMU on a whole dataset split: accuracy on the device, agreement
with the host TFLM, exact instructions per inference, and memory against the board.

    bazel run //bench:device                     # the default image, whole test split
    bazel run //bench:device_tiny -- --limit=4   # the tests' tiny image, 4 frames a class

Prints a Markdown report (and writes it with --out) for BENCHMARKS.md.
"""

from __future__ import annotations

import os

from absl import app, flags

from bench.device_benchmark import benchmark
from tools.cli import cli_path

ELF = flags.DEFINE_string("elf", None, "The detector image (ELF).", required=True)
SIZE_REPORT = flags.DEFINE_string("size_report", None, "The image's NAME.size.json.", required=True)
CODEGEN_REPORT = flags.DEFINE_string("codegen_report", None, "The embedded model's codegen_report.json.", required=True)
MODEL = flags.DEFINE_string("model", None, "The embedded .tflite (the host reference runs it).", required=True)
DATASET = flags.DEFINE_string("dataset", None, "The prepared dataset the model was trained on.", required=True)
PLUGIN = flags.DEFINE_string("plugin", None, "The instruction-counting QEMU plugin.", required=True)
DEVICE_RUNNER = flags.DEFINE_string("device_runner", None, "//firmware/tflm:device_runner ELF (device arena).")
SPLIT = flags.DEFINE_string("split", "test", "Dataset split to run.")
LIMIT = flags.DEFINE_integer("limit", None, "At most this many frames of each class.")
JOBS = flags.DEFINE_integer("jobs", os.cpu_count() or 1, "QEMU processes in parallel.")
OUT = flags.DEFINE_string("out", None, "Also write the Markdown report here.")


def main(argv: list[str]) -> None:
    del argv
    text, _ = benchmark(
        cli_path(ELF.value),
        cli_path(SIZE_REPORT.value),
        cli_path(CODEGEN_REPORT.value),
        cli_path(MODEL.value),
        cli_path(DATASET.value),
        cli_path(PLUGIN.value),
        cli_path(DEVICE_RUNNER.value) if DEVICE_RUNNER.value else None,
        SPLIT.value,
        LIMIT.value,
        JOBS.value,
    )
    print(text)
    if OUT.value:
        cli_path(OUT.value).write_text(text)


if __name__ == "__main__":
    app.run(main)
