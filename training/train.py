"""Trains the person detector on a prepared dataset and writes the FP32 baseline.

    bazel run //training:train -- --data=DIR --out=DIR [--config=FILE.json|yaml] [--set key=value ...]
        [--teacher=person_detect.tflite]

See trainer.py for the phases and the outputs.
"""

from __future__ import annotations

import dataclasses
import json
import sys

from absl import app, flags

from tools.cli import cli_path
from training import config as config_module
from training import data, model, teacher
from training.trainer import train

DATA = flags.DEFINE_string("data", None, "Prepared dataset (//data_tools:prepare layout).")
OUT = flags.DEFINE_string("out", None, "Output directory.")
CONFIG = flags.DEFINE_string("config", None, "Config file (JSON or YAML); defaults for anything missing.")
SET = flags.DEFINE_multi_string("set", [], "Config override KEY=VALUE (VALUE as JSON), e.g. --set phase1_epochs=3.")
WEIGHTS = flags.DEFINE_string("weights", None, "ImageNet MobileNetV2 weights file (overrides the config).")
TEACHER = flags.DEFINE_string(
    "teacher",
    None,
    "The teacher model, TFLM's person_detect.tflite, for init_from_teacher and distillation_weight > 0.",
)


def main(argv: list[str]) -> None:
    del argv
    if not DATA.value or not OUT.value:
        raise app.UsageError("--data and --out are required")
    try:
        overrides = list(SET.value) + ([f"weights={json.dumps(WEIGHTS.value)}"] if WEIGHTS.value else [])
        config = config_module.load(cli_path(CONFIG.value) if CONFIG.value else None, overrides)
        if config.weights:
            config = dataclasses.replace(config, weights=str(cli_path(config.weights)))
        teacher_path = cli_path(TEACHER.value) if TEACHER.value else None
        train(config, cli_path(DATA.value), cli_path(OUT.value), teacher=teacher_path)
    except (config_module.ConfigError, data.DatasetError, model.WeightsError, teacher.TeacherError) as error:
        print(f"train: error: {error}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    app.run(main)
