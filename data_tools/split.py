"""The train / val / test split: grouped, stratified, seeded.

Groups (the CSV `group` column: for example every image of one face) never straddle two
splits. The test set is carved first from all items: groups, in a seeded shuffle, go to
test while their class still needs test items (`--test_fraction` of each class). Validation
is then carved the same way from what remains (`--val_fraction` of the training portion),
and the rest is train. Test is thus chosen before and independently of validation.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import Protocol

SPLITS = ("train", "val", "test")


class Splittable(Protocol):
    @property
    def label(self) -> str: ...

    @property
    def group(self) -> str: ...


def _carve(groups: dict[str, list[str]], fraction: float) -> tuple[list[str], list[str]]:
    """Splits group names (in their given order) into (carved, rest); `groups` maps each
    group name to its items' labels."""
    totals = Counter(label for labels in groups.values() for label in labels)
    targets = {label: round(count * fraction) for label, count in totals.items()}
    taken: Counter[str] = Counter()
    carved, rest = [], []
    for name, labels in groups.items():
        label = Counter(labels).most_common(1)[0][0]
        if taken[label] < targets[label]:
            carved.append(name)
            taken.update(labels)
        else:
            rest.append(name)
    return carved, rest


def assign(items: Sequence[Splittable], test_fraction: float, val_fraction: float, seed: int) -> list[str]:
    """The split of each item, in the items' order."""
    if not (0 < test_fraction < 1 and 0 < val_fraction < 1):
        raise ValueError("--test_fraction and --val_fraction must be between 0 and 1")
    labels_of: dict[str, list[str]] = defaultdict(list)
    for item in items:
        labels_of[item.group].append(item.label)
    names = sorted(labels_of)
    random.Random(seed).shuffle(names)
    shuffled = {name: labels_of[name] for name in names}
    test, rest = _carve(shuffled, test_fraction)
    val, _ = _carve({name: shuffled[name] for name in rest}, val_fraction)
    split_of = dict.fromkeys(names, "train")
    split_of.update(dict.fromkeys(test, "test"))
    split_of.update(dict.fromkeys(val, "val"))
    return [split_of[item.group] for item in items]
