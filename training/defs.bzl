"""keras_model: trains the person detector as a build action."""

_OUTPUTS = [
    "model.keras",
    "config.json",
    "history.json",
    "history.png",
    "evaluation.json",
    "confusion_matrix.png",
    "worst_examples.png",
]

def _keras_model_impl(ctx):
    outputs = [ctx.actions.declare_file("{}/{}".format(ctx.label.name, name)) for name in _OUTPUTS]
    dataset = ctx.file.dataset
    arguments = [
        "--data=" + dataset.path,
        "--out=" + outputs[0].dirname,
        "--config=" + ctx.file.config.path,
    ] + ["--set=" + override for override in ctx.attr.overrides]
    inputs = [dataset, ctx.file.config]
    if ctx.file.weights:
        arguments.append("--weights=" + ctx.file.weights.path)
        inputs.append(ctx.file.weights)
    ctx.actions.run(
        executable = ctx.executable._train,
        arguments = arguments,
        inputs = inputs,
        outputs = outputs,
        mnemonic = "TrainKerasModel",
        progress_message = "Training {} (two phases, then the FP32 evaluation)".format(ctx.label),
    )
    return [
        DefaultInfo(files = depset(outputs), runfiles = ctx.runfiles(files = outputs)),
        OutputGroupInfo(model = depset([outputs[0]]), evaluation = depset([outputs[4]])),
    ]

keras_model = rule(
    implementation = _keras_model_impl,
    attrs = {
        "config": attr.label(allow_single_file = [".json", ".yaml", ".yml"], mandatory = True),
        "dataset": attr.label(allow_single_file = True, mandatory = True, doc = "A prepared dataset directory (e.g. //data_tools:default_dataset)."),
        "overrides": attr.string_list(doc = "KEY=VALUE config overrides (as --set)."),
        "weights": attr.label(allow_single_file = True, doc = "Optional ImageNet MobileNetV2 weights (3-channel)."),
        "_train": attr.label(default = "//training:train", executable = True, cfg = "exec"),
    },
    doc = "NAME/model.keras and the FP32 baseline report (NAME/evaluation.json, plots) from a dataset.",
)
