"""The model sweep's records: one JSON file holds the candidates one run measured, with
what they were measured with, so that runs in parts (a candidate takes up to an hour of
training on a small CPU) can be put in one table later.

A record is {"format", "recipes": [{"recipe", "recipe_sha256", "dataset"}, ...],
"candidates": [...]}, each candidate naming its recipe (the families have one each); the
sweep writes one per candidate as soon as it is measured (<out>/<candidate>/candidate.json)
and one for the whole run (<out>/sweep.json, which also names the default). Records of
the first format (one recipe for all, MobileNetV2 only) are still read.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import platform
import re
import subprocess
from pathlib import Path
from typing import Any

from bench.sweep_candidate import BoardResult, Candidate, parse_input

FORMAT = "tinyml-model-sweep/2"
_FIRST_FORMAT = "tinyml-model-sweep/1"


@dataclasses.dataclass(frozen=True)
class Recipe:
    """What every candidate of one table must share: rows trained on another recipe or
    dataset do not compare."""

    recipe: str
    recipe_sha256: str | None
    dataset: str


# Set per candidate by the sweep (bench/sweep/defs.bzl overrides them; sweep_records_test
# keeps the two in step), so not part of what the candidates share.
SWEPT_FIELDS = ("alpha", "image_width", "image_height")


def source_path(label: str, workspace: Path) -> Path:
    """Where a source file's label (//package:file) points in the workspace."""
    return workspace / label.removeprefix("//").replace(":", "/")


def recipe_of(recipe: str, dataset: str, workspace: Path) -> Recipe:
    """The recipe label, with a hash of its file when it is a source file: of its JSON less
    the swept fields (choosing another default width leaves the rows comparable), or of
    its bytes when it is not a JSON object."""
    path = source_path(recipe, workspace)
    if not path.is_file():
        return Recipe(recipe, None, dataset)
    content = path.read_bytes()
    try:
        fields = json.loads(content)
    except (UnicodeDecodeError, json.JSONDecodeError):
        fields = None
    if isinstance(fields, dict):
        shared = {key: value for key, value in fields.items() if key not in SWEPT_FIELDS}
        content = json.dumps(shared, sort_keys=True).encode()
    return Recipe(recipe, hashlib.sha256(content).hexdigest(), dataset)


def provenance(workspace: Path) -> tuple[str | None, str]:
    """The commit the candidate was measured at ("+changes" when the tree had some) and the CPU:
    training time and, through oneDNN's kernels, the trained bytes depend on it."""
    try:
        commit = subprocess.run(
            ["git", "-C", str(workspace), "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(workspace), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        commit += "+changes" if dirty else ""
    except (OSError, subprocess.CalledProcessError):
        commit = None
    return commit, cpu_name()


def cpu_name() -> str:
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return platform.processor() or platform.machine()
    names = re.findall(r"^model name\s*:\s*(.+)$", text, re.MULTILINE)
    if not names:
        return platform.machine()
    # Virtual machines often name only the brand; family and model tell generations apart.
    family = re.search(r"^cpu family\s*:\s*(\d+)$", text, re.MULTILINE)
    model = re.search(r"^model\s*:\s*(\d+)$", text, re.MULTILINE)
    generation = f" (family {family[1]}, model {model[1]})" if family and model else ""
    return f"{names[0].strip()}{generation} x{len(names)}"


def write(path: Path, recipes: list[Recipe], candidates: list[Candidate], **extra: Any) -> None:
    known = {recipe.recipe for recipe in recipes}
    stray = [c.name for c in candidates if c.recipe not in known]
    if stray:
        raise ValueError(f"{path}: candidates {stray} name no recipe of the record")
    record = {
        "format": FORMAT,
        "recipes": [dataclasses.asdict(recipe) for recipe in recipes],
        **extra,
        "candidates": [dataclasses.asdict(c) for c in candidates],
    }
    path.write_text(json.dumps(record, indent=2, sort_keys=True) + "\n")


def _candidate(fields: dict[str, Any]) -> Candidate:
    boards = {name: BoardResult(**board) for name, board in fields.get("boards", {}).items()}
    return Candidate(**{**fields, "boards": boards})


def read(path: Path) -> list[tuple[Recipe, Candidate]]:
    """Each recorded candidate with the recipe it was measured with."""
    try:
        record = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as error:
        raise ValueError(f"{path}: not a readable model-sweep record ({error})") from error
    if not isinstance(record, dict) or record.get("format") not in (FORMAT, _FIRST_FORMAT):
        raise ValueError(f'{path}: not a model-sweep record (its "format" is not {FORMAT!r})')
    try:
        if record["format"] == _FIRST_FORMAT:
            recipe = Recipe(record["recipe"], record["recipe_sha256"], record["dataset"])
            return [(recipe, _candidate({**fields, "recipe": recipe.recipe})) for fields in record["candidates"]]
        recipes = {fields["recipe"]: Recipe(**fields) for fields in record["recipes"]}
        return [(recipes[fields["recipe"]], _candidate(fields)) for fields in record["candidates"]]
    except (KeyError, TypeError) as error:
        raise ValueError(f"{path}: a model-sweep record without the field {error}; was it edited?") from error


def record_files(paths: list[Path]) -> list[Path]:
    """The record files `paths` name: a file as given, a directory's *.json files (sorted)."""
    files = []
    for path in paths:
        if path.is_dir():
            found = sorted(path.glob("*.json"))
            if not found:
                raise ValueError(f"{path}: a directory with no record (*.json) in it")
            files += found
        elif path.is_file():
            files.append(path)
        else:
            raise ValueError(f"{path}: no such record file or directory")
    return files


def included(recipes: list[Recipe], paths: list[Path]) -> list[Candidate]:
    """The candidates recorded in `paths`; a record of a recipe or dataset other than
    `recipes` (each family's recipe as it is now), or a candidate recorded twice, is an error."""
    recorded: dict[str, tuple[Candidate, Path]] = {}
    for path in record_files(paths):
        for theirs, candidate in read(path):
            if theirs not in recipes:
                wanted = ", ".join(f"{r.recipe} (sha256 {r.recipe_sha256}) on {r.dataset}" for r in recipes)
                raise ValueError(
                    f"{path}: {candidate.name} was measured with recipe {theirs.recipe} (sha256 "
                    f"{theirs.recipe_sha256}) on {theirs.dataset}, not {wanted}; its rows do not compare "
                    "with this run's: measure them again"
                )
            if candidate.name in recorded:
                raise ValueError(
                    f"{candidate.name} is recorded twice, in {recorded[candidate.name][1]} and {path}; "
                    "include one of them"
                )
            recorded[candidate.name] = (candidate, path)
    return [candidate for candidate, _ in recorded.values()]


def merge(measured: list[Candidate], recorded: list[Candidate]) -> list[Candidate]:
    """This run's candidates and the recorded ones in one list, in grid order (family,
    width, then input pixels); a candidate measured now replaces its record."""
    by_name = {c.name: c for c in recorded} | {c.name: c for c in measured}
    return sorted(by_name.values(), key=lambda c: (c.family, float(c.alpha), _pixels(c.input), c.input))


def _pixels(size: str) -> int:
    width, height = parse_input(size)
    return width * height
