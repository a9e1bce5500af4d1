"""tflite_rust_module: a .tflite embedded in a Rust crate for the firmware.

    tflite_rust_module(
        name = "person_detector_model",
        model = "//quantization:person_detector_int8",
    )

makes the crate `person_detector_model` (a rust_library depending on //firmware/tflm) with
MODEL (16-byte aligned bytes), CHANNEL_CONSTANTS (the convolutions' per-channel multipliers
and shifts, computed at build time, in flash) and `model()` that joins them, OPS,
ARENA_BYTES (measured by running the model once in the host build of the same TFLM
library and wrapper, with that table), input/output quantization, the
pixel-to-input table (from `input_range`), the classes and which is `person`, MODEL_SHA256
and MACS. Built for a board (under an mcu_image), it fails early when the model or its
arena cannot fit the board's memory map.
"""

load("@rules_rust//rust:defs.bzl", "rust_library")

def _tflite_files(ctx):
    models = [f for f in ctx.files.model if f.extension == "tflite"]
    if len(models) != 1:
        fail("{}: `model` must provide exactly one .tflite file (a .tflite or an int8_tflite target); got {}".format(
            ctx.label,
            [f.basename for f in ctx.files.model],
        ))
    return models[0]

def _tflite_rust_source_impl(ctx):
    source = _tflite_files(ctx)

    # The module include_bytes!() its model from its own folder.
    model = ctx.actions.declare_file(ctx.label.name + "/model.tflite")
    ctx.actions.symlink(output = model, target_file = source)
    description = ctx.actions.declare_file(ctx.label.name + "/description.json")

    # Built with the model, read from flash by its convolutions (include_bytes!() too).
    channel_constants = ctx.actions.declare_file(ctx.label.name + "/channel_constants.bin")
    ctx.actions.run(
        executable = ctx.executable._host_runner,
        arguments = [
            "--model=" + model.path,
            "--describe=" + description.path,
            "--channel_constants=" + channel_constants.path,
        ],
        inputs = [model],
        outputs = [description, channel_constants],
        mnemonic = "TfliteMeasureArena",
        progress_message = "Running {} once in the host TFLM to measure its arena".format(source.short_path),
    )

    module = ctx.actions.declare_file(ctx.label.name + "/lib.rs")
    report = ctx.actions.declare_file(ctx.label.name + "/codegen_report.json")
    arguments = [
        "--model=" + model.path,
        "--description=" + description.path,
        "--out_rs=" + module.path,
        "--out_report=" + report.path,
        "--class_names=" + ",".join(ctx.attr.class_names),
        "--input_range=" + ",".join(ctx.attr.input_range),
        "--label=" + str(ctx.attr.model.label),
    ]
    inputs = [model, description]

    # Empty outside a board configuration (host builds): then no board limits apply.
    memory_x = ctx.files._memory_x
    if memory_x:
        arguments.append("--memory_x=" + memory_x[0].path)
        inputs.append(memory_x[0])
    ctx.actions.run(
        executable = ctx.executable._generator,
        arguments = arguments,
        inputs = inputs,
        outputs = [module, report],
        mnemonic = "TfliteToRust",
        progress_message = "Embedding {} in Rust{}".format(
            source.short_path,
            " and checking it fits " + memory_x[0].dirname.rpartition("/")[2] if memory_x else "",
        ),
    )
    return [
        DefaultInfo(
            files = depset([module]),
            runfiles = ctx.runfiles(files = [module, model, channel_constants, description, report]),
        ),
        OutputGroupInfo(
            model = depset([model, channel_constants]),
            report = depset([report, description]),
        ),
    ]

_tflite_rust_source = rule(
    implementation = _tflite_rust_source_impl,
    attrs = {
        "class_names": attr.string_list(default = ["no_person", "person"]),
        "input_range": attr.string_list(default = ["0", "255"]),
        "model": attr.label(allow_files = True, mandatory = True),
        "_generator": attr.label(default = "//codegen:tflite_to_rust", executable = True, cfg = "exec"),
        "_host_runner": attr.label(default = "//firmware/tflm:host_runner", executable = True, cfg = "exec"),
        "_memory_x": attr.label(default = "//toolchains/boards:memory_x", allow_files = True),
    },
)

def tflite_rust_module(name, model, class_names = None, input_range = None, crate_name = None, **kwargs):
    """The crate `name` embedding `model`; also NAME_model and NAME_report for tools.

    Args:
        name: the crate's target and crate name.
        model: a .tflite file or a target providing one (int8_tflite).
        class_names: output classes in score order (default no_person, person); exactly one
            is `person`, the class the firmware reports.
        input_range: the real values the model was trained to see for pixel 0 and pixel 255,
            as two strings (default ["0", "255"]: raw pixels, for models that rescale inside
            the graph, as int8_tflite's do; TFLM's person detectors take ["-1", "1"]).
            A range that would clip or merge most pixels fails the build.
        crate_name: the crate's name in Rust (default: `name`).
        **kwargs: testonly, tags, visibility.
    """
    _tflite_rust_source(
        name = name + "_src",
        model = model,
        class_names = class_names or ["no_person", "person"],
        input_range = input_range or ["0", "255"],
        **kwargs
    )
    native.filegroup(
        name = name + "_model",
        srcs = [":" + name + "_src"],
        output_group = "model",
        **kwargs
    )
    native.filegroup(
        name = name + "_report",
        srcs = [":" + name + "_src"],
        output_group = "report",
        **kwargs
    )
    rust_library(
        name = name,
        srcs = [":" + name + "_src"],
        compile_data = [":" + name + "_model"],
        crate_name = crate_name,
        deps = ["//firmware/tflm"],
        **kwargs
    )
