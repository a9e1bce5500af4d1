"""int8_tflite: converts a keras_model to the firmware's int8 .tflite as a build action."""

load("//toolchains/platforms:model_configuration.bzl", "TRANSITION_ALLOWLIST", "model_configuration")

_OUTPUTS = [
    "model.tflite",
    "calibration.json",
    "report.json",
    "evaluation_int8.json",
    "evaluation_int8.md",
    "confusion_fp32.png",
    "confusion_tflite_int8.png",
    "confusion_tflm_int8.png",
]

def _int8_tflite_impl(ctx):
    keras_files = [f for f in ctx.files.model if f.extension == "keras"]
    if len(keras_files) != 1:
        fail("{}: `model` must provide exactly one .keras file (a keras_model target); got {}".format(ctx.label, [f.basename for f in ctx.files.model]))
    names = _OUTPUTS + (["external_evaluation.json"] if ctx.attr.external_set else [])
    outputs = [ctx.actions.declare_file("{}/{}".format(ctx.label.name, name)) for name in names]
    arguments = []
    inputs = [keras_files[0], ctx.file.dataset, ctx.file._ops]
    if ctx.attr.external_set:
        arguments.append("--external_set=" + ctx.file.external_set.path)
        inputs.append(ctx.file.external_set)
    if ctx.attr.teacher:
        if not ctx.attr.external_set:
            fail("{}: `teacher` is scored on the external set only; set `external_set` too".format(ctx.label))
        arguments.append("--teacher=" + ctx.file.teacher.path)
        inputs.append(ctx.file.teacher)
    ctx.actions.run(
        executable = ctx.executable._quantize,
        arguments = [
            "--model=" + keras_files[0].path,
            "--data=" + ctx.file.dataset.path,
            "--out=" + outputs[0].dirname,
            "--ops=" + ctx.file._ops.path,
            "--input_type=" + ctx.attr.input_type,
            "--calibration_samples={}".format(ctx.attr.calibration_samples),
            "--tolerance_pp=" + ctx.attr.tolerance_pp,
            "--max_disagreement=" + ctx.attr.max_disagreement,
        ] + arguments,
        inputs = inputs,
        outputs = outputs,
        mnemonic = "QuantizeInt8",
        progress_message = "Converting {} to int8 and auditing it against TFLM".format(ctx.label),
    )
    return [DefaultInfo(files = depset(outputs), runfiles = ctx.runfiles(files = outputs))]

int8_tflite = rule(
    implementation = _int8_tflite_impl,
    cfg = model_configuration,
    attrs = dict(TRANSITION_ALLOWLIST, **{
        "calibration_samples": attr.int(default = 0, doc = "Training images that calibrate, a seeded sample; 0: the whole train split."),
        "dataset": attr.label(allow_single_file = True, mandatory = True, doc = "The dataset the model was trained on (its train split calibrates)."),
        "external_set": attr.label(allow_single_file = True, doc = "Optional external evaluation set (an external_evaluation_set target), scored in TFLM."),
        "input_type": attr.string(default = "int8", values = ["int8", "uint8"]),
        "max_disagreement": attr.string(default = "0.0", doc = "Largest share of TFLite/TFLM prediction disagreement."),
        "model": attr.label(allow_files = True, mandatory = True, doc = "A keras_model target (its .keras file)."),
        "teacher": attr.label(allow_single_file = True, doc = "Optional teacher .tflite, scored beside the model on `external_set`."),
        "tolerance_pp": attr.string(default = "1.0", doc = "Largest INT8 accuracy loss against FP32, in points."),
        "_ops": attr.label(default = "//third_party/tflm:ops", allow_single_file = True),
        "_quantize": attr.label(default = "//quantization:quantize", executable = True, cfg = "exec"),
    }),
    doc = "NAME/model.tflite, calibration, report and the INT8 evaluation (with `external_set`, also " +
          "external_evaluation.json and a section of evaluation_int8.md); fails when TFLM could not run the " +
          "model or the quality gate trips.",
)
