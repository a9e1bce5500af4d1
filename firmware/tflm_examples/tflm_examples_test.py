"""TFLM's own person detectors through the product's codegen and firmware, on the two
reference frames the 2020 example ships (a man in an office; an office chair) and a real
photograph, on the host (the Rust wrapper over the same TFLM library) and under QEMU (the
detector firmware), with output bytes equal to the reference interpreter's on the same
input tensors.

The reference is tflite-micro where it runs the model. Today's TFLM no longer has uint8
convolution kernels (it fails to prepare the 2020 model's CONV_2D), so the 2020 uint8
model is checked against TensorFlow Lite's reference kernels, which keep them.

The third frame is a photograph without a person (scikit-image's coffee cup). Both models
find the person in the person frame and none in the photograph. The 2020 model calls the
chair frame no person; person_detect scores it above one half as a person (in tflite-micro
as well, fed the way TFLM's example feeds it): that is the model's answer, not the
firmware's, so for that frame the test asserts that its person score trails the person
frame's by a wide margin, not which side of one half it falls."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import numpy as np
import pytest

from firmware.harness import qemu_detector, reference

PACKAGE = Path("firmware/tflm_examples")
HOST_RUNNER = Path("firmware/tflm/host_runner")
FRAMES = Path("../tfmicro/examples/models")
PERSON_FRAME = FRAMES / "person_image_data_grayscale.data"
EMPTY_FRAME = FRAMES / "no_person_image_data_grayscale.data"
MODELS = ["person_detect", "person_detection_grayscale"]
# What each model answers for (person frame, chair frame, coffee photograph).
EXPECTED_LABELS = {
    "person_detect": ["person", "person", "no_person"],
    "person_detection_grayscale": ["person", "no_person", "no_person"],
}
# The person score's lead over the other classes (dequantized), person frame minus chair
# frame, is above this (person_detect's outputs are probabilities).
MIN_MARGIN_GAP = 0.5


def _module(name: str) -> Path:
    return PACKAGE / f"{name}_module_src"


def _report(name: str) -> dict:
    return json.loads((_module(name) / "codegen_report.json").read_text())


def _pixels(frame: Path) -> np.ndarray:
    return np.frombuffer(frame.read_bytes(), dtype=np.uint8)


def _scores(raw: bytes, element_type: str) -> list[int]:
    return list(np.frombuffer(raw, dtype=np.int8 if element_type == "int8" else np.uint8))


def _winner(raw: bytes, report: dict) -> str:
    scores = _scores(raw, report["output"]["type"])
    return report["class_names"][scores.index(max(scores))]


@pytest.fixture(scope="module", params=MODELS)
def model(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture(scope="module")
def frames(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """The example's two frames, and a third real scene without a person: scikit-image's
    coffee photograph (CC0), center-cropped and resized to 96x96 gray."""
    from PIL import Image
    from skimage import data

    photo = Image.fromarray(data.coffee()).convert("L")
    side = min(photo.size)
    left, top = (photo.width - side) // 2, (photo.height - side) // 2
    coffee = photo.crop((left, top, left + side, top + side)).resize((96, 96), Image.BILINEAR)
    path = tmp_path_factory.mktemp("frames") / "coffee.gray"
    path.write_bytes(np.asarray(coffee, dtype=np.uint8).tobytes())
    return [PERSON_FRAME, EMPTY_FRAME, path]


@pytest.fixture(scope="module")
def expected(model: str, frames: list[Path]) -> list[bytes]:
    """The reference's outputs, fed through the module's own pixel-to-input table."""
    table = reference.pixel_table(_module(model) / "codegen_report.json")
    pixels = [_pixels(frame) for frame in frames]
    if _report(model)["input"]["type"] == "uint8":
        return reference.outputs_tflite_reference_kernels(_module(model) / "model.tflite", pixels, table)
    return reference.outputs(_module(model) / "model.tflite", pixels, table)


def _person_margin(raw: bytes, report: dict) -> float:
    """The person score minus the best other score, dequantized."""
    output = report["output"]
    real = [(int(score) - output["zero_point"]) * output["scale"] for score in _scores(raw, output["type"])]
    person = real.pop(report["person_index"])
    return person - max(real)


def test_the_reference_finds_the_person_and_ranks_the_chair_far_below(model: str, expected: list[bytes]) -> None:
    # The premise of the comparisons below: with the right input convention, TFLM's own
    # detectors tell the two frames apart (a constant table would give equal scores).
    report = _report(model)
    assert [_winner(raw, report) for raw in expected] == EXPECTED_LABELS[model], expected
    person, chair, _ = (_person_margin(raw, report) for raw in expected)
    assert person - chair > MIN_MARGIN_GAP, (person, chair)


def test_host_wrapper_matches_the_reference(
    model: str, expected: list[bytes], frames: list[Path], tmp_path: Path
) -> None:
    report = _report(model)
    dtype = np.int8 if report["input"]["type"] == "int8" else np.uint8
    inputs, outputs = tmp_path / "inputs.bin", tmp_path / "outputs.bin"
    inputs.write_bytes(
        b"".join(
            reference.input_tensor(_pixels(frame), report["pixel_to_input"], dtype).tobytes()
            for frame in frames
        )
    )
    model_file = _module(model) / "model.tflite"
    subprocess.run(
        [str(HOST_RUNNER), f"--model={model_file}", f"--inputs={inputs}", f"--outputs={outputs}"],
        check=True,
        capture_output=True,
    )
    size = report["output"]["bytes"]
    raw = outputs.read_bytes()
    assert [raw[i : i + size] for i in range(0, len(raw), size)] == expected


def test_firmware_under_qemu_gives_the_references_scores(
    model: str, expected: list[bytes], frames: list[Path]
) -> None:
    report = _report(model)
    run = qemu_detector.run(PACKAGE / f"image_{model}.elf", frames, report["output"]["bytes"])
    assert run.exit_code == 0, run.console
    assert [result.raw for result in run.detections] == expected, run.console
    labels = EXPECTED_LABELS[model]
    assert [result.label for result in run.detections] == labels, run.console
    assert f"frames 3 detected 3 failed 0 person {labels.count('person')}" in run.console, run.console


def test_the_tables_take_pixels_to_minus_one_to_one(model: str) -> None:
    # Both models read real values -1..1: pixels 0 and 255 within a step of the ends of the
    # input type, every pixel value its own input value or nearly.
    report = _report(model)
    table = report["pixel_to_input"]
    low, high = (-128, 127) if report["input"]["type"] == "int8" else (0, 255)
    assert report["input_range"] == [-1.0, 1.0]
    assert table[0] - low <= 1 and high - table[255] <= 1, (table[0], table[255])
    assert table == sorted(table) and len(set(table)) >= 250, len(set(table))


if __name__ == "__main__":
    raise SystemExit(pytest.main([__file__, "-q"]))
