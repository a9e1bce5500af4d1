"""keras_model: trains the person detector as a build action."""

load("//toolchains/platforms:model_configuration.bzl", "TRANSITION_ALLOWLIST", "model_configuration")

_OUTPUTS = [
    "model.keras",
    "config.json",
    "history.json",
    "history.png",
    "evaluation.json",
    "confusion_matrix.png",
    "worst_examples.png",
]

def train_keras_model(ctx, config, dataset, overrides = [], weights = None, teacher = None):
    """The training action (shared by keras_model and the model sweep's candidates).

    Args:
        ctx: the rule's context; its `_train` attribute is //training:train.
        config: the config File.
        dataset: the prepared dataset directory (a tree artifact).
        overrides: KEY=VALUE config overrides (as --set).
        weights: optional ImageNet weights File.
        teacher: optional teacher model File (person_detect.tflite), for init_from_teacher
            and distillation.

    Returns:
        The rule's DefaultInfo and OutputGroupInfo (`model`, `evaluation`).
    """
    outputs = [ctx.actions.declare_file("{}/{}".format(ctx.label.name, name)) for name in _OUTPUTS]
    arguments = [
        "--data=" + dataset.path,
        "--out=" + outputs[0].dirname,
        "--config=" + config.path,
    ] + ["--set=" + override for override in overrides]
    inputs = [dataset, config]
    if weights:
        arguments.append("--weights=" + weights.path)
        inputs.append(weights)
    if teacher:
        arguments.append("--teacher=" + teacher.path)
        inputs.append(teacher)
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

def _keras_model_impl(ctx):
    return train_keras_model(
        ctx,
        ctx.file.config,
        ctx.file.dataset,
        ctx.attr.overrides,
        weights = ctx.file.weights,
        teacher = ctx.file.teacher,
    )

keras_model = rule(
    implementation = _keras_model_impl,
    cfg = model_configuration,
    attrs = dict(TRANSITION_ALLOWLIST, **{
        "config": attr.label(allow_single_file = [".json", ".yaml", ".yml"], mandatory = True),
        "dataset": attr.label(allow_single_file = True, mandatory = True, doc = "A prepared dataset directory (e.g. //data_tools:default_dataset)."),
        "overrides": attr.string_list(doc = "KEY=VALUE config overrides (as --set)."),
        "weights": attr.label(allow_single_file = True, doc = "Optional ImageNet MobileNetV2 weights (3-channel)."),
        "teacher": attr.label(
            allow_single_file = [".tflite"],
            doc = "Optional teacher (@microflow//:models/person_detect.tflite): init_from_teacher, distillation.",
        ),
        "_train": attr.label(default = "//training:train", executable = True, cfg = "exec"),
    }),
    doc = "NAME/model.keras and the FP32 baseline report (NAME/evaluation.json, plots) from a dataset.",
)
