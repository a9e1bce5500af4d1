"""//data_tools:external_evaluation_set as built: every evaluation photograph is there with
its windows, labels are the human ones, counts reconcile, nothing comes from training."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from pathlib import Path

import pytest
from PIL import Image

from data_tools import external_set, real_photos

SET = Path("data_tools/external_evaluation_set")
PHOTOS = Path("../real_photos/photos.tsv")


@pytest.fixture(scope="module")
def manifest() -> dict:
    return json.loads((SET / "manifest.json").read_text())


def test_every_evaluation_photograph_gives_its_windows(manifest: dict) -> None:
    listed = [photo for photo in real_photos.read_list(PHOTOS) if photo.use == "eval"]
    windows = Counter(entry["photo"] for entry in manifest["kept"])
    for photo in listed:
        expected = len(external_set.PERSON_SCALES) if photo.box else len(external_set.CENTRE_SCALES) + 4
        assert windows[photo.name] == expected, photo.name
    assert set(windows) == {photo.name for photo in listed}
    assert manifest["counts"]["photos"] == len(listed)
    by_label = Counter(entry["label"] for entry in manifest["kept"])
    assert by_label == manifest["counts"]["windows"]
    assert by_label["person"] >= 30 and by_label["no_person"] >= 250


def test_labels_are_the_photographs_human_labels(manifest: dict) -> None:
    labels = {photo.name: photo.label for photo in real_photos.read_list(PHOTOS)}
    for entry in manifest["kept"]:
        assert entry["label"] == labels[entry["photo"]]
        assert entry["label_source"] == "human (photos.tsv)" and entry["licence"]
        assert entry["output"].startswith(f"test/{entry['label']}/")


def test_no_window_comes_from_a_training_photograph(manifest: dict) -> None:
    training = {photo.name for photo in real_photos.read_list(PHOTOS) if photo.use == "train"}
    assert training and not {entry["photo"] for entry in manifest["kept"]} & training


def test_files_match_the_manifest(manifest: dict) -> None:
    on_disk = {path.relative_to(SET).as_posix() for path in SET.glob("test/*/*.png")}
    assert on_disk == {entry["output"] for entry in manifest["kept"]}
    for entry in manifest["kept"][::17]:
        data = (SET / entry["output"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"]
        with Image.open(SET / entry["output"]) as image:
            assert (image.size, image.mode) == ((160, 120), "L")


def test_windows_are_4_by_3_inside_the_photograph() -> None:
    photo = real_photos.Photo("eval", "person", "a", "b.png", (0.8, 0.1, 1.0, 0.3), "", Path("b.png"))
    for left, top, right, bottom in external_set.windows(photo, (1000, 500)):
        assert 0 <= left < right <= 1000 and 0 <= top < bottom <= 500
        assert abs((right - left) * 3 - (bottom - top) * 4) <= 4
    first = external_set.windows(photo, (1000, 500))[0]
    assert first == (333, 0, 1000, 500)  # the largest 4:3 window, pushed inside toward the box


if __name__ == "__main__":
    raise SystemExit(pytest.main([__file__, "-q"]))
