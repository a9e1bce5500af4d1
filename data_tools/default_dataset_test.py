"""//data_tools:default_dataset as built: size, balance, isolation of test faces, the
trainer's layout and a manifest that accounts for every synthesized image."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import pytest
from PIL import Image

DATASET = Path("data_tools/default_dataset")
MINIMUM_PER_CLASS = 2000


@pytest.fixture(scope="module")
def manifest() -> dict:
    return json.loads((DATASET / "manifest.json").read_text())


def test_at_least_2000_balanced_images_per_class(manifest: dict) -> None:
    counts = defaultdict(int)
    for entry in manifest["kept"]:
        counts[entry["label"]] += 1
    assert counts["person"] == counts["no_person"] >= MINIMUM_PER_CLASS, dict(counts)


def test_no_face_or_background_is_in_two_splits(manifest: dict) -> None:
    splits = defaultdict(set)
    for entry in manifest["kept"]:
        splits[entry["group"]].add(entry["split"])
    assert all(len(found) == 1 for found in splits.values())
    test_faces = {group for group, found in splits.items() if group.startswith("face-") and "test" in found}
    assert len(test_faces) >= 5, "test holds faces of its own"


def test_every_synthesized_image_is_accounted_for(manifest: dict) -> None:
    totals = manifest["totals"]
    assert totals["seen"] == totals["kept"] + totals["duplicates"] + totals["rejected"]
    assert totals["seen"] == 2 * 2600
    # Synthesis makes no broken files: only balancing and the near-duplicate check remove
    # any (a small face on a plain background can hash like the plain background).
    reasons = {entry["reason"].split(" ")[0] for entry in manifest["rejected"]}
    assert reasons <= {"balance:", "duplicates"}, reasons
    assert totals["kept"] >= 0.9 * totals["seen"]


def test_layout_the_trainer_reads(manifest: dict) -> None:
    for entry in manifest["kept"][::97]:
        with Image.open(DATASET / entry["output"]) as image:
            assert (image.size, image.mode) == ((160, 120), "L")
        assert entry["output"].startswith(f"{entry['split']}/{entry['label']}/")
    on_disk = sum(1 for _ in DATASET.glob("*/*/*.png"))
    assert on_disk == len(manifest["kept"])


if __name__ == "__main__":
    raise SystemExit(pytest.main([__file__, "-q"]))
