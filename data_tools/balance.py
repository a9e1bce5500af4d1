"""Class balance: by default the larger class is undersampled, seeded, to the smaller
one's size; `none` keeps everything. Which items stay is a seeded random choice over the
items in input order, so re-runs choose the same ones."""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import TypeVar

POLICIES = ("undersample", "none")

T = TypeVar("T")


def undersample(items_by_class: dict[str, Sequence[T]], policy: str, seed: int) -> tuple[dict[str, list[T]], list[T]]:
    """(the kept items per class, the items removed), kept items in their input order."""
    if policy not in POLICIES:
        raise ValueError(f"balance policy {policy!r}: expected one of {', '.join(POLICIES)}")
    if policy == "none":
        return {label: list(items) for label, items in items_by_class.items()}, []
    target = min(len(items) for items in items_by_class.values())
    kept: dict[str, list[T]] = {}
    removed: list[T] = []
    for label in sorted(items_by_class):
        items = list(items_by_class[label])
        chosen = set(random.Random(f"{seed}:{label}").sample(range(len(items)), target))
        kept[label] = [item for index, item in enumerate(items) if index in chosen]
        removed += [item for index, item in enumerate(items) if index not in chosen]
    return kept, removed
