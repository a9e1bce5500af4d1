"""Synthesizes the raw default dataset from real photographs and real faces.

    synthesize --photos=PATH/photos.tsv --out=DIR [--per_class=2600] [--seed=20261125]

Writes DIR/person/*.png, DIR/no_person/*.png (160x120 gray) and DIR/labels.csv
(path,label,group,recipe,origin,licence,label_source), the input of `prepare`.

- Backgrounds: crops of the real photographs without people that photos.tsv gives to
  training (`use` train: GCompris' photographs of tools, animals, buildings and landscapes,
  MATE's nature photographs; about 260, licences in photos.tsv). The photographs with people
  and the other packages are the external evaluation's, never seen here.
- person: one of the 100 real face crops of scikit-image's LFW subset pasted on a
  background at one of many scales (a close face to a distant head). The `group` is the
  face, so `prepare` never puts one face in two splits.
- no_person: a background crop, half of them with one of the LFW subset's 100 non-face
  crops pasted the same way (so a pasted patch is not by itself a cue). The `group` is the
  background photograph.

Labels come from the recipe (`label_source` synthetic recipe). Every random choice comes
from one seeded generator and is written to `recipe`: photograph, crop, lighting, and the
pasted patch's size and place.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import skimage.data
from absl import app, flags
from PIL import Image, ImageDraw, ImageFilter

from data_tools import labels, real_photos

PHOTOS = flags.DEFINE_string("photos", None, "photos.tsv of @real_photos (its train photographs).", required=True)
OUT = flags.DEFINE_string("out", None, "Output directory (created, must be empty).", required=True)
PER_CLASS = flags.DEFINE_integer("per_class", 2600, "Images to synthesize per class.")
SEED = flags.DEFINE_integer("seed", 20261125, "Seed of every random choice.")

WIDTH, HEIGHT = 160, 120
SKIMAGE = Path(skimage.data.__file__).parent
LFW = "scikit-image 0.26.0 skimage/data/lfw_subset.npy"
LFW_LICENCE = "LFW (research database of public figures' photographs), as scikit-image ships it (BSD-3 package)"
RECIPE = "synthetic recipe"
PATCH_SIZES = (14, 100)  # pixels: from a distant head to a face filling most of the frame


@dataclass(frozen=True)
class Example:
    label: str
    group: str
    recipe: str
    image: Image.Image
    origin: str
    licence: str


@dataclass(frozen=True)
class Background:
    name: str
    image: Image.Image
    origin: str
    licence: str


def backgrounds(photos_tsv: Path) -> list[Background]:
    """The training photographs of photos.tsv (all without people), by name."""
    found = []
    for photo in real_photos.read_list(photos_tsv):
        if photo.use != "train":
            continue
        if photo.label != labels.NO_PERSON:
            raise real_photos.PhotoError(f"{photo.name}: a training photograph with people cannot be a background")
        found.append(Background(photo.slug(6), real_photos.load_gray(photo), photo.name, photo.licence))
    if not found:
        raise real_photos.PhotoError(f"{photos_tsv}: no photograph with use `train`")
    return sorted(found, key=lambda background: background.name)


def lfw_crops() -> tuple[list[Image.Image], list[Image.Image]]:
    """(100 faces, 100 non-faces), 25x25 each, as scikit-image ships them."""
    crops = np.load(SKIMAGE / "lfw_subset.npy")
    images = [Image.fromarray(np.rint(crop * 255).astype(np.uint8), "L") for crop in crops]
    return images[:100], images[100:]


def jitter(image: Image.Image, rng: np.random.Generator) -> tuple[Image.Image, str]:
    brightness, contrast = rng.uniform(0.6, 1.4), rng.uniform(0.7, 1.3)
    pixels = np.asarray(image, dtype=np.float64)
    mean = pixels.mean()
    adjusted = np.clip((pixels - mean) * contrast + mean * brightness, 0, 255)
    return Image.fromarray(np.rint(adjusted).astype(np.uint8), "L"), f"b={brightness:.2f} c={contrast:.2f}"


def crop(
    image: Image.Image, rng: np.random.Generator, scale: tuple[float, float], centred: bool
) -> tuple[Image.Image, str]:
    """A 4:3 crop (a `scale` share of the largest), resized to 160x120, maybe mirrored."""
    width, height = image.size
    largest = min(width, height * 4 / 3)
    crop_width = largest * rng.uniform(*scale)
    crop_height = crop_width * 3 / 4
    spread = 0.15 if centred else 1.0
    left = (width - crop_width) * (0.5 + spread * (rng.uniform() - 0.5))
    top = (height - crop_height) * (0.5 + spread * (rng.uniform() - 0.5))
    box = (left, top, left + crop_width, top + crop_height)
    result = image.resize((WIDTH, HEIGHT), Image.Resampling.LANCZOS, box=box)
    mirrored = bool(rng.uniform() < 0.5)
    if mirrored:
        result = result.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    return result, f"crop={crop_width:.0f}x{crop_height:.0f}@{left:.0f},{top:.0f}{' mirrored' if mirrored else ''}"


def paste(background: Image.Image, patch: Image.Image, rng: np.random.Generator) -> str:
    """Pastes `patch` at a random scale and place, through a soft elliptical mask."""
    size = int(rng.integers(PATCH_SIZES[0], PATCH_SIZES[1] + 1))
    patch, lighting = jitter(patch.resize((size, size), Image.Resampling.LANCZOS), rng)
    mask = Image.new("L", (size, size), 0)
    ImageDraw.Draw(mask).ellipse((1, 1, size - 2, size - 2), fill=255)
    mask = mask.filter(ImageFilter.GaussianBlur(size / 14))
    x, y = int(rng.integers(0, WIDTH - size + 1)), int(rng.integers(0, HEIGHT - size + 1))
    background.paste(patch, (x, y), mask)
    return f"patch={size}px@{x},{y} {lighting}"


def synthesize(per_class: int, seed: int, photos_tsv: Path) -> list[Example]:
    rng = np.random.default_rng(seed)
    faces, non_faces = lfw_crops()
    scenes = backgrounds(photos_tsv)
    examples = []
    for index in range(per_class):
        face = index % len(faces)
        scene = scenes[int(rng.integers(len(scenes)))]
        image, where = crop(scene.image, rng, (0.35, 1.0), centred=False)
        image, lighting = jitter(image, rng)
        placed = paste(image, faces[face], rng)
        recipe = f"face={face:03d} background={scene.name} {where} {lighting} {placed}"
        origin = f"{LFW} face {face} on {scene.origin}"
        examples.append(Example("person", f"face-{face:03d}", recipe, image, origin, f"{LFW_LICENCE}; {scene.licence}"))
    for index in range(per_class):
        scene = scenes[index % len(scenes)]
        image, where = crop(scene.image, rng, (0.35, 1.0), centred=False)
        image, lighting = jitter(image, rng)
        recipe = f"background={scene.name} {where} {lighting}"
        origin, licence = scene.origin, scene.licence
        if index % 2:
            patch = (index // 2) % len(non_faces)
            recipe += f" non_face={patch:03d} " + paste(image, non_faces[patch], rng)
            origin, licence = f"{LFW} non-face {patch} on {origin}", f"{LFW_LICENCE}; {licence}"
        examples.append(Example("no_person", f"background-{scene.name}", recipe, image, origin, licence))
    return examples


def write(examples: list[Example], out: Path) -> None:
    rows = []
    counters = {"person": 0, "no_person": 0}
    for example in examples:
        path = f"{example.label}/{counters[example.label]:05d}.png"
        counters[example.label] += 1
        (out / example.label).mkdir(parents=True, exist_ok=True)
        example.image.save(out / path, format="PNG", optimize=False)
        rows.append({
            "path": path,
            "label": example.label,
            "group": example.group,
            "recipe": example.recipe,
            "origin": example.origin,
            "licence": example.licence,
            "label_source": RECIPE,
        })  # fmt: skip
    fields = ["path", "label", "group", "recipe", "origin", "licence", "label_source"]
    with (out / "labels.csv").open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def main(argv: list[str]) -> None:
    del argv
    out = Path(OUT.value)
    if out.exists() and any(out.iterdir()):
        raise app.UsageError(f"{out}: not empty")
    write(synthesize(PER_CLASS.value, SEED.value, Path(PHOTOS.value)), out)


if __name__ == "__main__":
    app.run(main)
