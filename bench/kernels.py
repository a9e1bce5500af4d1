"""Instructions per operator of one inference and the tensor arena, with the shim's own
int8 kernels and with TFLM's reference kernels, side by side (`bazel run //bench:kernels`).

Each model runs once in the device runner under QEMU (Cortex-M4F, MPS2-AN386) per kernel
set; the insn_count plugin counts the instructions between the shim's operator markers,
one count per operator. Counts depend on the input only through clamps, so a seeded
pseudo-random input stands in for a frame. Time per frame is estimated as instructions at
one per cycle, at each board's core clock.
"""

from __future__ import annotations

import collections
import dataclasses
import subprocess
import tempfile
from pathlib import Path

import numpy as np
from absl import app, flags
from tensorflow.lite.tools import flatbuffer_utils

from bench.device_benchmark import DeviceArena, parse_arena
from firmware.harness import qemu_detector
from quantization.audit import operators
from toolchains.qemu.insn_count import markers
from tools.cli import cli_path

RUNNERS = flags.DEFINE_multi_string("runner", [], "KERNEL_SET=device_runner.elf (own, reference).")
MODELS = flags.DEFINE_multi_string("model", [], "NAME=model.tflite.")
PLUGIN = flags.DEFINE_string("plugin", None, "The insn_count QEMU plugin.", required=True)

BOARDS_MHZ = {"STM32H743 (Cortex-M7, 480 MHz)": 480, "nRF52840 (Cortex-M4F, 64 MHz)": 64}
_BEGIN, _END = "tflm_shim_operator_begin", "tflm_shim_operator_end"


@dataclasses.dataclass(frozen=True)
class Operator:
    kind: str  # e.g. "CONV_2D 1x1", "DEPTHWISE_CONV_2D s2"
    macs: int


def model_operators(tflite: bytes) -> tuple[list[Operator], int]:
    """The operators in execution order, each with its kind and MACs; the input's bytes."""
    model = flatbuffer_utils.convert_bytearray_to_object(bytearray(tflite))
    graph = model.subgraphs[0]

    def shape(index: int) -> list[int]:
        return [int(d) for d in graph.tensors[index].shape]

    found = []
    for op in operators(model):
        raw = graph.operators[op.index]
        kind, macs = op.name, 0
        if op.name in ("CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED"):
            output, weights = shape(raw.outputs[0]), shape(raw.inputs[1])
            if op.name == "CONV_2D":
                macs = int(np.prod(output)) * weights[1] * weights[2] * weights[3]
                kind += f" {weights[1]}x{weights[2]}" + (" (1 input channel)" if weights[3] == 1 else "")
            elif op.name == "DEPTHWISE_CONV_2D":
                macs = int(np.prod(output)) * weights[1] * weights[2]
                kind += f" {weights[1]}x{weights[2]} stride {raw.builtinOptions.strideH}"
            else:
                macs = int(np.prod(output)) * weights[1]
        found.append(Operator(kind, macs))
    return found, int(np.prod(shape(graph.inputs[0])))


@dataclasses.dataclass(frozen=True)
class Run:
    operator_instructions: list[int]  # one count per operator, in execution order
    arena_detail: DeviceArena  # the device's arena: its exact minimum and what it holds

    @property
    def arena(self) -> int:
        """The exact smallest tensor arena on the device."""
        return self.arena_detail.minimum


def run(runner: Path, model: Path, input_bytes: int, plugin: Path) -> Run:
    """One inference in the device runner: each operator's instructions and the arena."""
    with tempfile.TemporaryDirectory() as scratch_dir:
        scratch = Path(scratch_dir)
        inputs, counts = scratch / "inputs.bin", scratch / "counts.txt"
        inputs.write_bytes(np.random.default_rng(0).integers(0, 256, input_bytes, dtype=np.uint8).tobytes())
        append = f"--model={model.resolve()} --inputs={inputs} --outputs={scratch / 'outputs.bin'}"
        argv = qemu_detector.qemu_command(runner, append)
        argv += markers.plugin_args(plugin.resolve(), runner, _BEGIN, _END, counts)
        done = subprocess.run(argv, capture_output=True, text=True, timeout=3600, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"{runner} failed on {model} (exit {done.returncode}):\n{done.stdout[-2000:]}")
        instructions = [int(line) for line in counts.read_text().split()]
        return Run(instructions, parse_arena(done.stdout + done.stderr))


def table(name: str, ops: list[Operator], runs: dict[str, Run]) -> str:
    counts = {kernel_set: result.operator_instructions for kernel_set, result in runs.items()}
    arenas = {kernel_set: result.arena for kernel_set, result in runs.items()}
    sets = list(counts)
    for kernel_set, numbers in counts.items():
        if len(numbers) != len(ops):
            raise RuntimeError(f"{name}: {kernel_set} counted {len(numbers)} operators, the model has {len(ops)}")
    rows: dict[str, dict[str, int]] = collections.defaultdict(lambda: collections.Counter())
    for index, op in enumerate(ops):
        rows[op.kind]["macs"] += op.macs
        for kernel_set in sets:
            rows[op.kind][kernel_set] += counts[kernel_set][index]
    total_macs = sum(op.macs for op in ops)
    header = "| operator | MACs | " + " | ".join(f"{s} insn | {s} insn/MAC" for s in sets)
    lines = [f"### {name}", "", header + " | speed-up |", "|---" * (2 + 2 * len(sets) + 1) + "|"]

    def row(label: str, values: dict[str, int], macs: int) -> str:
        cells = [f"{values[s]:,} | " + (f"{values[s] / macs:.2f}" if macs else "-") for s in sets]
        ratio = f"{values['reference'] / values['own']:.1f}x" if len(sets) > 1 and values["own"] else "-"
        return f"| {label} | {macs:,} | " + " | ".join(cells) + f" | {ratio} |"

    for kind, values in sorted(rows.items(), key=lambda item: -item[1][sets[-1]]):
        lines.append(row(kind, values, values["macs"]))
    totals = {s: sum(counts[s]) for s in sets}
    lines.append(row("**whole model**", totals, total_macs))
    lines.append("")
    lines.append("- tensor arena, exact minimum on the device: " + ", ".join(f"{s} {arenas[s]:,} B" for s in sets))
    for kernel_set, result in runs.items():
        lines.append(f"- {kernel_set} arena: {result.arena_detail.breakdown()}")
    for board, mhz in BOARDS_MHZ.items():
        estimates = ", ".join(f"{s} {totals[s] / (mhz * 1e3):,.0f} ms" for s in sets)
        lines.append(f"- {board}, instructions at one per cycle: {estimates}")
    return "\n".join(lines)


def main(argv: list[str]) -> None:
    del argv
    runners = dict(value.split("=", 1) for value in RUNNERS.value)
    if set(runners) - {"own", "reference"} or not runners:
        raise app.UsageError("--runner=own=ELF and/or --runner=reference=ELF")
    ordered = {s: cli_path(runners[s]) for s in ("reference", "own") if s in runners}
    for value in MODELS.value:
        name, path = value.split("=", 1)
        model = cli_path(path)
        ops, input_bytes = model_operators(model.read_bytes())
        runs = {s: run(runner, model, input_bytes, cli_path(PLUGIN.value)) for s, runner in ordered.items()}
        print(table(name, ops, runs), "\n", flush=True)


if __name__ == "__main__":
    app.run(main)
