"""Runs the person-detector firmware under QEMU on frame files and reads back what it did:
the console line of every frame, the raw output bytes (--scores) and, with the
instruction-counting plugin, the exact instructions of each inference."""

from __future__ import annotations

import dataclasses
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from toolchains.qemu.insn_count import markers

MACHINE = "mps2-an386"
BEGIN, END = "mcu_rt_inference_begin", "mcu_rt_inference_end"
_DETECTION = re.compile(
    r"^frame (?P<index>\d+) (?P<name>\S+): (?P<label>\w+) (?P<score>[\d.]+) raw \[(?P<raw>[^\]]*)\]"
)
_ERROR = re.compile(r"^frame (?P<index>\d+) (?P<name>\S+): error: (?P<error>.*)$")
_HEADER = re.compile(r"^person detector on (?P<board>\S+): model (?P<sha256>[0-9a-f]{64})")


@dataclasses.dataclass
class FrameResult:
    index: int
    name: str
    label: str | None = None  # the class the firmware reported
    score: float | None = None
    raw: bytes | None = None  # output tensor bytes, from the --scores file
    error: str | None = None
    instructions: int | None = None


@dataclasses.dataclass
class Run:
    exit_code: int
    console: str
    model_sha256: str | None
    frames: list[FrameResult]

    @property
    def detections(self) -> list[FrameResult]:
        return [frame for frame in self.frames if frame.error is None]


def qemu_command(elf: Path, append: str) -> list[str]:
    """qemu-system-arm running `elf` on MACHINE with the semihosting console on stdout and
    `append` as its command line; nothing else attached that could block."""
    qemu = shutil.which("qemu-system-arm")
    if qemu is None:
        raise FileNotFoundError("qemu-system-arm not found; install Debian's qemu-system-arm (tools/setup.sh does)")
    return [
        qemu, "-M", MACHINE, "-display", "none", "-serial", "null", "-monitor", "none", "-nodefaults",
        "-nic", "none", "-chardev", "stdio,id=console,mux=off",
        "-semihosting-config", "enable=on,target=native,chardev=console",
        "-kernel", str(elf), "-append", append,
    ]  # fmt: skip


def run(
    elf: Path,
    frames: list[Path],
    output_bytes: int,
    plugin: Path | None = None,
    timeout_s: float = 600,
) -> Run:
    """Runs `elf` on `frames` (through a --frame_list file, so any number fits)."""
    with tempfile.TemporaryDirectory() as scratch_dir:
        scratch = Path(scratch_dir)
        frame_list, scores, counts = scratch / "frames.txt", scratch / "scores.bin", scratch / "counts.txt"
        frame_list.write_text("".join(f"{frame.resolve()}\n" for frame in frames))
        argv = qemu_command(elf, f"--frame_list={frame_list} --scores={scores}")
        if plugin is not None:
            argv += markers.plugin_args(plugin.resolve(), elf, BEGIN, END, counts)
        done = subprocess.run(argv, capture_output=True, text=True, timeout=timeout_s, check=False)
        console = done.stdout + done.stderr
        raw = scores.read_bytes() if scores.exists() else b""
        instructions = [int(line) for line in counts.read_text().split()] if counts.exists() else []
    return Run(done.returncode, console, _model_sha256(console), _frames(console, raw, output_bytes, instructions))


def _model_sha256(console: str) -> str | None:
    for line in console.splitlines():
        if match := _HEADER.match(line):
            return match["sha256"]
    return None


def _frames(console: str, raw: bytes, output_bytes: int, instructions: list[int]) -> list[FrameResult]:
    """Frames in index order; the nth detection owns the nth scores record and, when the
    plugin ran, the nth instruction count (failed frames never reach the inference)."""
    found: dict[int, FrameResult] = {}
    for line in console.splitlines():
        if match := _DETECTION.match(line):
            found[int(match["index"])] = FrameResult(
                int(match["index"]), match["name"], match["label"], float(match["score"])
            )
        elif match := _ERROR.match(line):
            found[int(match["index"])] = FrameResult(int(match["index"]), match["name"], error=match["error"])
    frames = [found[index] for index in sorted(found)]
    detections = [frame for frame in frames if frame.error is None]
    if len(raw) != output_bytes * len(detections):
        raise ValueError(
            f"the scores file has {len(raw)} bytes for {len(detections)} detections of {output_bytes} bytes each"
        )
    for number, frame in enumerate(detections):
        frame.raw = raw[number * output_bytes : (number + 1) * output_bytes]
        if instructions:
            frame.instructions = instructions[number]
    return frames
