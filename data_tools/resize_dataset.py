"""Resizes a prepared dataset for a model of another input size (see resize.py).

    bazel run //data_tools:resize_dataset -- --src=DIR --out=DIR --width=96 --height=96

See resize.py for what is kept and checked.
"""

from __future__ import annotations

import sys

from absl import app, flags

from data_tools import transform
from data_tools.resize import ResizeError, resize_dataset
from tools.cli import cli_path

SRC = flags.DEFINE_string("src", None, "A dataset written by //data_tools:prepare.", required=True)
OUT = flags.DEFINE_string("out", None, "Output directory (absent or empty).", required=True)
WIDTH = flags.DEFINE_integer("width", None, "Image width in pixels.", required=True, lower_bound=16)
HEIGHT = flags.DEFINE_integer("height", None, "Image height in pixels.", required=True, lower_bound=16)
RESIZE = flags.DEFINE_enum("resize_policy", "crop", list(transform.POLICIES), "Fill and cut the centre, or pad.")


def main(argv: list[str]) -> None:
    del argv
    try:
        manifest = resize_dataset(cli_path(SRC.value), cli_path(OUT.value), WIDTH.value, HEIGHT.value, RESIZE.value)
    except ResizeError as error:
        sys.exit(f"resize_dataset: {error}")
    print(f"resize_dataset: {len(manifest['kept'])} images at {WIDTH.value}x{HEIGHT.value} in {OUT.value}")


if __name__ == "__main__":
    app.run(main)
