"""Exact and near duplicates.

Exact: the same file bytes (sha256). Near: a 64-bit difference hash (dHash) of the prepared
160x120 image: shrink to 9x8 gray, one bit per horizontal neighbour pair (left brighter
than right). Two images are near duplicates when their hashes differ in at most
`--near_duplicate_distance` bits (default 4 of 64: re-encodings, small crops and
brightness changes stay within it; different photographs almost never do). Near
duplicates form groups transitively; each group keeps its first member in input order.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

DEFAULT_DISTANCE = 4


def difference_hash(image: Image.Image) -> int:
    small = np.asarray(image.convert("L").resize((9, 8), Image.Resampling.LANCZOS), dtype=np.int16)
    bits = (small[:, :-1] > small[:, 1:]).flatten()
    return int(np.packbits(bits).view(">u8")[0])


def near_duplicate_groups(hashes: list[int], distance: int) -> list[int]:
    """For each hash, the index of the first hash in its near-duplicate group."""
    values = np.array(hashes, dtype=np.uint64)
    parent = list(range(len(hashes)))

    def root(index: int) -> int:
        while parent[index] != index:
            parent[index] = parent[parent[index]]
            index = parent[index]
        return index

    block = 512
    for start in range(0, len(values), block):
        differing = np.bitwise_count(values[start : start + block, None] ^ values[None, :])
        for row, column in zip(*np.nonzero(differing <= distance), strict=True):
            a, b = root(start + int(row)), root(int(column))
            if a != b:
                parent[max(a, b)] = min(a, b)  # the earlier index is the group's root
    return [root(index) for index in range(len(hashes))]
