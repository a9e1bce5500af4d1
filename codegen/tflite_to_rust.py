"""Embeds a .tflite in a Rust module (what the tflite_rust_module rule runs).

    tflite_to_rust --model=M.tflite --description=D.json --out_rs=lib.rs --out_report=R.json
        [--memory_x=toolchains/boards/BOARD/memory.x] [--class_names=no_person,person]
        [--input_range=0,255]

D.json is `host_runner --describe` of the same model: the measured arena and what it holds,
operators and tensors; beside it, channel_constants.bin, the table the module embeds. With
--memory_x, a model that cannot fit the board fails here, before any firmware is compiled,
with the board's limit and the model's need.
"""

from __future__ import annotations

import hashlib
import json
import math
import sys
from pathlib import Path

from absl import app, flags

from codegen import board_limits, rust_module

MODEL = flags.DEFINE_string("model", None, "The .tflite to embed.", required=True)
DESCRIPTION = flags.DEFINE_string("description", None, "host_runner --describe JSON of the model.", required=True)
OUT_RS = flags.DEFINE_string("out_rs", None, "Where to write the Rust module.", required=True)
OUT_REPORT = flags.DEFINE_string("out_report", None, "Where to write the JSON report.", required=True)
MEMORY_X = flags.DEFINE_string("memory_x", None, "The board's memory.x; omitted for host builds.")
CLASS_NAMES = flags.DEFINE_list("class_names", ["no_person", "person"], "Output classes, in score order.")
INPUT_RANGE = flags.DEFINE_list(
    "input_range",
    ["0", "255"],
    "The real input values the model was trained to see for pixel 0 and pixel 255 (default: raw pixels, "
    "for models that rescale inside the graph, as //quantization's do).",
)
LABEL = flags.DEFINE_string("label", "", "The model's Bazel label, for comments and messages.")


def parse_input_range(values: list[str]) -> tuple[float, float]:
    try:
        low, high = (float(value) for value in values)
    except ValueError:
        raise rust_module.InputConventionError(
            f"input_range must be two numbers, the real values of pixel 0 and pixel 255; got {values}"
        ) from None
    if not (math.isfinite(low) and math.isfinite(high)) or low == high:
        raise rust_module.InputConventionError(
            f"input_range {values} must be two different finite numbers, the real values of pixel 0 and pixel 255"
        )
    return low, high


def embed(
    model: Path,
    description_file: Path,
    memory_x: Path | None,
    class_names: list[str],
    label: str,
    input_range: tuple[float, float] = rust_module.RAW_PIXELS,
) -> tuple[str, dict]:
    """The module's text and a report; raises BoardLimitError, ModelShapeError or
    InputConventionError."""
    from quantization.report import macs  # TensorFlow's flatbuffer reader: imported only when needed.

    data = model.read_bytes()
    description = json.loads(description_file.read_text())
    arena_bytes = rust_module.round_up(description["minimum_arena_bytes"])
    embedding = rust_module.Embedding(
        source_label=label or model.name,
        model_file=model.name,
        model_bytes=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        macs=macs(data),
        arena_bytes=arena_bytes,
        description=description,
        class_names=tuple(class_names),
        input_range=input_range,
    )
    text = rust_module.render(embedding)
    report: dict[str, object] = {
        "model": label,
        "model_bytes": embedding.model_bytes,
        "sha256": embedding.sha256,
        "macs": embedding.macs,
        "arena_bytes": arena_bytes,
        "host_minimum_arena_bytes": description["minimum_arena_bytes"],
        # Host-measured (pointer_bytes wide): activations plus each overhead, and what the
        # channel constants in flash spare the arena.
        "host_arena": description["arena"],
        "host_minimum_arena_bytes_without_table": description["minimum_arena_bytes_without_table"],
        "channel_constants_bytes": description["channel_constants_bytes"],
        "pointer_bytes": description["pointer_bytes"],
        "operators": [op["name"] for op in description["operators"]],
        "input": description["inputs"][0],
        "output": description["outputs"][0],
        "class_names": list(class_names),
        "person_index": rust_module.person_index(tuple(class_names)),
        "input_range": list(input_range),
        # What the firmware writes into the input tensor for each pixel value (signed for
        # int8): references feed the host TFLM the same.
        "pixel_to_input": rust_module.pixel_values(rust_module.input_quantization(description), input_range),
        "board": None,
    }
    if memory_x is not None:
        # The firmware's frames go straight into the input tensor: the arena is all it places
        # in the board's ARENA region.
        report["board"] = board_limits.check(
            memory_x, len(data) + description["channel_constants_bytes"], arena_bytes
        ).as_dict()
    return text, report


def main(argv: list[str]) -> None:
    del argv
    memory_x = Path(MEMORY_X.value) if MEMORY_X.value else None
    try:
        text, report = embed(
            Path(MODEL.value),
            Path(DESCRIPTION.value),
            memory_x,
            CLASS_NAMES.value,
            LABEL.value,
            parse_input_range(INPUT_RANGE.value),
        )
    except (board_limits.BoardLimitError, rust_module.ModelShapeError, rust_module.InputConventionError) as error:
        sys.exit(f"{LABEL.value or MODEL.value}: {error}")
    Path(OUT_RS.value).write_text(text)
    Path(OUT_REPORT.value).write_text(json.dumps(report, indent=2, sort_keys=True) + "\n")


if __name__ == "__main__":
    app.run(main)
