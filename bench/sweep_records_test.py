"""The model sweep's records: written and read back unchanged, and merged into one table
only when they compare (same recipe and dataset, each candidate once)."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest

from bench import sweep_records
from bench.sweep_candidate import BoardResult, Candidate

RECIPE = sweep_records.Recipe("//training:configs/default.json", "ab" * 32, "//data_tools:default_dataset")


def candidate(alpha: str, size: str, int8: float) -> Candidate:
    return Candidate(
        alpha,
        size,
        fp32_accuracy=int8,
        int8_accuracy=int8,
        arena_bytes=300_000,
        commit="abc1234",
        cpu="Some CPU x2",
        boards={"stm32h743": BoardResult("stm32h743", True, 1, 2, 3, 300_000, 524_288)},
    )


def test_a_record_reads_back_as_written(tmp_path: Path) -> None:
    written = [candidate("0.5", "160x120", 0.75), Candidate("0.75", "160x120", error="does not fit")]
    sweep_records.write(tmp_path / "sweep.json", RECIPE, written, default="a0.5_160x120")
    recipe, read = sweep_records.read(tmp_path / "sweep.json")
    assert recipe == RECIPE and read == written
    assert read[0].boards["stm32h743"].fits(0.10), "board results come back as BoardResult"


def test_merge_orders_by_width_then_pixels_and_prefers_what_was_measured_now(tmp_path: Path) -> None:
    sweep_records.write(
        tmp_path / "earlier.json", RECIPE, [candidate("0.5", "160x120", 0.70), candidate("0.35", "96x96", 0.60)]
    )
    remeasured = candidate("0.5", "160x120", 0.72)
    measured = [remeasured, candidate("0.35", "160x120", 0.65)]
    merged = sweep_records.merge(measured, sweep_records.included(RECIPE, [tmp_path]))
    assert [c.name for c in merged] == ["a0.35_96x96", "a0.35_160x120", "a0.5_160x120"]
    assert merged[2] is remeasured


def test_a_candidate_recorded_twice_is_an_error_naming_both_files(tmp_path: Path) -> None:
    for name in ("one.json", "two.json"):
        sweep_records.write(tmp_path / name, RECIPE, [candidate("0.5", "96x96", 0.6)])
    with pytest.raises(ValueError, match=r"a0\.5_96x96 is recorded twice, in .*one\.json and .*two\.json"):
        sweep_records.included(RECIPE, [tmp_path / "one.json", tmp_path / "two.json"])


def test_rows_of_another_recipe_are_refused(tmp_path: Path) -> None:
    changed = sweep_records.Recipe(RECIPE.recipe, "cd" * 32, RECIPE.dataset)
    sweep_records.write(tmp_path / "old.json", changed, [candidate("0.5", "96x96", 0.6)])
    with pytest.raises(ValueError, match=r"old\.json: measured with recipe .* do not compare"):
        sweep_records.included(RECIPE, [tmp_path / "old.json"])


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
        (json.dumps({"format": sweep_records.FORMAT, "recipe": "//r"}), "without the field 'recipe_sha256'"),
    ],
)
def test_what_is_not_a_record_is_named(tmp_path: Path, content: str, message: str) -> None:
    (tmp_path / "bad.json").write_text(content)
    with pytest.raises(ValueError, match=message):
        sweep_records.included(RECIPE, [tmp_path / "bad.json"])


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
