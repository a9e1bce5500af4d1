"""The default recipe's width and input are the sweep's choice, read from the committed
records (bench/results/model_sweep): the most accurate candidate of the whole grid that
fits the STM32H743 with 10% headroom, every row measured with the current recipe."""

from __future__ import annotations

import json
from pathlib import Path

from bench import model_sweep, sweep_records
from bench.sweep_candidate import Candidate, parse_input

RECORDS = Path("bench/results/model_sweep")


def recorded() -> list[Candidate]:
    # Raises, naming the record, when a row was measured with another recipe or dataset.
    return sweep_records.included(sweep_records.recipe_of(model_sweep.RECIPE, model_sweep.DATASET, Path()), [RECORDS])


def test_the_records_cover_the_whole_grid_without_errors() -> None:
    candidates = recorded()
    grid = {f"a{alpha}_{size}" for alpha in model_sweep.WIDTHS for size in model_sweep.INPUTS}
    assert {c.name for c in candidates} == grid, "measure the missing candidates: bazel run //bench:model_sweep"
    assert [c.name for c in candidates if c.error is not None] == []
    assert all(c.host_agreement == 1.0 for c in candidates), "QEMU and the host TFLM disagreed on a record"


def test_the_default_recipe_is_the_records_choice() -> None:
    chosen = model_sweep.choose_default(recorded(), model_sweep.HEADROOM)
    assert chosen is not None, "no recorded candidate fits the STM32H743 with the headroom"
    config = json.loads(sweep_records.source_path(model_sweep.RECIPE, Path()).read_text())
    width, height = parse_input(chosen.input)
    assert (config["alpha"], config["image_width"], config["image_height"]) == (float(chosen.alpha), width, height), (
        f"the records choose alpha {chosen.alpha} at {chosen.input}: set them in training/configs/default.json"
    )
