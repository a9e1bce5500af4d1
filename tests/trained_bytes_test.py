"""The smoke chain trains and converts to the recorded bytes on this machine: training and
int8 conversion compute the same bits on every AVX2 CPU (training/portable_numerics.py),
so a machine that produces other bytes is a regression, named with its CPU."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

RECORD = Path("tests/trained_bytes.json")


def cpu() -> str:
    """This machine's CPU as /proc/cpuinfo names it, with the vector extensions that matter."""
    info = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    fields = {key.strip(): value.strip() for key, _, value in (line.partition(":") for line in info.splitlines())}
    name = fields.get("model name", "unknown CPU")
    flags = set(fields.get("flags", "").split())
    present = [flag for flag in ("avx2", "fma", "avx512f", "amx_tile") if flag in flags]
    return f"{name} ({', '.join(present) or 'no AVX2'})"


def mismatches(record: dict[str, object], root: Path = Path()) -> list[str]:
    artifacts: dict[str, str] = record["sha256"]  # type: ignore[assignment]
    messages = []
    for path, expected in sorted(artifacts.items()):
        actual = hashlib.sha256((root / path).read_bytes()).hexdigest()
        if actual != expected:
            messages.append(
                f"{path}: sha256 {actual}, recorded {expected} (on {record['recorded_on']}); "
                f"this machine, {cpu()}, computes other bytes"
            )
    return messages


def test_the_smoke_chain_gives_the_recorded_bytes() -> None:
    record = json.loads(RECORD.read_text())
    assert set(record["sha256"]) == {"training/smoke_model/model.keras", "quantization/smoke_int8/model.tflite"}
    problems = mismatches(record)
    assert not problems, (
        "\n".join(problems) + "\nTraining or conversion follows the CPU again: see training/portable_numerics.py. "
        f"If a change of the recipe, data or toolchain is meant to change these bytes, update {RECORD}."
    )


def test_a_difference_names_the_artifact_and_the_cpu(tmp_path: Path) -> None:
    (tmp_path / "model.keras").write_bytes(b"other bytes")
    record = {"recorded_on": "a reference machine", "sha256": {"model.keras": "0" * 64}}
    (message,) = mismatches(record, tmp_path)
    assert message.startswith("model.keras: sha256 ") and "recorded 000" in message
    assert cpu() in message and "a reference machine" in message


if __name__ == "__main__":
    raise SystemExit(pytest.main([__file__, "-q"]))
