"""The detector firmware with the tests' tiny model, under QEMU on the smoke dataset's test
frames: every output byte equals the host TFLM's for the same model and frames, bad frames
are reported without stopping the loop, and each inference's instructions are counted."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from firmware.harness import frames, qemu_detector, reference

ELF = Path("firmware/image_tiny.elf")
# The model embedded in that image (same build configuration, so the same file).
MODEL = Path("codegen/smoke_model_module_src/model.tflite")
CODEGEN_REPORT = Path("codegen/smoke_model_module_src/codegen_report.json")
DATASET = Path("training/smoke_dataset")
PLUGIN = Path("toolchains/qemu/insn_count/insn_count.so")
CLASSES = 2


@pytest.fixture(scope="module")
def test_frames(tmp_path_factory: pytest.TempPathFactory) -> list[frames.Frame]:
    # Six a class: each inference is about 0.7 billion instructions under QEMU.
    return frames.write_split(DATASET, "test", tmp_path_factory.mktemp("frames"), limit=6)


@pytest.fixture(scope="module")
def device_run(test_frames: list[frames.Frame]) -> qemu_detector.Run:
    return qemu_detector.run(ELF, [frame.path for frame in test_frames], CLASSES, plugin=PLUGIN)


def test_every_frame_is_detected(device_run: qemu_detector.Run, test_frames: list[frames.Frame]) -> None:
    assert device_run.exit_code == 0, device_run.console
    assert len(device_run.detections) == len(test_frames) == 12
    assert device_run.model_sha256 == hashlib.sha256(MODEL.read_bytes()).hexdigest()


def test_outputs_equal_host_tflm_byte_for_byte(device_run: qemu_detector.Run, test_frames: list[frames.Frame]) -> None:
    table = reference.pixel_table(CODEGEN_REPORT)
    expected = reference.outputs(MODEL, [frames.pixels(frame.path) for frame in test_frames], table)
    for frame, result, host in zip(test_frames, device_run.detections, expected, strict=True):
        assert result.raw == host, f"{frame.source}: device {result.raw!r} != host TFLM {host!r}"


def test_reported_class_is_the_highest_score(device_run: qemu_detector.Run) -> None:
    for result in device_run.detections:
        assert result.raw is not None
        scores = [int.from_bytes(result.raw[i : i + 1], "little", signed=True) for i in range(CLASSES)]
        assert result.label == frames.CLASSES[scores.index(max(scores))]
        assert result.score == pytest.approx((max(scores) + 128) / 256, abs=1e-3)


def test_inference_instructions_are_counted_and_repeatable(
    device_run: qemu_detector.Run, test_frames: list[frames.Frame]
) -> None:
    counts = [result.instructions for result in device_run.detections]
    assert all(count is not None and count > 1_000_000 for count in counts), counts
    again = qemu_detector.run(ELF, [frame.path for frame in test_frames[:3]], CLASSES, plugin=PLUGIN)
    assert [result.instructions for result in again.detections] == counts[:3]


def test_bad_frames_are_reported_and_the_loop_goes_on(test_frames: list[frames.Frame], tmp_path: Path) -> None:
    short = tmp_path / "short.gray"
    short.write_bytes(bytes(100))
    missing = tmp_path / "missing.gray"
    good = test_frames[0].path
    run = qemu_detector.run(ELF, [short, good, missing, good], CLASSES)
    assert run.exit_code == 1, "a run with failed frames exits 1"
    assert [result.error is None for result in run.frames] == [False, True, False, True]
    assert "the frame has 100 bytes; the model takes 19200" in (run.frames[0].error or "")
    assert run.frames[2].error == "cannot read the frame"
    assert run.frames[1].raw == run.frames[3].raw
    persons = sum(result.label == "person" for result in run.detections)
    assert f"frames 4 detected 2 failed 2 person {persons}" in run.console


if __name__ == "__main__":
    raise SystemExit(pytest.main([__file__, "-q"]))
