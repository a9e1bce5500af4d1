"""The generator behind tflite_rust_module: the module it writes, and the builds it stops."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from codegen import board_limits, rust_module

SMOKE = Path("codegen/smoke_model_module_src")
HOST_RUNNER = Path("firmware/tflm/host_runner")
GENERATOR = Path("codegen/tflite_to_rust")
# The product's MobileNetV2 (its recipe's width and input), converted with the quantizer's workarounds.
MOBILENET = Path("firmware/tflm/equivalence/mobilenet_v2_workarounds.tflite")
BOARDS = Path("toolchains/boards")


def describe(model: Path, tmp_path: Path) -> Path:
    out = tmp_path / f"{model.stem}.json"
    table = tmp_path / "channel_constants.bin"
    subprocess.run(
        [str(HOST_RUNNER), f"--model={model}", f"--describe={out}", f"--channel_constants={table}"], check=True
    )
    return out


def generate(model: Path, description: Path, tmp_path: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    """The generator exactly as the rule runs it."""
    return subprocess.run(
        [
            str(GENERATOR),
            f"--model={model}",
            f"--description={description}",
            f"--out_rs={tmp_path / 'lib.rs'}",
            f"--out_report={tmp_path / 'report.json'}",
            "--label=//test:model",
            *extra,
        ],
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_rule_embeds_the_model_with_its_measured_arena() -> None:
    module = (SMOKE / "lib.rs").read_text()
    description = json.loads((SMOKE / "description.json").read_text())
    report = json.loads((SMOKE / "codegen_report.json").read_text())
    assert 'AlignedBuffer(*include_bytes!("model.tflite"))' in module
    assert f"pub const ARENA_BYTES: usize = {description['minimum_arena_bytes']};" in module
    assert report["arena_bytes"] == description["minimum_arena_bytes"]
    assert report["model_bytes"] == (SMOKE / "model.tflite").stat().st_size
    assert report["board"] is None, "a host build checks no board"
    assert f"pub static OPS: [Op; {len(description['operators'])}]" in module
    assert "ops::CONV_2D" in module and "ops::DEPTHWISE_CONV_2D" in module


def test_the_report_shows_the_arena_as_activations_plus_each_overhead() -> None:
    report = json.loads((SMOKE / "codegen_report.json").read_text())
    arena = report["host_arena"]
    assert sum(arena.values()) == report["host_minimum_arena_bytes"]
    assert arena["activations"] > 0 and arena["tflm_and_kernels"] > 0 and arena["interpreter"] > 0
    # The table in flash is what the arena no longer holds: 5 bytes a channel, at least.
    table = (SMOKE / "channel_constants.bin").read_bytes()
    assert report["channel_constants_bytes"] == len(table) > 8
    assert 'include_bytes!("channel_constants.bin")' in (SMOKE / "lib.rs").read_text()
    spared = report["host_minimum_arena_bytes_without_table"] - report["host_minimum_arena_bytes"]
    assert spared >= (len(table) - 8) * 5 // 9 > 0


def test_a_model_whose_arena_exceeds_the_board_fails_with_limit_and_need(tmp_path: Path) -> None:
    description = describe(MOBILENET, tmp_path)
    need = json.loads(description.read_text())["minimum_arena_bytes"]
    result = generate(MOBILENET, description, tmp_path, f"--memory_x={BOARDS / 'nano33_ble/memory.x'}")
    assert result.returncode != 0
    assert "//test:model" in result.stderr
    assert f"needs a {need:,} B tensor arena but board nano33_ble has {224 * 1024:,} B" in result.stderr
    assert not (tmp_path / "lib.rs").exists(), "nothing is written for a model that does not fit"


def test_the_same_model_fits_the_stm32h743(tmp_path: Path) -> None:
    description = describe(MOBILENET, tmp_path)
    result = generate(MOBILENET, description, tmp_path, f"--memory_x={BOARDS / 'stm32h743/memory.x'}")
    assert result.returncode == 0, result.stderr
    board = json.loads((tmp_path / "report.json").read_text())["board"]
    assert board["board"] == "stm32h743" and board["arena_need"] <= board["arena_limit"] == 512 * 1024


def test_a_model_larger_than_flash_fails(tmp_path: Path) -> None:
    board = tmp_path / "tiny_board" / "memory.x"
    board.parent.mkdir()
    board.write_text(
        "MEMORY {\n FLASH : ORIGIN = 0, LENGTH = 256K\n RAM : ORIGIN = 0x20000000, LENGTH = 64K\n"
        " ARENA : ORIGIN = 0x20010000, LENGTH = 16M\n}\n_stack_size = 8K;\n"
    )
    size = MOBILENET.stat().st_size
    with pytest.raises(board_limits.BoardLimitError, match=f"needs {size:,} B of flash but board tiny_board has"):
        board_limits.check(board, size, 1024)


def test_output_classes_must_match_the_model(tmp_path: Path) -> None:
    result = generate(SMOKE / "model.tflite", SMOKE / "description.json", tmp_path, "--class_names=cat,dog,person")
    assert result.returncode != 0
    assert "3 class names were given (cat, dog, person)" in result.stderr


def test_pixel_lookup_quantizes_pixels_through_the_input_range() -> None:
    int8, uint8 = rust_module.InputQuantization(1.0, -128, "int8"), rust_module.InputQuantization(1.0, 0, "uint8")
    assert rust_module.pixel_lookup(int8)[:3] == [0x80, 0x81, 0x82]
    assert rust_module.pixel_lookup(uint8) == list(range(256))
    halved = rust_module.pixel_lookup(rust_module.InputQuantization(2.0, 0, "uint8"))
    assert halved[3] == 2 and halved[255] == 128  # round half to even, as the converter
    assert rust_module.pixel_lookup(rust_module.InputQuantization(0.5, 0, "uint8"))[200] == 255  # clamped
    # TFLM's person_detect: real = pixel / 127.5 - 1, int8 scale 0.007843138, zero point -1.
    minus_one_to_one = rust_module.pixel_values(rust_module.InputQuantization(0.007843138, -1, "int8"), (-1.0, 1.0))
    assert minus_one_to_one[0] == -128 and minus_one_to_one[255] == 126
    assert minus_one_to_one == sorted(minus_one_to_one) and len(set(minus_one_to_one)) >= 250


# The 2020 TFLM person detector: uint8 input, scale 1/127, zero point 128 (real -1..1).
GRAYSCALE_2020 = Path("../tfmicro/examples/models/person_detection_grayscale.tflite")


def test_a_model_trained_on_minus_one_to_one_fed_raw_pixels_fails_with_the_numbers(tmp_path: Path) -> None:
    # Raw pixels through its input quantization would clip every pixel above 1: the firmware
    # would answer the same for every frame.
    description = describe(GRAYSCALE_2020, tmp_path)
    result = generate(GRAYSCALE_2020, description, tmp_path, "--class_names=unused,person,no_person")
    assert result.returncode != 0
    assert "//test:model: PIXEL_TO_INPUT would clip 254 of 256 pixel values (pixels 2..255 fall outside 0..255" in (
        result.stderr
    )
    assert "covers real values -1.00787 to 1, and pixels 0 and 255 are taken as real values 0 and 255" in result.stderr
    assert "set input_range on tflite_rust_module" in result.stderr
    assert not (tmp_path / "lib.rs").exists()
    fixed = generate(
        GRAYSCALE_2020, description, tmp_path, "--class_names=unused,person,no_person",
        "--input_range=-1,1",
    )  # fmt: skip
    assert fixed.returncode == 0, fixed.stderr
    assert "pub const PERSON: usize = 1;" in (tmp_path / "lib.rs").read_text()


def test_an_input_range_that_merges_pixels_fails(tmp_path: Path) -> None:
    # The smoke model takes raw pixels (scale 1); told its input is 0..1, 128 pixels would
    # share each of two input values.
    result = generate(SMOKE / "model.tflite", SMOKE / "description.json", tmp_path, "--input_range=0,1")
    assert result.returncode != 0
    assert "PIXEL_TO_INPUT would map 128 pixel values to the one input value -128" in result.stderr
    result = generate(SMOKE / "model.tflite", SMOKE / "description.json", tmp_path, "--input_range=nan,1")
    assert result.returncode != 0 and "must be two different finite numbers" in result.stderr


def test_the_class_list_must_name_the_person_class(tmp_path: Path) -> None:
    result = generate(SMOKE / "model.tflite", SMOKE / "description.json", tmp_path, "--class_names=cat,dog")
    assert result.returncode != 0
    assert "class_names (cat, dog) must name exactly one class `person`" in result.stderr


if __name__ == "__main__":
    raise SystemExit(pytest.main([__file__, "-q"]))
