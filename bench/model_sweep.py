"""Chooses the default model by measurement: each candidate (a family's recipe, width
multiplier and input size) goes through the product's chain, and its accuracy on real
photographs, memory and device cost are reported side by side against three boards.

    bazel run //bench:model_sweep                       # the whole GRID
    bazel run //bench:model_sweep -- --recipe=//training:configs/mobilenet_v2.json --widths=0.5 --inputs=160x120

(model_sweep_cli.py is that command line; this module does the work.)

Per candidate, one nested Bazel build of //bench/sweep (its recipe, the same dataset resized
to the input size, same int8 conversion, codegen and firmware as the product) gives FP32
and INT8 test accuracy, the INT8 model's scores on the external evaluation set (real
photographs, //data_tools:external_evaluation_set) with the teacher's beside them, the
.tflite, the measured TFLM arena, the MACs, and the firmware
for the QEMU board, the STM32H743 and the Nano 33 BLE class (256 KB SRAM / 1 MB flash);
an image that does not fit its board fails its build early, and the reason is kept. The
QEMU image then runs a few test frames under the instruction-counting plugin. Training
time comes from the build's profile (a training answered by the cache reuses the time
recorded when it ran).

Writes sweep.md (the table, with the teacher as an anchor row), sweep.png (external AUC
against RAM, board limits as lines) and sweep.json to --out, and names the default: the
candidate with the highest AUC on the external evaluation whose arena fits the STM32H743's
contiguous AXI SRAM with at least --headroom to spare.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import time
from pathlib import Path

from bench import device_benchmark, sweep_records
from bench.sweep_candidate import BoardResult, Candidate, parse_input
from toolchains.image import memory_map
from tools.remote_cache import execution_log as execution_log_reader
from tools.remote_cache.nested_bazel import bazel, shutdown, workspace
from training import config as training_config

# Each family's recipe and the (width, input) pairs measured with it; what they train on,
# and the share of the real board's arena RAM the default leaves free. MobileNetV1 starts
# from the teacher's weights, which exist at width 0.25 only. MobileNetV2 trains from
# scratch (with distillation), many times longer a candidate: its grid holds the former
# default's width and input and the smallest candidate, the rows measured on this dataset.
INPUTS = ("160x120", "128x96", "96x96")
RECIPE = "//training:configs/default.json"
MOBILENET_V2_RECIPE = "//training:configs/mobilenet_v2.json"
GRID = {
    RECIPE: tuple(("0.25", size) for size in INPUTS),
    MOBILENET_V2_RECIPE: (("0.5", "160x120"), ("0.35", "96x96")),
}
DATASET = "//data_tools:default_dataset"
HEADROOM = 0.10
REAL_BOARD = "stm32h743"
# Real boards: a model that fills the arena region to the last byte leaves a product no room.
HEADROOM_BOARDS = (REAL_BOARD, "nano33_ble")
# The largest INT8 accuracy loss against FP32 a candidate may have, in points.
INT8_TARGET_PP = 1.0
BOARDS = {
    "qemu_mps2_an386": "//bench/sweep:image",
    "stm32h743": "//bench/sweep:image_stm32h743",
    "nano33_ble": "//bench/sweep:image_nano33_ble",
}
BOARD_TITLES = {"qemu_mps2_an386": "QEMU MPS2 AN386", "stm32h743": "STM32H743", "nano33_ble": "Nano 33 BLE class"}
_CANDIDATE = "//bench/sweep:candidate"
_TRAINING = re.compile(r"^Training //bench/sweep:model\b")
_TRAINING_MNEMONIC = "TrainKerasModel"
_BOARD_LIMIT = re.compile(r"(the model needs [^;\n]*? but board \w+ has [\d,]+ B[^;\n]*)")


def flags_for(alpha: str, size: str, recipe: str, dataset: str) -> list[str]:
    return [
        f"--//bench/sweep:alpha={alpha}",
        f"--//bench/sweep:input={size}",
        f"--//bench/sweep:recipe={recipe}",
        f"--//bench/sweep:dataset={dataset}",
    ]


def target_files(output_base: Path, targets: list[str], settings: list[str]) -> dict[str, list[Path]]:
    """The files each of `targets` provides, as paths in the execution root (one cquery)."""
    listed = bazel(
        output_base,
        "cquery",
        *settings,
        "--output=starlark",
        '--starlark:expr=" ".join([str(target.label)] + [f.path for f in target.files.to_list()])',
        " + ".join(targets),
    ).stdout.splitlines()
    execroot = output_base / "execroot" / "tinyml"
    files = {}
    for line in listed:
        label, *paths = line.split()
        files[label] = [execroot / path for path in paths]
    return files


def built_targets(events: Path) -> set[str]:
    """Targets the build completed, from its --build_event_json_file. Outputs on disk are
    not enough: a failed action leaves the previous candidate's files in place."""
    done = set()
    if events.exists():
        for line in events.read_text().splitlines():
            event = json.loads(line)
            label = event.get("id", {}).get("targetCompleted", {}).get("label")
            if label and event.get("completed", {}).get("success"):
                done.add(label)
    return done


def training_seconds(profile: Path, execution_log: Path) -> float | None:
    """The training action's wall time from a build's --profile; None when it did not run.
    An action-cache hit shows in the profile as "action dependency checking"; a disk-cache
    hit is still "action processing", so the execution log says whether the spawn ran."""
    if not profile.exists() or not execution_log.exists():
        return None
    ran = execution_log_reader.executed(execution_log)
    if not ran.get(_TRAINING_MNEMONIC):
        return None
    events = json.loads(profile.read_text())
    events = events["traceEvents"] if isinstance(events, dict) else events
    times = [
        e["dur"] / 1e6
        for e in events
        if e.get("ph") == "X" and e.get("cat") == "action processing" and _TRAINING.match(e.get("name", ""))
    ]
    return max(times) if times else None


def board_result(board: str, size_report: Path | None, stderr: str) -> BoardResult:
    if size_report is None or not size_report.exists():
        found = _BOARD_LIMIT.findall(stderr)
        reason = found[0] if found else "the image did not build (see the build log)"
        return BoardResult(board, built=False, reason=reason)
    report = json.loads(size_report.read_text())
    return BoardResult(
        board,
        built=True,
        flash_used=report["flash"]["used"],
        flash_limit=report["flash"]["limit"],
        ram_used=report["ram"]["used"],
        arena_used=report["arena"]["used"],
        arena_limit=report["arena"]["limit"],
    )


def board_limits(workspace: Path) -> dict[str, memory_map.MemoryMap]:
    return {board: memory_map.parse(workspace / "toolchains/boards" / board / "memory.x") for board in BOARDS}


def measure(candidate: Candidate, settings: dict, results: Path) -> Candidate:
    """Builds the candidate's chain and images, then runs its QEMU image on a few frames;
    its record is written at once (<results>/<candidate>/candidate.json), so that a sweep
    stopped later keeps it."""
    folder = results / candidate.name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    candidate.commit, candidate.cpu = settings["provenance"]
    _build_and_run(candidate, settings, folder)
    (folder / "execution_log.json").unlink(missing_ok=True)  # every spawn's inputs: large, and read by now
    sweep_records.write(folder / "candidate.json", [settings["recipe_record"]], [candidate])
    return candidate


def _build_and_run(candidate: Candidate, settings: dict, folder: Path) -> None:
    output_base: Path = settings["output_base"]
    # The same flags for the build and the cquery, so that it names the files the build wrote.
    config_flags = [
        *settings["bazel_args"],
        *flags_for(candidate.alpha, candidate.input, settings["recipe"], settings["dataset"]),
    ]
    profile, events = folder / "profile.json", folder / "build_events.json"
    execution_log = folder / "execution_log.json"
    built = bazel(
        output_base,
        "build",
        "--keep_going",
        f"--profile={profile}",
        f"--build_event_json_file={events}",
        f"--execution_log_json_file={execution_log}",
        *config_flags,
        _CANDIDATE,
        *BOARDS.values(),
        check=False,
    )
    (folder / "build.log").write_text(built.stderr)
    completed = built_targets(events)
    outputs = target_files(output_base, [_CANDIDATE, *BOARDS.values()], config_flags)
    files = {path.name: path for path in outputs.get(_CANDIDATE, []) if path.exists()}
    needed = [
        "evaluation.json",
        "evaluation_int8.json",
        "external_evaluation.json",
        "report.json",
        "codegen_report.json",
        "image.elf",
    ]
    missing = [name for name in needed if name not in files]
    if missing or _CANDIDATE not in completed:
        limit = _BOARD_LIMIT.findall(built.stderr)
        tail = "\n".join(line for line in built.stderr.splitlines() if line.startswith("ERROR"))[-600:]
        candidate.error = limit[0] if limit else f"the chain did not build ({', '.join(missing)} missing): {tail}"
        shutdown(output_base)
        return
    for name in [*needed[:-1], "image.size.json", "model.tflite", "history.json"]:
        if name in files:
            shutil.copy(files[name], folder / name)
    fp32 = json.loads(files["evaluation.json"].read_text())
    int8 = json.loads(files["evaluation_int8.json"].read_text())
    codegen = json.loads(files["codegen_report.json"].read_text())
    candidate.fp32_accuracy = fp32["accuracy"]
    candidate.int8_accuracy = int8["accuracy"]["tflm_int8"]
    external = json.loads(files["external_evaluation.json"].read_text())["results"]
    candidate.external_auc = external["model"]["auc"]
    candidate.external_accuracy = external["model"]["accuracy"]
    candidate.external_recall_at_5pct_fp = external["model"]["person_recall_at_5pct_fp"]
    candidate.teacher_external = external.get("teacher")
    candidate.tflite_bytes = codegen["model_bytes"]
    candidate.arena_bytes = codegen["arena_bytes"]
    candidate.macs = codegen["macs"]
    candidate.model_sha256 = hashlib.sha256(files["model.tflite"].read_bytes()).hexdigest()

    recorded = folder.parent / f"{candidate.name}.training_seconds"
    seconds = training_seconds(profile, execution_log)
    if seconds is not None:
        recorded.write_text(f"{seconds:.1f}\n")
    elif recorded.exists():  # answered by the cache: the time measured when it ran
        seconds = float(recorded.read_text())
    candidate.training_seconds = seconds

    for board, target in BOARDS.items():
        reports = [p for p in outputs.get(target, []) if p.name.endswith(".size.json")]
        report = reports[0] if reports and target in completed else None
        candidate.boards[board] = board_result(board, report, built.stderr)
    shutdown(output_base)

    dataset = next(p for p in files.values() if p.is_dir() and (p / "manifest.json").exists())
    _, numbers = device_benchmark.benchmark(
        files["image.elf"],
        files["image.size.json"],
        files["codegen_report.json"],
        files["model.tflite"],
        dataset,
        settings["plugin"],
        None,
        "test",
        settings["frames_per_class"],
        os.cpu_count() or 1,
    )
    candidate.instructions = numbers["instructions_mean"]
    candidate.host_agreement = numbers["host_agreement"]


def choose_default(candidates: list[Candidate], headroom: float) -> Candidate | None:
    """The candidate with the highest external AUC (INT8, real photographs) that fits the
    real board with `headroom` to spare; ties go to the fewer MACs, then the smaller arena."""
    fitting = [
        c for c in candidates if c.error is None and REAL_BOARD in c.boards and c.boards[REAL_BOARD].fits(headroom)
    ]
    if not fitting:
        return None
    return max(fitting, key=lambda c: (c.external_auc or 0.0, -(c.macs or 0), -(c.arena_bytes or 0)))


def _number(value: float | None, digits: int = 4) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def _kib(value: int | None) -> str:
    return "—" if value is None else f"{value / 1024:,.1f}"


def _fit_cell(result: BoardResult | None, headroom: float) -> str:
    if result is None:
        return "—"
    if not result.built:
        return "does not fit"
    share = result.arena_used / result.arena_limit if result.arena_used is not None and result.arena_limit else 0
    mark = "fits" if result.fits(headroom) else ("fits, under headroom" if result.fits() else "does not fit")
    return (
        f"{mark} ({share:.0%} of arena RAM, {_kib(result.flash_used)} KiB flash, "
        f"{_kib(result.ram_used)} KiB data + stack)"
    )


def markdown(
    candidates: list[Candidate],
    chosen: Candidate | None,
    headroom: float,
    limits: dict,
    teacher: dict | None = None,
) -> str:
    """The table; `teacher` (the teacher's external metrics) adds the anchor row."""
    header = [
        "candidate",
        "external AUC",
        "external acc",
        "recall at 5% FP",
        "FP32 acc",
        "INT8 acc",
        "Δ pp",
        ".tflite KiB",
        "arena KiB",
        "MACs (M)",
        "instructions (M)",
        "train s",
        *[BOARD_TITLES[b] for b in BOARDS],
    ]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for c in candidates:
        name = c.title + (" **(default)**" if c is chosen else "")
        if c.error:
            lines.append(f"| {name} | failed: {c.error} |" + " |" * (len(header) - 2))
            continue
        cells = [
            name,
            _number(c.external_auc),
            _number(c.external_accuracy),
            _number(c.external_recall_at_5pct_fp, 3),
            f"{c.fp32_accuracy:.4f}",
            f"{c.int8_accuracy:.4f}",
            f"{c.delta_pp:+.2f}" + ("" if c.delta_pp >= -INT8_TARGET_PP else " (over 1 pp)"),
            _kib(c.tflite_bytes),
            _kib(c.arena_bytes),
            f"{c.macs / 1e6:.1f}",
            "—" if c.instructions is None else f"{c.instructions / 1e6:.1f}",
            "—" if c.training_seconds is None else f"{c.training_seconds:.0f}",
            *[_fit_cell(c.boards.get(b), headroom if b in HEADROOM_BOARDS else 0.0) for b in BOARDS],
        ]
        lines.append("| " + " | ".join(cells) + " |")
    if teacher is not None:
        anchor = [
            "teacher: TFLM person_detect, MobileNetV1 0.25, 96x96 (anchor)",
            _number(teacher["auc"]),
            _number(teacher["accuracy"]),
            _number(teacher["person_recall_at_5pct_fp"], 3),
        ]
        lines.append("| " + " | ".join(anchor + ["—"] * (len(header) - len(anchor))) + " |")
    arena = {b: limits[b].regions["ARENA"].length for b in BOARDS}
    lines += [
        "",
        "Arena RAM per board (the `ARENA` region of its memory.x): "
        + ", ".join(f"{BOARD_TITLES[b]} {_kib(arena[b])} KiB" for b in BOARDS)
        + f". The STM32H743 and Nano 33 BLE columns ask for {headroom:.0%} headroom (\"fits\"; \"fits, under "
        "headroom\" when only the whole region holds it). Flash is the whole image; "
        "data + stack the RAM it uses besides the arena.",
        "",
    ]
    if chosen is None:
        lines.append(f"No candidate fits the {BOARD_TITLES[REAL_BOARD]} with {headroom:.0%} headroom.")
    else:
        lines.append(
            f"Default: {chosen.title}, the candidate with the highest AUC on the external evaluation "
            f"({_number(chosen.external_auc)}, INT8 in TFLM) whose arena fits the {BOARD_TITLES[REAL_BOARD]}'s "
            f"AXI SRAM with {headroom:.0%} to spare."
        )
    return "\n".join([*lines, "", *_provenance_lines(candidates)]) + "\n"


def _provenance_lines(candidates: list[Candidate]) -> list[str]:
    """Where each row was measured: rows from several runs share a table (training seconds
    compare only on one machine)."""
    groups: dict[tuple[str, str], list[str]] = {}
    for c in candidates:
        groups.setdefault((c.commit or "an unknown commit", c.cpu or "an unknown CPU"), []).append(c.name)
    return [f"Measured at {commit} on {cpu}: {', '.join(names)}." for (commit, cpu), names in sorted(groups.items())]


def scatter(candidates: list[Candidate], limits: dict, headroom: float, path: Path) -> None:
    """External AUC against the tensor arena: the contiguous RAM a model needs, which each
    board's ARENA region must hold (stack and static data live in other regions)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(8, 5), dpi=120)
    for c in candidates:
        if c.error is None:
            x, y = (c.arena_bytes or 0) / 1024, c.external_auc or 0.0
            axes.scatter([x], [y], s=40 + 200 * float(c.alpha), marker="o" if c.family == "mobilenet_v2" else "s")
            axes.annotate(c.title, (x, y), textcoords="offset points", xytext=(6, 4))
    for board, style in (("stm32h743", "-"), ("nano33_ble", "--")):
        arena = limits[board].regions["ARENA"].length / 1024
        axes.axvline(arena, color="black", linestyle=style, linewidth=1, label=f"{BOARD_TITLES[board]} arena RAM")
        if board == REAL_BOARD:
            axes.axvline(arena * (1 - headroom), color="grey", linestyle=":", label=f"… with {headroom:.0%} headroom")
    axes.margins(x=0.2, y=0.1)
    axes.set_xlabel("tensor arena (KiB): contiguous RAM the model needs on the device")
    axes.set_ylabel("external AUC (INT8, TFLM, real photographs)")
    axes.set_title("Model sweep: accuracy against device RAM (QEMU board: 16 MiB, off the chart)")
    axes.grid(alpha=0.3)
    axes.legend(loc="best", fontsize=8)
    figure.tight_layout()
    figure.savefig(path, metadata={"Software": None})
    plt.close(figure)


def family_of(recipe: str, root: Path | None = None) -> str:
    """The model family a recipe (a training config's label, in the workspace `root`) trains."""
    return training_config.load(sweep_records.source_path(recipe, root or workspace())).family


def sweep(
    grid: list[tuple[str, str, str]],
    out: Path,
    dataset: str,
    plugin: Path,
    output_base: Path,
    disk_cache: Path | None,
    frames_per_class: int = 2,
    headroom: float = 0.10,
    bazel_args: list[str] | None = None,
    include: list[Path] | None = None,
    compared: list[str] | None = None,
) -> tuple[list[Candidate], Candidate | None]:
    """Measures the (recipe, width, input) `grid` and reports it with the candidates of the
    `include`d records (earlier runs of the `compared` recipes, by default GRID's, as they
    are now): the table, plot and default cover all."""
    recipes = sorted({recipe for recipe, _, _ in grid} | set(compared if compared is not None else GRID))
    records = {recipe: sweep_records.recipe_of(recipe, dataset, workspace()) for recipe in recipes}
    families = {recipe: family_of(recipe) for recipe, _, _ in grid}
    for _, _, size in grid:
        parse_input(size)
    # Read first: a bad record fails now, not after hours of training.
    recorded = sweep_records.included(list(records.values()), list(include or []))
    if not grid and not include:
        raise ValueError("nothing to report: give candidates to measure, or --include records")
    out.mkdir(parents=True, exist_ok=True)
    extra = list(bazel_args or [])
    if disk_cache is not None:
        extra.append(f"--disk_cache={disk_cache}")
    settings = {
        "output_base": output_base,
        "dataset": dataset,
        "provenance": sweep_records.provenance(workspace()),
        "plugin": plugin,
        "frames_per_class": frames_per_class,
        "bazel_args": extra,
    }
    measured = []
    for index, (recipe, alpha, size) in enumerate(grid, 1):
        start = time.monotonic()
        candidate = Candidate(alpha, size, family=families[recipe], recipe=recipe)
        print(f"[{index}/{len(grid)}] {candidate.title}: building and measuring…", flush=True)
        candidate = measure(candidate, settings | {"recipe": recipe, "recipe_record": records[recipe]}, out)
        status = candidate.error or f"external AUC {candidate.external_auc:.4f}, arena {candidate.arena_bytes:,} B"
        print(f"[{index}/{len(grid)}] {candidate.title}: {status} ({time.monotonic() - start:.0f} s)", flush=True)
        measured.append(candidate)
    candidates = sweep_records.merge(measured, recorded)
    limits = board_limits(workspace())
    chosen = choose_default(candidates, headroom)
    teacher = next((c.teacher_external for c in candidates if c.teacher_external), None)
    (out / "sweep.md").write_text(markdown(candidates, chosen, headroom, limits, teacher))
    scatter(candidates, limits, headroom, out / "sweep.png")
    used = {c.recipe for c in candidates}
    sweep_records.write(
        out / "sweep.json",
        [record for recipe, record in records.items() if recipe in used],
        candidates,
        headroom=headroom,
        default=None if chosen is None else chosen.name,
    )
    return candidates, chosen
