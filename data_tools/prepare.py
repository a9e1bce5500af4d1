"""Prepares a person / no-person dataset from folders of raw images.

    bazel run //data_tools:prepare -- --src=DIR [--src=DIR ...] --out=DIR [options]

See data_tools/README.md for the layout it reads and writes, and pipeline.py for the steps.
"""

from __future__ import annotations

import sys

from absl import app, flags
from tqdm import tqdm

from data_tools import balance, decode, duplicates, labels, pipeline, sources, split, transform
from data_tools.manifest import Manifest
from tools.cli import cli_path

SRC = flags.DEFINE_multi_string("src", [], "Source directory: <label>/ folders, or labels.csv (path,label[,group]).")
OUT = flags.DEFINE_string("out", None, "Output directory (must be empty, or use --overwrite).")
LABEL_ALIAS = flags.DEFINE_multi_string("label_alias", [], "Extra folder/CSV label name: NAME=person|no_person.")
RESIZE = flags.DEFINE_enum("resize_policy", "crop", list(transform.POLICIES), "Fill and cut the centre, or pad.")
BALANCE = flags.DEFINE_enum("balance", "undersample", list(balance.POLICIES), "Class balancing policy.")
TEST_FRACTION = flags.DEFINE_float("test_fraction", 0.15, "Share of each class carved first into test/.")
VAL_FRACTION = flags.DEFINE_float("val_fraction", 0.15, "Share of the remaining (training) items put in val/.")
DISTANCE = flags.DEFINE_integer("near_duplicate_distance", duplicates.DEFAULT_DISTANCE, "dHash bits (of 64).")
SEED = flags.DEFINE_integer("seed", 1234, "Seed for balancing and splitting.")
MAX_BYTES = flags.DEFINE_integer("max_file_bytes", decode.Limits.max_file_bytes, "Larger files are rejected.")
MAX_PIXELS = flags.DEFINE_integer("max_pixels", decode.Limits.max_pixels, "Larger images are rejected (bombs).")
OVERWRITE = flags.DEFINE_bool("overwrite", False, "Replace a dataset this tool wrote earlier in --out.")
QUIET = flags.DEFINE_bool("quiet", False, "No progress bar (build actions).")


def summary(manifest: Manifest) -> str:
    totals = manifest.totals()
    per_split = totals["kept_by_split"]
    assert isinstance(per_split, dict)
    rows = ["split   " + "".join(f"{label:>12}" for label in labels.CLASSES) + f"{'total':>10}"]
    for split_name in split.SPLITS:
        counts = [per_split.get(f"{split_name}/{label}", 0) for label in labels.CLASSES]
        rows.append(f"{split_name:<8}" + "".join(f"{count:>12}" for count in counts) + f"{sum(counts):>10}")
    counts = totals["balance"]
    assert isinstance(counts, dict)
    rows.append(
        "balance ({}): ".format(manifest.settings["balance_policy"])
        + ", ".join(f"{label} {counts['before'][label]} -> {counts['after'][label]}" for label in labels.CLASSES)
    )
    rows.append(
        f"seen {totals['seen']} = kept {totals['kept']} + duplicates {totals['duplicates']}"
        f" + rejected {totals['rejected']}"
    )
    return "\n".join(rows)


def main(argv: list[str]) -> None:
    del argv
    if not OUT.value:
        raise app.UsageError("--out is required")
    try:
        options = pipeline.Options(
            sources=[cli_path(src) for src in SRC.value],
            out=cli_path(OUT.value),
            aliases=labels.parse_aliases(LABEL_ALIAS.value),
            resize_policy=RESIZE.value,
            balance_policy=BALANCE.value,
            test_fraction=TEST_FRACTION.value,
            val_fraction=VAL_FRACTION.value,
            near_duplicate_distance=DISTANCE.value,
            seed=SEED.value,
            limits=decode.Limits(MAX_BYTES.value, MAX_PIXELS.value),
            overwrite=OVERWRITE.value,
        )
        bar = (lambda items: items) if QUIET.value else (lambda items: tqdm(items, desc="decoding", unit="image"))
        manifest = pipeline.prepare(options, progress=bar)
    except (sources.SourceError, labels.LabelError, pipeline.OutputError, ValueError) as error:
        print(f"prepare: error: {error}", file=sys.stderr)
        sys.exit(1)
    print(summary(manifest))


if __name__ == "__main__":
    app.run(main)
