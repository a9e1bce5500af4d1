"""The model sweep: the default's choice and the report on made-up numbers, then the whole
code path (nested Bazel build of //bench/sweep, QEMU, table, plot) on one candidate of the
smoke recipe on the smoke dataset."""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import pytest

from bench import model_sweep
from bench.model_sweep import BoardResult, Candidate
from tools.remote_cache.nested_bazel import workspace

KIB = 1024
SMOKE_RECIPE = "//training:configs/smoke.json"


def plugin() -> Path:
    for argument in sys.argv:
        if argument.startswith("--plugin="):
            return Path(argument.removeprefix("--plugin=")).resolve()
    raise AssertionError("the BUILD file passes --plugin")


def made_up(alpha: str, size: str, auc: float, arena_kib: int, family: str = "mobilenet_v2") -> Candidate:
    arena = arena_kib * KIB
    built = arena <= 512 * KIB
    return Candidate(
        alpha,
        size,
        family=family,
        recipe="//training:configs/default.json",
        external_auc=auc,
        external_accuracy=auc - 0.05,
        external_recall_at_5pct_fp=auc - 0.2,
        fp32_accuracy=0.805,
        int8_accuracy=0.8,
        tflite_bytes=400 * KIB,
        arena_bytes=arena,
        macs=10_000_000,
        instructions=300e6,
        training_seconds=60.0,
        boards={
            "qemu_mps2_an386": BoardResult(
                "qemu_mps2_an386", True, 500 * KIB, 4096 * KIB, 64 * KIB, arena, 16384 * KIB
            ),
            "stm32h743": BoardResult("stm32h743", True, 500 * KIB, 2048 * KIB, 64 * KIB, arena, 512 * KIB)
            if built
            else BoardResult(
                "stm32h743", False, reason="the model needs a big arena but board stm32h743 has 524,288 B"
            ),
            "nano33_ble": BoardResult("nano33_ble", False, reason="too big"),
        },
    )


def test_default_is_the_best_on_real_photographs_that_fits_with_headroom() -> None:
    small = made_up("0.35", "96x96", 0.70, 200)
    tight = made_up("0.5", "128x96", 0.80, 480)  # fits, but with 6% to spare
    large = made_up("0.75", "160x120", 0.90, 900)  # does not fit at all
    assert model_sweep.choose_default([small, tight, large], 0.10) is small
    assert model_sweep.choose_default([small, tight, large], 0.05) is tight
    assert model_sweep.choose_default([large], 0.10) is None
    failed = Candidate("0.5", "96x96", error="the chain did not build")
    assert model_sweep.choose_default([failed, small], 0.10) is small
    # The external AUC decides, not the accuracy on the synthetic test split.
    teacher_like = made_up("0.25", "160x120", 0.92, 150, family="mobilenet_v1")
    teacher_like.int8_accuracy = 0.6
    assert model_sweep.choose_default([small, teacher_like], 0.10) is teacher_like


def test_table_marks_fits_headroom_and_the_default() -> None:
    candidates = [made_up("0.35", "96x96", 0.70, 200), made_up("0.5", "128x96", 0.80, 480)]
    limits = model_sweep.board_limits(workspace())
    text = model_sweep.markdown(candidates, candidates[0], 0.10, limits)
    rows = [line for line in text.splitlines() if line.startswith("| MobileNetV2")]
    assert len(rows) == 2 and "**(default)**" in rows[0] and "**(default)**" not in rows[1]
    assert rows[0].startswith("| MobileNetV2 0.35, 96x96 **(default)** | 0.7000 | 0.6500 | 0.500 |")
    assert "fits (39% of arena RAM, 500.0 KiB flash, 64.0 KiB data + stack)" in rows[0]
    assert "fits, under headroom (94% of arena RAM" in rows[1]
    assert rows[0].count("does not fit") == 1  # the Nano 33 class
    assert "Default: MobileNetV2 0.35, 96x96, the candidate with the highest AUC on the external evaluation" in text
    teacher = {"auc": 0.88, "accuracy": 0.87, "person_recall_at_5pct_fp": 0.79}
    anchored = model_sweep.markdown(candidates, candidates[0], 0.10, limits, teacher)
    (anchor,) = [line for line in anchored.splitlines() if line.startswith("| teacher")]
    assert "(anchor) | 0.8800 | 0.8700 | 0.790 | —" in anchor


def test_board_limit_reason_is_kept_from_the_build_log() -> None:
    log = (
        "ERROR: ... Embedding model failed: the model needs a 494,128 B tensor arena but board nano33_ble "
        "has 229,376 B of contiguous arena RAM (ARENA in its memory.x); use a smaller model\n"
    )
    result = model_sweep.board_result("nano33_ble", None, log)
    assert not result.built and not result.fits()
    assert result.reason.startswith("the model needs a 494,128 B tensor arena but board nano33_ble has 229,376 B")


def test_training_time_only_when_the_training_ran(tmp_path: Path) -> None:
    profile, log = tmp_path / "profile.json", tmp_path / "execution_log.json"
    name = "Training //bench/sweep:model (two phases, then the FP32 evaluation)"
    profile.write_text(json.dumps({"traceEvents": [{"ph": "X", "cat": "action processing", "name": name, "dur": 9e8}]}))
    log.write_text(json.dumps({"mnemonic": "TrainKerasModel", "remoteCacheHit": False}))
    assert model_sweep.training_seconds(profile, log) == 900.0
    log.write_text(json.dumps({"mnemonic": "TrainKerasModel", "remoteCacheHit": True}))
    assert model_sweep.training_seconds(profile, log) is None, "answered by the disk cache"
    log.write_text(json.dumps({"mnemonic": "Genrule", "remoteCacheHit": False}))
    profile.write_text(json.dumps([{"ph": "X", "cat": "action dependency checking", "name": name, "dur": 2e4}]))
    assert model_sweep.training_seconds(profile, log) is None, "answered by the action cache"


@pytest.fixture(scope="module")
def swept(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Candidate], Candidate | None]:
    scratch = tmp_path_factory.mktemp("sweep")
    candidates, chosen = model_sweep.sweep(
        grid=[(SMOKE_RECIPE, "0.35", "96x96")],
        out=scratch / "out",
        dataset="//training:smoke_dataset",
        plugin=plugin(),
        output_base=scratch / "output_base",
        disk_cache=None,
        frames_per_class=1,
        bazel_args=["--//bench/sweep:agreement_gate=off"],
        compared=[],
    )
    return scratch / "out", candidates, chosen


def test_one_candidate_measured_end_to_end(swept: tuple[Path, list[Candidate], Candidate | None]) -> None:
    out, candidates, _ = swept
    (candidate,) = candidates
    assert candidate.error is None, candidate.error
    assert 0 <= candidate.fp32_accuracy <= 1 and 0 <= candidate.int8_accuracy <= 1
    folder = out / candidate.name
    assert candidate.tflite_bytes == (folder / "model.tflite").stat().st_size
    report = json.loads((folder / "report.json").read_text())
    assert report["input"]["shape"] == [1, 96, 96, 1], "the candidate's input size reached the model"
    assert candidate.arena_bytes > 0 and candidate.macs == report["macs_per_inference"]
    assert candidate.instructions > candidate.macs, "every MAC costs at least one instruction"
    assert candidate.host_agreement == 1.0, "the device's bytes equal the host TFLM's"
    assert candidate.training_seconds > 0
    qemu = candidate.boards["qemu_mps2_an386"]
    assert qemu.built and qemu.fits() and qemu.arena_used >= candidate.arena_bytes
    assert candidate.boards["stm32h743"].built, candidate.boards["stm32h743"].reason
    assert (candidate.family, candidate.recipe) == ("mobilenet_v2", SMOKE_RECIPE)
    assert 0 <= candidate.external_auc <= 1 and candidate.teacher_external["auc"] > 0.8


def test_report_table_plot_and_record(swept: tuple[Path, list[Candidate], Candidate | None]) -> None:
    out, candidates, chosen = swept
    assert chosen is candidates[0], "a 96x96 alpha-0.35 model fits the STM32H743 with room to spare"
    text = (out / "sweep.md").read_text()
    assert "| MobileNetV2 0.35, 96x96 **(default)** |" in text
    assert "| teacher: TFLM person_detect, MobileNetV1 0.25, 96x96 (anchor) |" in text
    assert (out / "sweep.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    record = json.loads((out / "sweep.json").read_text())
    assert record["default"] == "v2_a0.35_96x96" and len(record["candidates"]) == 1
    smoke = model_sweep.sweep_records.recipe_of(SMOKE_RECIPE, "//d:d", workspace())
    assert smoke.recipe_sha256 is not None and record["recipes"][0]["recipe_sha256"] == smoke.recipe_sha256
    folder = out / candidates[0].name
    assert candidates[0].model_sha256 == hashlib.sha256((folder / "model.tflite").read_bytes()).hexdigest()
    assert candidates[0].cpu and candidates[0].commit, "each row says where it was measured"
    assert f"Measured at {candidates[0].commit} on {candidates[0].cpu}: v2_a0.35_96x96." in text


def test_a_later_run_reports_the_recorded_candidate_without_measuring(
    swept: tuple[Path, list[Candidate], Candidate | None], tmp_path: Path
) -> None:
    out, candidates, _ = swept
    reported, chosen = model_sweep.sweep(
        grid=[],
        out=tmp_path,
        dataset="//training:smoke_dataset",
        plugin=plugin(),
        output_base=tmp_path / "unused_output_base",
        disk_cache=None,
        include=[out / candidates[0].name / "candidate.json"],
        compared=[SMOKE_RECIPE],
    )
    assert reported == candidates and chosen == candidates[0]
    assert not (tmp_path / "unused_output_base").exists(), "nothing was built"
    assert (tmp_path / "sweep.md").read_text() == (out / "sweep.md").read_text()


if __name__ == "__main__":
    raise SystemExit(pytest.main([__file__, "-q", "-x", "-p", "no:cacheprovider"]))
