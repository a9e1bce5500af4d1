"""The model sweep's candidate: one recipe (its family), width and input size, chosen on
the command line, through the product's own rules (dataset, training, int8, codegen, firmware).

    bazel build --//bench/sweep:alpha=0.5 --//bench/sweep:input=128x96 //bench/sweep:candidate

`//bench:model_sweep` builds it once per candidate. The recipe (training config) and the
dataset are label flags too, so that a test can sweep the smoke recipe on the smoke data.
"""

load("//data_tools:defs.bzl", "resize_dataset")
load("//toolchains/platforms:model_configuration.bzl", "TRANSITION_ALLOWLIST", "model_configuration")
load("//training:defs.bzl", "train_keras_model")

SweepValueInfo = provider(doc = "A sweep setting's value.", fields = ["value"])

def _sweep_value_impl(ctx):
    return [SweepValueInfo(value = ctx.build_setting_value)]

sweep_value = rule(
    implementation = _sweep_value_impl,
    build_setting = config.string(flag = True),
    doc = "A string flag of the sweep (--//bench/sweep:NAME=VALUE).",
)

def parse_input(value, where):
    """'WIDTHxHEIGHT' as two ints; fails naming the flag otherwise."""
    parts = value.split("x")
    if len(parts) != 2 or not parts[0].isdigit() or not parts[1].isdigit():
        fail("{}: input size {} is not WIDTHxHEIGHT (for example 128x96)".format(where, repr(value)))
    width, height = int(parts[0]), int(parts[1])
    if width < 32 or height < 32:
        fail("{}: input size {} is below 32x32, which MobileNetV2 cannot take".format(where, value))
    return width, height

def parse_alpha(value, where):
    """A positive width multiplier, written as the config file would take it."""
    digits = value.replace(".", "", 1)
    if not digits.isdigit() or not digits.strip("0"):
        fail("{}: width multiplier {} is not a positive number (for example 0.35)".format(where, repr(value)))
    return value

def _candidate_dataset_impl(ctx):
    dataset = ctx.file.dataset
    width, height = parse_input(ctx.attr.input[SweepValueInfo].value, "--//bench/sweep:input")
    if (width, height) == (ctx.attr.dataset_width, ctx.attr.dataset_height):
        # The prepared size already: the dataset itself, not a copy.
        return [DefaultInfo(files = depset([dataset]), runfiles = ctx.runfiles(files = [dataset]))]
    resized = resize_dataset(ctx, dataset, width, height)
    return [DefaultInfo(files = depset([resized]), runfiles = ctx.runfiles(files = [resized]))]

candidate_dataset = rule(
    implementation = _candidate_dataset_impl,
    cfg = model_configuration,
    attrs = dict(TRANSITION_ALLOWLIST, **{
        "dataset": attr.label(allow_single_file = True, mandatory = True),
        "dataset_height": attr.int(default = 120, doc = "The size //data_tools:prepare writes."),
        "dataset_width": attr.int(default = 160),
        "input": attr.label(mandatory = True, providers = [SweepValueInfo]),
        "_resize": attr.label(default = "//data_tools:resize_dataset", executable = True, cfg = "exec"),
    }),
    doc = "The sweep's dataset at the candidate's input size.",
)

def _candidate_model_impl(ctx):
    width, height = parse_input(ctx.attr.input[SweepValueInfo].value, "--//bench/sweep:input")
    alpha = parse_alpha(ctx.attr.alpha[SweepValueInfo].value, "--//bench/sweep:alpha")
    overrides = ["alpha=" + alpha, "image_width={}".format(width), "image_height={}".format(height)]
    return train_keras_model(ctx, ctx.file.config, ctx.file.dataset, overrides, teacher = ctx.file.teacher)

candidate_model = rule(
    implementation = _candidate_model_impl,
    cfg = model_configuration,
    attrs = dict(TRANSITION_ALLOWLIST, **{
        "alpha": attr.label(mandatory = True, providers = [SweepValueInfo]),
        "config": attr.label(allow_single_file = [".json", ".yaml", ".yml"], mandatory = True),
        "dataset": attr.label(allow_single_file = True, mandatory = True),
        "input": attr.label(mandatory = True, providers = [SweepValueInfo]),
        "teacher": attr.label(allow_single_file = True, doc = "The teacher .tflite, for recipes that use it."),
        "_train": attr.label(default = "//training:train", executable = True, cfg = "exec"),
    }),
    doc = "keras_model with the candidate's width multiplier and input size over the recipe.",
)
