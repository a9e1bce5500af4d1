"""`prepare`: raw labelled images in, the trainer's dataset layout out.

    OUT/{train,val,test}/{person,no_person}/<sha256 prefix>.png   160x120 8-bit gray PNGs
    OUT/manifest.json                                               see manifest.py

Steps, each in its own module: discover (sources), decode and reject (decode), prepare
pixels (transform), collapse duplicates (duplicates), balance (balance), split (split),
write (here) and account for every file (manifest).
"""

from __future__ import annotations

import hashlib
import io
import shutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image

from data_tools import balance, decode, duplicates, labels, sources, split, transform
from data_tools.manifest import DuplicateFile, KeptFile, Manifest, RejectedFile

MANIFEST = "manifest.json"
_OWN_ENTRIES = {*split.SPLITS, MANIFEST}


class OutputError(ValueError):
    """An output directory the tool will not write into."""


@dataclass(frozen=True)
class Options:
    sources: list[Path]
    out: Path
    aliases: dict[str, str] = field(default_factory=lambda: dict(labels.DEFAULT_ALIASES))
    resize_policy: str = "crop"
    balance_policy: str = "undersample"
    test_fraction: float = 0.15
    val_fraction: float = 0.15
    near_duplicate_distance: int = duplicates.DEFAULT_DISTANCE
    seed: int = 1234
    limits: decode.Limits = field(default_factory=decode.Limits)
    overwrite: bool = False


@dataclass(frozen=True)
class _Prepared:
    candidate: sources.Candidate
    name: str  # how the manifest names the source
    file_sha256: str
    png: bytes
    difference_hash: int  # of the prepared pixels (near-duplicate check)

    @property
    def label(self) -> str:
        return self.candidate.label

    @property
    def group(self) -> str:
        return self.candidate.group or self.name


def _source_name(path: Path, roots: list[Path]) -> str:
    for root in roots:
        if path.is_relative_to(root):
            return f"{root.name}/{path.relative_to(root)}"
    return str(path)


def png_bytes(image: Image.Image) -> bytes:
    """The PNG the dataset stores: no metadata, no timestamps, fixed settings."""
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=False)
    return buffer.getvalue()


def check_output(out: Path, overwrite: bool) -> None:
    """Refuses a non-empty output unless --overwrite, and then only our own entries."""
    if not out.exists():
        return
    if not out.is_dir():
        raise OutputError(f"{out}: exists and is not a directory")
    entries = {entry.name for entry in out.iterdir()}
    if entries and not overwrite:
        raise OutputError(f"{out}: output directory is not empty (pass --overwrite to replace a previous dataset)")
    foreign = entries - _OWN_ENTRIES
    if foreign:
        raise OutputError(f"{out}: holds files this tool did not write ({', '.join(sorted(foreign))}); not overwriting")


def _decode_all(
    candidates: list[sources.Candidate], options: Options, progress: Callable[[Iterable], Iterable]
) -> tuple[list[_Prepared], list[RejectedFile]]:
    prepared, rejected = [], []
    for candidate in progress(candidates):
        name = _source_name(candidate.path, options.sources)
        try:
            image = decode.open_image(candidate.path, options.limits)
            decode.check_mode(image)
            pixels = transform.prepare_pixels(image, options.resize_policy)
        except decode.Rejection as rejection:
            rejected.append(RejectedFile(name, str(rejection)))
            continue
        file_sha256 = hashlib.sha256(candidate.path.read_bytes()).hexdigest()
        prepared.append(_Prepared(candidate, name, file_sha256, png_bytes(pixels), duplicates.difference_hash(pixels)))
    return prepared, rejected


def _collapse_duplicates(
    prepared: list[_Prepared], distance: int
) -> tuple[list[_Prepared], list[DuplicateFile], list[RejectedFile]]:
    """(one image per duplicate group, the duplicates, the rejections). A group whose
    members carry different labels is rejected whole: which label is right is unknown."""
    first_with_sha: dict[str, int] = {}
    unique: list[int] = []
    root_of = list(range(len(prepared)))
    for index, item in enumerate(prepared):
        original = first_with_sha.setdefault(item.file_sha256, index)
        if original == index:
            unique.append(index)
        else:
            root_of[index] = original
    hashes = [prepared[index].difference_hash for index in unique]
    for position, root in enumerate(duplicates.near_duplicate_groups(hashes, distance)):
        root_of[unique[position]] = unique[root]
    for index in range(len(prepared)):  # exact copies follow their original's group
        root_of[index] = root_of[root_of[index]]
    members: dict[int, list[int]] = {}
    for index, root in enumerate(root_of):
        members.setdefault(root, []).append(index)
    kept, found, rejected = [], [], []
    for root, group in members.items():
        original = prepared[root]
        group_labels = sorted({prepared[index].label for index in group})
        if len(group_labels) > 1:
            names = ", ".join(prepared[index].name for index in group)
            reason = f"duplicates with conflicting labels ({' and '.join(group_labels)}): {names}"
            rejected += [RejectedFile(prepared[index].name, reason) for index in group]
            continue
        kept.append(original)
        for index in group[1:]:
            item = prepared[index]
            kind = "exact" if item.file_sha256 == original.file_sha256 else "near"
            found.append(DuplicateFile(item.name, original.name, kind, item.label))
    return kept, found, rejected


def prepare(options: Options, progress: Callable[[Iterable], Iterable] = lambda items: items) -> Manifest:
    """Runs every step and writes the dataset; returns the manifest it wrote."""
    check_output(options.out, options.overwrite)
    candidates = sources.discover(options.sources, options.aliases)
    manifest = Manifest(
        settings={
            "resize_policy": options.resize_policy,
            "balance_policy": options.balance_policy,
            "test_fraction": options.test_fraction,
            "val_fraction": options.val_fraction,
            "near_duplicate_distance": options.near_duplicate_distance,
            "seed": options.seed,
            "size": [transform.WIDTH, transform.HEIGHT],
        }
    )
    prepared, manifest.rejected = _decode_all(candidates, options, progress)
    unique, manifest.duplicates, conflicting = _collapse_duplicates(prepared, options.near_duplicate_distance)
    manifest.rejected += conflicting
    by_class = {label: [item for item in unique if item.label == label] for label in labels.CLASSES}
    empty = [label for label, items in by_class.items() if not items]
    if empty:
        raise sources.SourceError(f"class {empty[0]!r} has no usable images after cleaning (see the rejections)")
    balanced, removed = balance.undersample(by_class, options.balance_policy, options.seed)
    manifest.balance = {
        "before": {label: len(items) for label, items in by_class.items()},
        "after": {label: len(items) for label, items in balanced.items()},
    }
    manifest.rejected += [
        RejectedFile(item.name, f"balance: {options.balance_policy} (seed {options.seed}) removed it")
        for item in removed
    ]
    kept = [item for label in labels.CLASSES for item in balanced[label]]
    splits = split.assign(kept, options.test_fraction, options.val_fraction, options.seed)
    _write(options.out, kept, splits, manifest)
    return manifest


def _write(out: Path, kept: list[_Prepared], splits: list[str], manifest: Manifest) -> None:
    for entry in _OWN_ENTRIES:
        target = out / entry
        if target.is_dir():
            shutil.rmtree(target)
        elif target.exists():
            target.unlink()
    for split_name in split.SPLITS:
        for label in labels.CLASSES:
            (out / split_name / label).mkdir(parents=True, exist_ok=True)
    for item, split_name in zip(kept, splits, strict=True):
        digest = hashlib.sha256(item.png).hexdigest()
        relative = f"{split_name}/{item.label}/{digest[:16]}.png"
        (out / relative).write_bytes(item.png)
        provenance = dict(item.candidate.provenance)
        manifest.kept.append(KeptFile(item.name, relative, digest, split_name, item.label, item.group, provenance))
    manifest.write(out / MANIFEST)
