"""Synthesizes the raw default dataset from real images the pinned dependencies ship.

    synthesize --out=DIR [--per_class=2600] [--seed=20261125]

Writes DIR/person/*.png, DIR/no_person/*.png (160x120 gray) and DIR/labels.csv
(path,label,group,recipe), the input of `prepare`.

- person: one real face pasted on a real background, or a crop of a real photograph of a
  person. Faces: the 100 face crops of scikit-image's LFW subset; photographs: NASA's
  astronaut portrait and the cameraman (scikit-image), Grace Hopper (matplotlib). The
  `group` is the face or photograph, so `prepare` never puts one face in two splits: faces
  in test are never seen, even transformed, in train or val.
- no_person: a crop of a real background photograph (scikit-image's sample images with no
  people), half of them with one of the LFW subset's 100 non-face crops pasted the same
  way faces are (so a pasted patch is not by itself a cue). The `group` is the background.

Every random choice comes from one seeded generator and is written to `recipe`: scale,
position, brightness and contrast of the crop and of the pasted patch.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import matplotlib
import numpy as np
import skimage.data
from absl import app, flags
from PIL import Image, ImageDraw, ImageFilter

OUT = flags.DEFINE_string("out", None, "Output directory (created, must be empty).", required=True)
PER_CLASS = flags.DEFINE_integer("per_class", 2600, "Images to synthesize per class.")
SEED = flags.DEFINE_integer("seed", 20261125, "Seed of every random choice.")

WIDTH, HEIGHT = 160, 120
SKIMAGE = Path(skimage.data.__file__).parent
MATPLOTLIB = Path(matplotlib.get_data_path()) / "sample_data"
PERSON_PHOTOS = {
    "astronaut": SKIMAGE / "astronaut.png",
    "camera": SKIMAGE / "camera.png",
    "grace_hopper": MATPLOTLIB / "grace_hopper.jpg",
}
# scikit-image's sample images without people (the synthetic colour wheel and chessboard
# are left out: their crops barely differ, so the near-duplicate check collapses them).
BACKGROUNDS = [
    "brick.png", "cell.png", "chelsea.png", "clock_motion.png", "coffee.png", "coins.png", "grass.png",
    "gravel.png", "horse.png", "hubble_deep_field.jpg", "ihc.png", "logo.png", "moon.png", "motorcycle_left.png",
    "page.png", "phantom.png", "retina.jpg", "rocket.jpg", "text.png",
]  # fmt: skip
PHOTO_CROPS = 40  # per photograph of a person


@dataclass(frozen=True)
class Example:
    label: str
    group: str
    recipe: str
    image: Image.Image


def gray(path: Path) -> Image.Image:
    """An image as 8-bit BT.601 gray, transparency composited on white."""
    image = Image.open(path)
    if image.mode in ("RGBA", "LA", "P"):
        white = Image.new("RGBA", image.size, (255, 255, 255, 255))
        image = Image.alpha_composite(white, image.convert("RGBA"))
    return image.convert("L")


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
    size = int(rng.integers(28, 85))
    patch, lighting = jitter(patch.resize((size, size), Image.Resampling.LANCZOS), rng)
    mask = Image.new("L", (size, size), 0)
    ImageDraw.Draw(mask).ellipse((1, 1, size - 2, size - 2), fill=255)
    mask = mask.filter(ImageFilter.GaussianBlur(size / 14))
    x, y = int(rng.integers(0, WIDTH - size + 1)), int(rng.integers(0, HEIGHT - size + 1))
    background.paste(patch, (x, y), mask)
    return f"patch={size}px@{x},{y} {lighting}"


def synthesize(per_class: int, seed: int) -> list[Example]:
    rng = np.random.default_rng(seed)
    faces, non_faces = lfw_crops()
    backgrounds = {Path(name).stem: gray(SKIMAGE / name) for name in BACKGROUNDS}
    names = sorted(backgrounds)
    examples = []
    for name, path in PERSON_PHOTOS.items():
        photo = gray(path)
        for _ in range(PHOTO_CROPS):
            image, where = crop(photo, rng, (0.6, 1.0), centred=True)
            image, lighting = jitter(image, rng)
            examples.append(Example("person", f"photo-{name}", f"photo={name} {where} {lighting}", image))
    for index in range(per_class - len(examples)):
        face = index % len(faces)
        background = names[int(rng.integers(len(names)))]
        image, where = crop(backgrounds[background], rng, (0.35, 1.0), centred=False)
        image, lighting = jitter(image, rng)
        placed = paste(image, faces[face], rng)
        recipe = f"face={face:03d} background={background} {where} {lighting} {placed}"
        examples.append(Example("person", f"face-{face:03d}", recipe, image))
    for index in range(per_class):
        background = names[index % len(names)]
        image, where = crop(backgrounds[background], rng, (0.35, 1.0), centred=False)
        image, lighting = jitter(image, rng)
        recipe = f"background={background} {where} {lighting}"
        if index % 2:
            patch = (index // 2) % len(non_faces)
            recipe += f" non_face={patch:03d} " + paste(image, non_faces[patch], rng)
        examples.append(Example("no_person", f"background-{background}", recipe, image))
    return examples


def write(examples: list[Example], out: Path) -> None:
    rows = []
    counters = {"person": 0, "no_person": 0}
    for example in examples:
        path = f"{example.label}/{counters[example.label]:05d}.png"
        counters[example.label] += 1
        (out / example.label).mkdir(parents=True, exist_ok=True)
        example.image.save(out / path, format="PNG", optimize=False)
        rows.append({"path": path, "label": example.label, "group": example.group, "recipe": example.recipe})
    with (out / "labels.csv").open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["path", "label", "group", "recipe"], lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def main(argv: list[str]) -> None:
    del argv
    out = Path(OUT.value)
    if out.exists() and any(out.iterdir()):
        raise app.UsageError(f"{out}: not empty")
    write(synthesize(PER_CLASS.value, SEED.value), out)


if __name__ == "__main__":
    app.run(main)
