"""prepare on tiny fixtures made here: every bad-input class, formats and modes, EXIF
rotation, duplicates, groups, balance, counts, determinism and the trainer's layout."""

from __future__ import annotations

import csv
import io
import json
import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from data_tools import decode, duplicates, labels, pipeline, transform

PREPARE = Path("data_tools/prepare")


def scene(seed: int, size: tuple[int, int] = (200, 150)) -> Image.Image:
    """A distinct RGB picture per seed: smooth random colour fields (dHash distances ~30)."""
    coarse = np.random.default_rng(seed).integers(0, 256, size=(6, 8, 3), dtype=np.uint8)
    return Image.fromarray(coarse, "RGB").resize(size, Image.Resampling.BICUBIC)


def save(image: Image.Image, path: Path, **options: object) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, **options)
    return path


def good_collection(root: Path, per_class: int, offset: int = 0) -> None:
    for index in range(per_class):
        save(scene(offset + index), root / "person" / f"p{index:03d}.png")
        save(scene(10_000 + offset + index), root / "no_person" / f"n{index:03d}.png")


def run(sources: list[Path], out: Path, **overrides: object) -> dict:
    pipeline.prepare(pipeline.Options(sources=sources, out=out, **overrides))
    return json.loads((out / "manifest.json").read_text())


def reasons(manifest: dict) -> dict[str, str]:
    return {entry["source"]: entry["reason"] for entry in manifest["rejected"]}


def test_every_format_and_mode_pillow_reads_is_kept(tmp_path: Path) -> None:
    src = tmp_path / "src"
    good_collection(src, 4)
    person = src / "person"
    save(scene(101), person / "photo.jpg", quality=95)
    save(scene(102), person / "photo.bmp")
    save(scene(103), person / "photo.webp", lossless=True)
    frames = [scene(104), scene(105)]
    frames[0].save(person / "anim.gif", save_all=True, append_images=frames[1:])
    save(scene(106).convert("P", palette=Image.Palette.ADAPTIVE), person / "palette.png")
    save(scene(107).convert("CMYK"), person / "cmyk.jpg")
    wide = (np.asarray(scene(108).convert("L"), dtype=np.uint16) * 257).astype(np.uint16)
    save(Image.fromarray(wide), person / "sixteen_bit.png")
    save(scene(109).convert("RGBA"), person / "alpha.png")
    manifest = run([src], tmp_path / "out", balance_policy="none")
    kept = {entry["source"] for entry in manifest["kept"]}
    for name in ("photo.jpg", "photo.bmp", "photo.webp", "anim.gif", "palette.png", "cmyk.jpg", "sixteen_bit.png"):
        assert f"src/person/{name}" in kept, name
    assert not manifest["rejected"]


def test_bad_inputs_are_rejected_with_their_reason(tmp_path: Path) -> None:
    src = tmp_path / "src"
    good_collection(src, 4)
    bad = src / "no_person"
    (bad / "empty.png").write_bytes(b"")
    (bad / "notes.jpg").write_text("not an image")
    encoded = io.BytesIO()
    scene(200).save(encoded, format="JPEG")
    (bad / "truncated.jpg").write_bytes(encoded.getvalue()[: len(encoded.getvalue()) // 3])
    save(Image.new("L", (3000, 3000)), bad / "bomb.png")
    save(Image.fromarray(np.zeros((20, 20), dtype=np.float32), mode="F"), bad / "float.tif")
    manifest = run([src], tmp_path / "out", balance_policy="none", limits=decode.Limits(max_pixels=4_000_000))
    found = reasons(manifest)
    expected = {
        "empty.png": "zero-byte",
        "notes.jpg": "not an image",
        "truncated.jpg": "truncated or corrupt",
        "bomb.png": "exceeds --max_pixels",
        "float.tif": "unsupported pixel mode 'F'",
    }
    for name, reason in expected.items():
        assert reason in found[f"src/no_person/{name}"], (name, found)


def test_a_file_over_the_size_limit_is_rejected(tmp_path: Path) -> None:
    src = tmp_path / "src"
    good_collection(src, 3)
    save(scene(300, (800, 600)), src / "person" / "big.bmp")
    manifest = run([src], tmp_path / "out", balance_policy="none", limits=decode.Limits(max_file_bytes=200_000))
    assert "exceeds --max_file_bytes" in reasons(manifest)["src/person/big.bmp"]


def test_exif_orientation_is_applied(tmp_path: Path) -> None:
    picture = Image.new("RGB", (200, 100), (0, 0, 0))
    picture.paste((255, 255, 255), (0, 0, 100, 100))  # bright left half
    exif = Image.Exif()
    exif[0x0112] = 6  # stored sideways: display rotated 90 degrees clockwise
    path = save(picture, tmp_path / "rotated.jpg", exif=exif, quality=95)
    upright = decode.open_image(path, decode.Limits())
    assert upright.size == (100, 200)
    pixels = np.asarray(upright.convert("L"))
    assert pixels[:100].mean() > 200 and pixels[100:].mean() < 50, "the bright half is on top once rotated"


def test_gray_is_bt601_luma_and_letterbox_pads(tmp_path: Path) -> None:
    red = transform.prepare_pixels(Image.new("RGB", (320, 240), (255, 0, 0)), "crop")
    assert red.size == (160, 120) and red.mode == "L" and red.getpixel((80, 60)) == 76  # 0.299 * 255
    wide = transform.prepare_pixels(Image.new("RGB", (400, 100), (255, 255, 255)), "letterbox")
    assert wide.getpixel((80, 0)) == 0 and wide.getpixel((80, 60)) == 255


def test_duplicates_are_collapsed_and_never_split(tmp_path: Path) -> None:
    src = tmp_path / "src"
    good_collection(src, 12)
    person = src / "person"
    (person / "z_copy_of_p000.png").write_bytes((person / "p000.png").read_bytes())
    brighter = Image.fromarray(np.clip(np.asarray(scene(1), dtype=np.int16) + 3, 0, 255).astype(np.uint8))
    save(brighter, person / "z_recompressed_p001.jpg", quality=90)
    save(scene(2), src / "no_person" / "mislabelled_p002.png")
    manifest = run([src], tmp_path / "out", balance_policy="none")
    found = {entry["source"]: entry for entry in manifest["duplicates"]}
    assert found["src/person/z_copy_of_p000.png"]["kind"] == "exact"
    assert found["src/person/z_recompressed_p001.jpg"]["kind"] == "near"
    assert found["src/person/z_recompressed_p001.jpg"]["duplicate_of"] == "src/person/p001.png"
    for name in ("src/no_person/mislabelled_p002.png", "src/person/p002.png"):
        assert "conflicting labels (no_person and person)" in reasons(manifest)[name]
    kept = manifest["kept"]
    hashes = [duplicates.difference_hash(Image.open(tmp_path / "out" / entry["output"])) for entry in kept]
    for i in range(len(kept)):
        for j in range(i + 1, len(kept)):
            if kept[i]["split"] != kept[j]["split"]:
                assert bin(hashes[i] ^ hashes[j]).count("1") > duplicates.DEFAULT_DISTANCE


def test_groups_from_a_csv_manifest_stay_in_one_split(tmp_path: Path) -> None:
    src = tmp_path / "src"
    rows = []
    for group in range(10):
        for shot in range(4):
            for label, base in (("person", 0), ("no_person", 50_000)):
                name = f"{label}_{group}_{shot}.png"
                save(scene(base + group * 10 + shot), src / "images" / name)
                rows.append({"path": f"images/{name}", "label": label, "group": f"{label}-{group}"})
    with (src / "labels.csv").open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["path", "label", "group"])
        writer.writeheader()
        writer.writerows(rows)
    manifest = run([src], tmp_path / "out", test_fraction=0.2, val_fraction=0.25)
    split_of: dict[str, set[str]] = {}
    for entry in manifest["kept"]:
        split_of.setdefault(entry["group"], set()).add(entry["split"])
    assert all(len(splits) == 1 for splits in split_of.values()), split_of
    used = {next(iter(splits)) for splits in split_of.values()}
    assert used == {"train", "val", "test"}


def test_undersampling_balances_and_counts_reconcile(tmp_path: Path) -> None:
    src = tmp_path / "src"
    good_collection(src, 20)
    for index in range(10):
        save(scene(500 + index), src / "person" / f"extra{index}.png")
    (src / "no_person" / "broken.png").write_bytes(b"\x89PNG broken")
    manifest = run([src], tmp_path / "out", seed=7)
    totals = manifest["totals"]
    files = sum(1 for path in src.rglob("*") if path.is_file())
    assert totals["seen"] == files == totals["kept"] + totals["duplicates"] + totals["rejected"]
    kept_labels = [entry["label"] for entry in manifest["kept"]]
    assert kept_labels.count("person") == kept_labels.count("no_person") == 20
    balance_removals = [entry for entry in manifest["rejected"] if entry["reason"].startswith("balance:")]
    assert len(balance_removals) == 10
    assert totals["balance"] == {"before": {"no_person": 20, "person": 30}, "after": {"no_person": 20, "person": 20}}


def test_reruns_are_byte_identical(tmp_path: Path) -> None:
    src = tmp_path / "src"
    good_collection(src, 15)
    outputs = []
    for name in ("a", "b"):
        run([src], tmp_path / name, seed=3)
        outputs.append(
            {p.relative_to(tmp_path / name): p.read_bytes() for p in (tmp_path / name).rglob("*") if p.is_file()}
        )
    assert outputs[0] == outputs[1]


def test_layout_contract_the_trainer_relies_on(tmp_path: Path) -> None:
    src = tmp_path / "src"
    good_collection(src, 20)
    out = tmp_path / "out"
    manifest = run([src], out)
    for split_name in ("train", "val", "test"):
        for label in labels.CLASSES:
            files = sorted((out / split_name / label).glob("*.png"))
            assert files, f"{split_name}/{label} is empty"
            for path in files:
                with Image.open(path) as image:
                    assert (image.size, image.mode) == ((160, 120), "L")
    on_disk = {str(p.relative_to(out)) for p in out.rglob("*.png")}
    assert on_disk == {entry["output"] for entry in manifest["kept"]}


def _cli(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(PREPARE), *arguments], capture_output=True, text=True)


def test_cli_errors_are_one_clear_line(tmp_path: Path) -> None:
    good = tmp_path / "good"
    good_collection(good, 3)
    (tmp_path / "empty").mkdir()
    only_person = tmp_path / "only_person"
    save(scene(1), only_person / "person" / "a.png")
    unknown = tmp_path / "unknown"
    good_collection(unknown, 2)
    save(scene(9), unknown / "cats" / "c.png")
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "keep.txt").write_text("mine")
    cases = {
        "missing": ([f"--src={tmp_path / 'nope'}", f"--out={tmp_path / 'o1'}"], "does not exist"),
        "empty": ([f"--src={tmp_path / 'empty'}", f"--out={tmp_path / 'o2'}"], "holds no files"),
        "one class": ([f"--src={only_person}", f"--out={tmp_path / 'o3'}"], "class 'no_person' has no images"),
        "unknown label": ([f"--src={unknown}", f"--out={tmp_path / 'o4'}"], "unknown label 'cats'"),
        "busy output": ([f"--src={good}", f"--out={busy}"], "not empty"),
    }
    for case, (arguments, message) in cases.items():
        result = _cli(*arguments, "--quiet")
        assert result.returncode == 1, case
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("prepare: error:") and message in lines[0], (case, lines)


def test_cli_prints_a_summary_and_overwrites_only_its_own_output(tmp_path: Path) -> None:
    src = tmp_path / "src"
    good_collection(src, 10)
    out = tmp_path / "out"
    first = _cli(f"--src={src}", f"--out={out}", "--quiet")
    assert first.returncode == 0, first.stderr
    assert "seen 20 = kept 20 + duplicates 0 + rejected 0" in first.stdout
    assert "balance (undersample): no_person 10 -> 10, person 10 -> 10" in first.stdout
    assert _cli(f"--src={src}", f"--out={out}", "--quiet").returncode == 1
    assert _cli(f"--src={src}", f"--out={out}", "--quiet", "--overwrite").returncode == 0


if __name__ == "__main__":
    raise SystemExit(pytest.main([__file__, "-q"]))
