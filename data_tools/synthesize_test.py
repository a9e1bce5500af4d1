"""The synthesis on a small scale: labels, groups, provenance and determinism, on the real
training photographs of @real_photos."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from data_tools import real_photos, synthesize

PHOTOS = Path("../real_photos/photos.tsv")


def _rows(out: Path) -> list[dict[str, str]]:
    with (out / "labels.csv").open(newline="") as handle:
        return list(csv.DictReader(handle))


def test_every_image_is_labelled_grouped_and_described(tmp_path: Path) -> None:
    synthesize.write(synthesize.synthesize(per_class=300, seed=5, photos_tsv=PHOTOS), tmp_path)
    rows = _rows(tmp_path)
    assert [row["label"] for row in rows].count("person") == 300
    assert [row["label"] for row in rows].count("no_person") == 300
    for row in rows:
        with Image.open(tmp_path / row["path"]) as image:
            assert (image.size, image.mode) == ((160, 120), "L")
        assert row["label_source"] == "synthetic recipe" and row["origin"] and row["licence"]
        if row["label"] == "person":
            # One face per image, and the group names exactly it.
            assert row["group"].startswith("face-")
            face = row["group"].removeprefix("face-")
            assert f"face={face}" in row["recipe"]
        else:
            assert row["group"].startswith("background-") and "face=" not in row["recipe"].replace("non_face=", "")


def test_backgrounds_are_the_training_photographs_only(tmp_path: Path) -> None:
    listed = real_photos.read_list(PHOTOS)
    training = {photo.name for photo in listed if photo.use == "train"}
    evaluation = {photo.name for photo in listed if photo.use == "eval"}
    assert len(training) >= 250 and evaluation and not training & evaluation
    synthesize.write(synthesize.synthesize(per_class=400, seed=3, photos_tsv=PHOTOS), tmp_path)
    origins = {row["origin"].split(" on ")[-1] for row in _rows(tmp_path)}
    assert origins <= training, sorted(origins - training)[:3]
    assert len(origins) > 150  # hundreds of distinct photographs, not a handful


def test_faces_and_patches_come_from_the_lfw_subset(tmp_path: Path) -> None:
    faces, non_faces = synthesize.lfw_crops()
    assert len(faces) == len(non_faces) == 100
    assert all(face.size == (25, 25) for face in faces)
    # Faces and non-faces differ in content (the subset's first half holds the faces).
    assert np.mean([np.asarray(face).std() for face in faces]) > 10


def test_the_same_seed_gives_the_same_bytes(tmp_path: Path) -> None:
    for name in ("a", "b"):
        synthesize.write(synthesize.synthesize(per_class=150, seed=9, photos_tsv=PHOTOS), tmp_path / name)
    files_a = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*") if p.is_file())
    assert files_a
    for relative in files_a:
        assert (tmp_path / "a" / relative).read_bytes() == (tmp_path / "b" / relative).read_bytes()


if __name__ == "__main__":
    raise SystemExit(pytest.main([__file__, "-q"]))
