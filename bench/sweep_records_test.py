"""The model sweep's records: written and read back unchanged, and merged into one table
only when they compare (each row's recipe and dataset as they are now, each candidate once)."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from pathlib import Path

import pytest

from bench import sweep_records
from bench.sweep_candidate import BoardResult, Candidate

RECIPE = sweep_records.Recipe("//training:configs/default.json", "ab" * 32, "//data_tools:default_dataset")
V2_RECIPE = sweep_records.Recipe("//training:configs/mobilenet_v2.json", "ef" * 32, "//data_tools:default_dataset")


def candidate(alpha: str, size: str, int8: float, recipe: sweep_records.Recipe = RECIPE) -> Candidate:
    return Candidate(
        alpha,
        size,
        family="mobilenet_v1" if recipe is RECIPE else "mobilenet_v2",
        recipe=recipe.recipe,
        fp32_accuracy=int8,
        int8_accuracy=int8,
        arena_bytes=300_000,
        commit="abc1234",
        cpu="Some CPU x2",
        boards={"stm32h743": BoardResult("stm32h743", True, 1, 2, 3, 300_000, 524_288)},
    )


def test_a_record_reads_back_as_written(tmp_path: Path) -> None:
    failed = Candidate("0.75", "160x120", recipe=V2_RECIPE.recipe, error="does not fit")
    written = [candidate("0.25", "160x120", 0.75), failed]
    sweep_records.write(tmp_path / "sweep.json", [RECIPE, V2_RECIPE], written, default="v1_a0.25_160x120")
    read = sweep_records.read(tmp_path / "sweep.json")
    assert read == [(RECIPE, written[0]), (V2_RECIPE, failed)]
    assert read[0][1].boards["stm32h743"].fits(0.10), "board results come back as BoardResult"
    with pytest.raises(ValueError, match="name no recipe of the record"):
        sweep_records.write(tmp_path / "bad.json", [RECIPE], written)


def test_a_record_of_the_first_format_is_a_mobilenet_v2_row_of_its_recipe(tmp_path: Path) -> None:
    fields = {"alpha": "0.5", "input": "160x120", "int8_accuracy": 0.8, "boards": {}}
    old = {"format": "tinyml-model-sweep/1", "candidates": [fields]} | dataclasses.asdict(V2_RECIPE)
    (tmp_path / "a0.5_160x120.json").write_text(json.dumps(old))
    ((recipe, row),) = sweep_records.read(tmp_path / "a0.5_160x120.json")
    assert recipe == V2_RECIPE and (row.name, row.recipe) == ("v2_a0.5_160x120", V2_RECIPE.recipe)


def test_merge_orders_by_family_width_then_pixels_and_prefers_what_was_measured_now(tmp_path: Path) -> None:
    earlier = [candidate("0.5", "160x120", 0.70, V2_RECIPE), candidate("0.35", "96x96", 0.60, V2_RECIPE)]
    sweep_records.write(tmp_path / "earlier.json", [V2_RECIPE], earlier)
    sweep_records.write(tmp_path / "v1.json", [RECIPE], [candidate("0.25", "96x96", 0.9)])
    remeasured = candidate("0.5", "160x120", 0.72, V2_RECIPE)
    measured = [remeasured, candidate("0.35", "160x120", 0.65, V2_RECIPE)]
    merged = sweep_records.merge(measured, sweep_records.included([RECIPE, V2_RECIPE], [tmp_path]))
    names = ["v1_a0.25_96x96", "v2_a0.35_96x96", "v2_a0.35_160x120", "v2_a0.5_160x120"]
    assert [c.name for c in merged] == names
    assert merged[3] is remeasured


def test_a_candidate_recorded_twice_is_an_error_naming_both_files(tmp_path: Path) -> None:
    for name in ("one.json", "two.json"):
        sweep_records.write(tmp_path / name, [RECIPE], [candidate("0.25", "96x96", 0.6)])
    with pytest.raises(ValueError, match=r"v1_a0\.25_96x96 is recorded twice, in .*one\.json and .*two\.json"):
        sweep_records.included([RECIPE], [tmp_path / "one.json", tmp_path / "two.json"])


def test_rows_of_another_recipe_are_refused(tmp_path: Path) -> None:
    changed = sweep_records.Recipe(RECIPE.recipe, "cd" * 32, RECIPE.dataset)
    sweep_records.write(tmp_path / "old.json", [changed], [candidate("0.25", "96x96", 0.6)])
    with pytest.raises(ValueError, match=r"old\.json: v1_a0\.25_96x96 was measured with recipe .* do not compare"):
        sweep_records.included([RECIPE, V2_RECIPE], [tmp_path / "old.json"])


def test_recipe_hash_follows_what_the_candidates_share(tmp_path: Path) -> None:
    (tmp_path / "training/configs").mkdir(parents=True)
    config = tmp_path / "training/configs/default.json"

    def recipe(content: str) -> sweep_records.Recipe:
        config.write_text(content)
        return sweep_records.recipe_of("//training:configs/default.json", "//d:d", tmp_path)

    first = recipe('{"alpha": 0.35, "image_width": 160, "seed": 1}')
    assert recipe('{"seed": 1, "alpha": 0.5, "image_width": 96}') == first, "swept fields and key order do not count"
    assert recipe('{"alpha": 0.35, "image_width": 160, "seed": 2}') != first
    assert recipe("not json").recipe_sha256 == hashlib.sha256(b"not json").hexdigest()
    assert sweep_records.recipe_of("//training:generated", "//d:d", tmp_path).recipe_sha256 is None


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json", "not a readable model-sweep record"),
        (json.dumps({"candidates": []}), "not a model-sweep record"),
        (json.dumps({"format": sweep_records.FORMAT, "candidates": []}), "without the field 'recipes'"),
    ],
)
def test_what_is_not_a_record_is_named(tmp_path: Path, content: str, message: str) -> None:
    (tmp_path / "bad.json").write_text(content)
    with pytest.raises(ValueError, match=message):
        sweep_records.included([RECIPE], [tmp_path / "bad.json"])


def test_missing_paths_and_empty_directories_are_errors(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="no such record file or directory"):
        sweep_records.record_files([tmp_path / "absent.json"])
    with pytest.raises(ValueError, match=r"a directory with no record \(\*\.json\)"):
        sweep_records.record_files([tmp_path])


def test_the_swept_fields_are_those_the_sweep_rule_overrides() -> None:
    # The rule (Starlark) sets these per candidate; the recipe hash must leave out exactly them.
    rule = Path("bench/sweep/defs.bzl").read_text()
    overrides = re.search(r"overrides = \[(.*)\]", rule)
    assert overrides, "bench/sweep/defs.bzl: no `overrides = [...]` line"
    assert set(re.findall(r'"(\w+)=', overrides.group(1))) == set(sweep_records.SWEPT_FIELDS)


if __name__ == "__main__":
    raise SystemExit(pytest.main([__file__, "-q", "-p", "no:cacheprovider"]))
