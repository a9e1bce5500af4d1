"""The detector image under QEMU on a dataset split: accuracy on the device, agreement with
the host TFLM, exact instructions per inference, and memory against the board. The
library behind `bazel run //bench:device` (device.py) and the model sweep.
"""

from __future__ import annotations

import dataclasses
import json
import re
import statistics
import subprocess
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tqdm import tqdm

from firmware.harness import frames, qemu_detector, reference

# Frames per QEMU run: each run boots in a fraction of a second, an inference takes seconds.
FRAMES_PER_RUN = 20


def run_chunks(elf: Path, frame_files: list[Path], plugin: Path, jobs: int) -> list[qemu_detector.FrameResult]:
    """QEMU is single-threaded: run chunks of frames on `jobs` emulators at a time (small
    chunks, so that progress shows), keep frame order."""
    size = min(FRAMES_PER_RUN, -(-len(frame_files) // jobs))
    chunks = [frame_files[i : i + size] for i in range(0, len(frame_files), size)]
    results: list[list[qemu_detector.FrameResult]] = [[] for _ in chunks]
    with tqdm(total=len(frame_files), desc="QEMU", unit="frame") as progress, ThreadPoolExecutor(jobs) as pool:
        futures = {
            pool.submit(qemu_detector.run, elf, chunk, 2, plugin, 24 * 3600): index
            for index, chunk in enumerate(chunks)
        }
        for future, index in futures.items():
            run = future.result()
            if run.exit_code != 0:
                raise RuntimeError(f"the image failed on chunk {index} (exit {run.exit_code}):\n{run.console[-2000:]}")
            results[index] = run.frames
            progress.update(len(chunks[index]))
    return [result for chunk in results for result in chunk]


@dataclasses.dataclass(frozen=True)
class DeviceArena:
    """The device runner's arena figures (tflm_batch::Summary), in bytes."""

    minimum: int  # the exact smallest arena, with the channel constants table in flash
    used: int  # what stays allocated in it
    activations: int  # of `used`: the activations' memory plan
    interpreter: int  # of `used`: the wrapper's interpreter object
    channel_constants: int  # the table's size (in flash)
    without_table: int | None  # the smallest arena with the constants computed into it

    @property
    def overhead(self) -> int:
        return self.minimum - self.activations

    def breakdown(self) -> str:
        """The arena as activations plus each overhead, in one line."""
        text = (
            f"{self.minimum:,} B = activations {self.activations:,} + TFLM and kernel state "
            f"{self.used - self.activations - self.interpreter:,} + interpreter object {self.interpreter:,}"
        )
        if self.minimum > self.used:
            text += f" + planner's transient room {self.minimum - self.used:,}"
        text += f" (overhead {self.overhead / self.activations:.1%} of the activations)"
        if self.without_table is not None:
            text += (
                f"; the {self.channel_constants:,} B channel constants table in flash spares "
                f"{self.without_table - self.minimum:,} B (without it {self.without_table:,} B)"
            )
        return text


def parse_arena(console: str) -> DeviceArena:
    """The arena figures the device runner printed (its Summary, Debug-formatted)."""
    fields = {name: int(value) for name, value in re.findall(r"(\w+): (?:Some\()?(\d+)", console)}
    without = re.search(r"minimum_arena_bytes_without_table: (?:Some\()?(\d+|None)", console)
    return DeviceArena(
        minimum=fields["minimum_arena_bytes"],
        used=fields["arena_used_bytes"],
        activations=fields["arena_activation_bytes"],
        interpreter=fields["arena_interpreter_bytes"],
        channel_constants=fields["channel_constants_bytes"],
        without_table=None if without is None or without.group(1) == "None" else int(without.group(1)),
    )


def device_arena(device_runner: Path, model: Path, frame: Path) -> DeviceArena:
    """The exact smallest arena on the device (32-bit pointers), from the device runner."""
    with tempfile.TemporaryDirectory() as scratch:
        inputs = Path(scratch) / "inputs.bin"
        # Any input of the right size: the arena does not depend on the values.
        inputs.write_bytes(bytes(frame.stat().st_size))
        append = f"--model={model.resolve()} --inputs={inputs} --outputs={Path(scratch) / 'out.bin'}"
        argv = qemu_detector.qemu_command(device_runner, append)
        done = subprocess.run(argv, capture_output=True, text=True, check=True, timeout=3600)
    return parse_arena(done.stdout + done.stderr)


def minimum_arena(console: str) -> int:
    """The exact smallest arena the device runner printed."""
    return parse_arena(console).minimum


def report(
    args: dict,
    results: list[qemu_detector.FrameResult],
    test_frames: list[frames.Frame],
    host: list[bytes],
    seconds: float,
) -> tuple[str, dict]:
    size, codegen = args["size"], args["codegen"]
    detections = [r for r in results if r.error is None]
    pairs = zip(results, test_frames, strict=True)
    correct = sum(frames.CLASSES.index(result.label) == frame.label for result, frame in pairs if result.label)
    agree = sum(r.raw == h for r, h in zip(results, host, strict=True))
    counts = [r.instructions for r in detections if r.instructions is not None]
    mean = statistics.fmean(counts)
    flash, ram, arena = size["flash"], size["ram"], size["arena"]
    lines = [
        f"Image `{args['elf']}` on board `{size['board']}`, model sha256 `{codegen['sha256'][:16]}…`, "
        f"{len(results)} frames of the `{args['split']}` split.",
        "",
        "| measure | value |",
        "|---|---|",
        f"| accuracy on device | {correct / len(results):.4f} ({correct}/{len(results)}) |",
        f"| outputs identical to host TFLM (tflite-micro) | {agree / len(results):.2%} ({agree}/{len(results)}) |",
        f"| frames failed on device | {len(results) - len(detections)} |",
        f"| instructions per inference (mean) | {mean:,.0f} |",
        f"| instructions per inference (min … max) | {min(counts):,} … {max(counts):,} |",
        f"| MACs per inference | {codegen['macs']:,} |",
        f"| instructions per MAC | {mean / codegen['macs']:.2f} |",
        f"| model (.tflite) | {codegen['model_bytes']:,} B |",
        f"| flash used | {flash['used']:,} B of {flash['limit']:,} B ({flash['used'] / flash['limit']:.1%}) |",
        f"| RAM used (static + stack) | {ram['used']:,} B of {ram['limit']:,} B ({ram['used'] / ram['limit']:.1%}) |",
        f"| arena region used | {arena['used']:,} B of {arena['limit']:,} B ({arena['used'] / arena['limit']:.1%}) |",
        f"| tensor arena (generated, host-measured) | {codegen['arena_bytes']:,} B |",
    ]
    device = args.get("device_arena")
    if device:
        lines.append(f"| tensor arena (exact minimum on the device) | {device.breakdown()} |")
    lines += [f"| QEMU wall time | {seconds:.0f} s ({args['jobs']} emulators) |", ""]
    numbers = {
        "frames": len(results),
        "failed": len(results) - len(detections),
        "accuracy": correct / len(results),
        "host_agreement": agree / len(results),
        "instructions_mean": mean,
        "instructions_per_mac": mean / codegen["macs"],
        "device_arena": device.minimum if device else None,
        "device_arena_activations": device.activations if device else None,
    }
    return "\n".join(lines), numbers


def benchmark(
    elf: Path,
    size_report: Path,
    codegen_report: Path,
    model: Path,
    dataset: Path,
    plugin: Path,
    device_runner: Path | None,
    split: str = "test",
    limit: int | None = None,
    jobs: int = 1,
) -> tuple[str, dict]:
    """Runs everything; returns the Markdown report and its numbers."""
    with tempfile.TemporaryDirectory() as scratch:
        test_frames = frames.write_split(dataset, split, Path(scratch), limit)
        print(f"{len(test_frames)} frames from {dataset}/{split}; host TFLM reference…")
        table = reference.pixel_table(codegen_report)
        host = reference.outputs(model, [frames.pixels(f.path) for f in test_frames], table)
        start = time.monotonic()
        results = run_chunks(elf, [f.path for f in test_frames], plugin, max(1, jobs))
        seconds = time.monotonic() - start
        arena = device_arena(device_runner, model, test_frames[0].path) if device_runner else None
    args = {
        "elf": str(elf),
        "split": split,
        "jobs": jobs,
        "size": json.loads(size_report.read_text()),
        "codegen": json.loads(codegen_report.read_text()),
        "device_arena": arena,
    }
    return report(args, results, test_frames, host, seconds)
