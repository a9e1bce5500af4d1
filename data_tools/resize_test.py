"""resize_dataset on a dataset prepared here: same files and split at the new size, a
manifest whose hashes match the new bytes and that names its source, refusals."""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from data_tools import pipeline
from data_tools.prepare_test import good_collection
from data_tools.resize import ResizeError, resize_dataset

RESIZE_DATASET = Path("data_tools/resize_dataset")


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("prepared")
    good_collection(root / "raw", 12)
    pipeline.prepare(pipeline.Options(sources=[root / "raw"], out=root / "dataset"))
    return root / "dataset"


def pngs(root: Path) -> list[str]:
    return sorted(path.relative_to(root).as_posix() for path in root.glob("*/*/*.png"))


def test_same_files_and_splits_at_the_new_size(prepared: Path, tmp_path: Path) -> None:
    manifest = resize_dataset(prepared, tmp_path / "out", 96, 96)
    assert pngs(tmp_path / "out") == pngs(prepared) and len(pngs(prepared)) > 10
    for relative in pngs(prepared):
        with Image.open(tmp_path / "out" / relative) as image:
            assert (image.size, image.mode) == ((96, 96), "L")
    source = json.loads((prepared / "manifest.json").read_text())
    assert manifest["totals"] == source["totals"]
    assert [(e["output"], e["split"], e["label"]) for e in manifest["kept"]] == [
        (e["output"], e["split"], e["label"]) for e in source["kept"]
    ]
    for entry in manifest["kept"]:
        assert entry["sha256"] == hashlib.sha256((tmp_path / "out" / entry["output"]).read_bytes()).hexdigest()
    assert manifest["settings"]["size"] == [96, 96]
    assert manifest["settings"]["resized_from"] == {
        "size": [160, 120],
        "resize_policy": "crop",
        "manifest_sha256": hashlib.sha256((prepared / "manifest.json").read_bytes()).hexdigest(),
    }
    assert json.loads((tmp_path / "out" / "manifest.json").read_text()) == manifest


def test_crop_keeps_the_centre(prepared: Path, tmp_path: Path) -> None:
    resize_dataset(prepared, tmp_path / "out", 96, 96)
    relative = pngs(prepared)[0]
    with Image.open(prepared / relative) as original:
        # 160x120 to 96x96: scale 0.8 (the height fills), then the middle 96 of 128 columns.
        expected = original.resize((128, 96), Image.Resampling.LANCZOS).crop((16, 0, 112, 96))
    with Image.open(tmp_path / "out" / relative) as resized:
        assert np.array_equal(np.asarray(resized), np.asarray(expected))


def test_deterministic(prepared: Path, tmp_path: Path) -> None:
    resize_dataset(prepared, tmp_path / "a", 128, 96)
    resize_dataset(prepared, tmp_path / "b", 128, 96)
    for relative in [*pngs(tmp_path / "a"), "manifest.json"]:
        assert (tmp_path / "a" / relative).read_bytes() == (tmp_path / "b" / relative).read_bytes()


def test_a_file_the_manifest_does_not_know_is_refused(prepared: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    subprocess.run(["cp", "-r", str(prepared), str(copy)], check=True)
    Image.new("L", (160, 120)).save(copy / "train" / "person" / "stray.png")
    with pytest.raises(ResizeError, match=r"not in the manifest: \['train/person/stray.png'\]"):
        resize_dataset(copy, tmp_path / "out", 96, 96)


def test_cli_names_a_missing_manifest(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    done = subprocess.run(
        [str(RESIZE_DATASET), f"--src={tmp_path / 'empty'}", f"--out={tmp_path / 'out'}", "--width=96", "--height=96"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode != 0 and "manifest.json: missing" in done.stderr, done.stderr
