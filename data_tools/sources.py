"""Finds the images to prepare: label folders under each source, or a CSV manifest.

Layouts accepted for each `--src=DIR`:
- `DIR/<label>/**/<image>`: the first folder level names the label (through aliases);
- `DIR/labels.csv` with columns `path,label[,group]`, paths relative to DIR. `group` puts
  related images (for example the same face) in the same split. The optional columns
  `origin`, `licence` and `label_source` (where the label came from: human, synthetic
  recipe, teacher score) are carried into the manifest as the image's provenance.

Every file found is a candidate, whatever its extension: unreadable ones are rejected
later with a reason, never skipped here. Order is stable (sorted by path).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from data_tools import labels

MANIFEST_NAME = "labels.csv"
PROVENANCE_COLUMNS = ("origin", "licence", "label_source")


class SourceError(ValueError):
    """A source that cannot be read as a labelled image collection."""


@dataclass(frozen=True, order=True)
class Candidate:
    """One input file and what the user says it is."""

    path: Path
    label: str
    group: str = ""  # "" = a group of its own
    provenance: tuple[tuple[str, str], ...] = ()  # (column, value) of PROVENANCE_COLUMNS given


def _from_folders(root: Path, aliases: dict[str, str]) -> list[Candidate]:
    candidates = []
    for entry in sorted(root.iterdir()):
        if not entry.is_dir():
            raise SourceError(f"{entry}: a file at the top of a source; images go in label folders ({root}/<label>/)")
        label = labels.resolve(entry.name, aliases, f"{entry}: label folder")
        files = sorted(path for path in entry.rglob("*") if path.is_file())
        candidates += [Candidate(path, label) for path in files]
    return candidates


def _from_manifest(root: Path, aliases: dict[str, str]) -> list[Candidate]:
    manifest = root / MANIFEST_NAME
    candidates = []
    with manifest.open(newline="") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames is None or not {"path", "label"} <= set(reader.fieldnames):
            raise SourceError(f"{manifest}: needs a header with the columns path,label[,group]")
        for line, row in enumerate(reader, start=2):
            where = f"{manifest}:{line}"
            if not row["path"]:
                raise SourceError(f"{where}: empty path")
            path = root / row["path"]
            label = labels.resolve(row["label"] or "", aliases, where)
            provenance = tuple((column, row[column]) for column in PROVENANCE_COLUMNS if row.get(column))
            candidates.append(Candidate(path, label, (row.get("group") or "").strip(), provenance))
    return sorted(candidates)


def discover(sources: list[Path], aliases: dict[str, str]) -> list[Candidate]:
    """Every candidate of every source, in a stable order; fails on empty or bad sources."""
    if not sources:
        raise SourceError("no --src given")
    candidates: list[Candidate] = []
    for root in sources:
        if not root.is_dir():
            raise SourceError(f"{root}: source directory does not exist")
        found = _from_manifest(root, aliases) if (root / MANIFEST_NAME).is_file() else _from_folders(root, aliases)
        if not found:
            raise SourceError(f"{root}: source holds no files (expected {root}/<label>/<images> or {MANIFEST_NAME})")
        candidates += found
    for label in labels.CLASSES:
        if not any(candidate.label == label for candidate in candidates):
            raise SourceError(f"class {label!r} has no images in {', '.join(map(str, sources))}")
    return candidates
