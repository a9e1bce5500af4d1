"""The default recipe's family, width and input are the sweep's choice, read from the
committed records (bench/results/model_sweep): the candidate of the whole grid with the
highest AUC on the external evaluation that fits the STM32H743 with 10% headroom, every
row measured with its family's recipe as it is now."""

from __future__ import annotations

import json
from pathlib import Path

from bench import model_sweep, sweep_records
from bench.sweep_candidate import Candidate, parse_input

RECORDS = Path("bench/results/model_sweep")


def recorded() -> list[Candidate]:
    # Raises, naming the record, when a row was measured with another recipe or dataset.
    recipes = [sweep_records.recipe_of(recipe, model_sweep.DATASET, Path()) for recipe in model_sweep.GRID]
    return sweep_records.included(recipes, [RECORDS])


def test_the_records_cover_the_whole_grid_without_errors() -> None:
    candidates = recorded()
    grid = {
        Candidate(alpha, size, family=model_sweep.family_of(recipe, Path())).name
        for recipe, pairs in model_sweep.GRID.items()
        for alpha, size in pairs
    }
    assert {c.name for c in candidates} == grid, "measure the missing candidates: bazel run //bench:model_sweep"
    assert [c.name for c in candidates if c.error is not None] == []
    assert all(c.host_agreement == 1.0 for c in candidates), "QEMU and the host TFLM disagreed on a record"


def test_the_default_recipe_is_the_records_choice() -> None:
    chosen = model_sweep.choose_default(recorded(), model_sweep.HEADROOM)
    assert chosen is not None, "no recorded candidate fits the STM32H743 with the headroom"
    assert chosen.recipe == model_sweep.RECIPE, (
        f"the records choose {chosen.title}, a row of {chosen.recipe}: make that recipe training/configs/default.json"
    )
    config = json.loads(sweep_records.source_path(model_sweep.RECIPE, Path()).read_text())
    width, height = parse_input(chosen.input)
    assert (config["alpha"], config["image_width"], config["image_height"]) == (float(chosen.alpha), width, height), (
        f"the records choose {chosen.title}: set its width and input in training/configs/default.json"
    )
