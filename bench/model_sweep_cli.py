"""Runs the model sweep (model_sweep.py) and prints its table.

    bazel run //bench:model_sweep        # every recipe of model_sweep.GRID, its widths and inputs
    bazel run //bench:model_sweep -- --recipe=//training:configs/mobilenet_v2.json --widths=0.5 --inputs=160x120

--recipe with --widths and --inputs measures that recipe's widths x inputs instead; see
model_sweep.py for what it measures. A sweep can run in parts: --include adds the
candidates of earlier runs' records (sweep.json, <out>/<candidate>/candidate.json, or a
directory of them) to the table, and with nothing to measure it only reports:

    bazel run //bench:model_sweep -- --recipe=//training:configs/default.json --widths= --inputs= \
        --include=bench/results/model_sweep
"""

from __future__ import annotations

from pathlib import Path

from absl import app, flags

from bench.model_sweep import DATASET as DEFAULT_DATASET
from bench.model_sweep import GRID
from bench.model_sweep import HEADROOM as DEFAULT_HEADROOM
from bench.model_sweep import sweep
from tools.cli import cli_path

RECIPE = flags.DEFINE_string("recipe", None, "Training config (a label) to measure --widths x --inputs with.")
WIDTHS = flags.DEFINE_list("widths", [], "Width multipliers (alpha), with --recipe.")
INPUTS = flags.DEFINE_list("inputs", [], "Input sizes, WIDTHxHEIGHT, with --recipe.")
DATASET = flags.DEFINE_string("dataset", DEFAULT_DATASET, "Prepared dataset (160x120).")
FRAMES = flags.DEFINE_integer("frames_per_class", 2, "Test frames of each class run under QEMU.", lower_bound=1)
HEADROOM = flags.DEFINE_float("headroom", DEFAULT_HEADROOM, "Share of the real board's arena RAM left free.")
OUT = flags.DEFINE_string(
    "out", "~/.cache/tinyml-sweep/results", "Directory for sweep.md, sweep.png, sweep.json and per-candidate reports."
)
OUTPUT_BASE = flags.DEFINE_string(
    "output_base", "~/.cache/tinyml-sweep/output_base", "Output base of the nested builds (kept: reruns are cheap)."
)
DISK_CACHE = flags.DEFINE_string(
    "disk_cache", "~/.cache/tinyml-sweep/disk_cache", "Bazel disk cache: a candidate built before is not retrained."
)
INCLUDE = flags.DEFINE_list(
    "include", [], "Records of earlier runs (files, or directories of *.json) whose candidates join the table."
)
BAZEL_ARGS = flags.DEFINE_multi_string("bazel_arg", [], "Extra argument for the nested builds (e.g. --config=...).")
PLUGIN = flags.DEFINE_string("plugin", None, "The instruction-counting QEMU plugin (set by the BUILD file).")


def main(argv: list[str]) -> None:
    del argv
    if PLUGIN.value is None:
        raise app.UsageError("--plugin is required (the BUILD file sets it)")
    out = cli_path(OUT.value)
    if RECIPE.value is None:
        if WIDTHS.value or INPUTS.value:
            raise app.UsageError("--widths and --inputs need --recipe (the training config they apply to)")
        grid = [(recipe, alpha, size) for recipe, pairs in GRID.items() for alpha, size in pairs]
    else:
        grid = [(RECIPE.value, alpha.strip(), size.strip()) for alpha in WIDTHS.value for size in INPUTS.value]
    try:
        _, chosen = sweep(
            grid,
            out,
            DATASET.value,
            Path(PLUGIN.value).resolve(),
            Path(OUTPUT_BASE.value).expanduser(),
            Path(DISK_CACHE.value).expanduser() if DISK_CACHE.value else None,
            FRAMES.value,
            HEADROOM.value,
            BAZEL_ARGS.value,
            [cli_path(path) for path in INCLUDE.value],
        )
    except ValueError as error:
        raise app.UsageError(str(error)) from error
    print((out / "sweep.md").read_text())
    print(f"written: {out / 'sweep.md'}, {out / 'sweep.png'}, {out / 'sweep.json'}")
    if chosen is None:
        raise SystemExit(1)


if __name__ == "__main__":
    app.run(main)
