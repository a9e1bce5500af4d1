"""default_dataset: the embedded default dataset, synthesized and prepared as build actions."""

load("//toolchains/platforms:model_configuration.bzl", "TRANSITION_ALLOWLIST", "model_configuration")

def _default_dataset_impl(ctx):
    raw = ctx.actions.declare_directory(ctx.label.name + "_raw")
    prepared = ctx.actions.declare_directory(ctx.label.name)
    ctx.actions.run(
        executable = ctx.executable._synthesize,
        arguments = [
            "--photos=" + ctx.file._photos_list.path,
            "--out=" + raw.path,
            "--per_class={}".format(ctx.attr.per_class),
            "--seed={}".format(ctx.attr.seed),
        ],
        inputs = [ctx.file._photos_list] + ctx.files._photos,
        outputs = [raw],
        mnemonic = "SynthesizeDataset",
        progress_message = "Synthesizing the raw default dataset ({} images per class)".format(ctx.attr.per_class),
    )
    ctx.actions.run(
        executable = ctx.executable._prepare,
        arguments = [
            "--src=" + raw.path,
            "--out=" + prepared.path,
            "--seed={}".format(ctx.attr.seed),
            "--quiet",
        ],
        inputs = [raw],
        outputs = [prepared],
        mnemonic = "PrepareDataset",
        progress_message = "Preparing the default dataset (clean, balance, split)",
    )
    return [DefaultInfo(files = depset([prepared]), runfiles = ctx.runfiles(files = [prepared]))]

default_dataset = rule(
    implementation = _default_dataset_impl,
    cfg = model_configuration,
    attrs = dict(TRANSITION_ALLOWLIST, **{
        "per_class": attr.int(default = 2600, doc = "Raw images synthesized per class, before cleaning and balancing."),
        "seed": attr.int(default = 20261125),
        "_photos": attr.label(default = "@real_photos//:photos", allow_files = True),
        "_photos_list": attr.label(default = "@real_photos//:photos.tsv", allow_single_file = True),
        "_prepare": attr.label(default = "//data_tools:prepare", executable = True, cfg = "exec"),
        "_synthesize": attr.label(default = "//data_tools:synthesize", executable = True, cfg = "exec"),
    }),
    doc = "A directory {train,val,test}/{person,no_person}/*.png plus manifest.json, built from real " +
          "photographs (@real_photos, use train) and the LFW faces scikit-image ships (see data_tools/README.md).",
)

def resize_dataset(ctx, dataset, width, height):
    """An action resizing a prepared dataset (a tree artifact) to width x height.

    Args:
        ctx: the rule's context; its `_resize` attribute is //data_tools:resize_dataset.
        dataset: the prepared dataset directory.
        width: pixels.
        height: pixels.

    Returns:
        The resized dataset directory, NAME/ of the rule.
    """
    resized = ctx.actions.declare_directory(ctx.label.name)
    ctx.actions.run(
        executable = ctx.executable._resize,
        arguments = [
            "--src=" + dataset.path,
            "--out=" + resized.path,
            "--width={}".format(width),
            "--height={}".format(height),
        ],
        inputs = [dataset],
        outputs = [resized],
        mnemonic = "ResizeDataset",
        progress_message = "Resizing {} to {}x{}".format(dataset.short_path, width, height),
    )
    return resized

def _resized_dataset_impl(ctx):
    resized = resize_dataset(ctx, ctx.file.dataset, ctx.attr.width, ctx.attr.height)
    return [DefaultInfo(files = depset([resized]), runfiles = ctx.runfiles(files = [resized]))]

resized_dataset = rule(
    implementation = _resized_dataset_impl,
    cfg = model_configuration,
    attrs = dict(TRANSITION_ALLOWLIST, **{
        "dataset": attr.label(allow_single_file = True, mandatory = True, doc = "A prepared dataset (e.g. //data_tools:default_dataset)."),
        "height": attr.int(mandatory = True),
        "width": attr.int(mandatory = True),
        "_resize": attr.label(default = "//data_tools:resize_dataset", executable = True, cfg = "exec"),
    }),
    doc = "The dataset with every image resized to width x height (same files, splits and manifest).",
)

def _external_evaluation_set_impl(ctx):
    out = ctx.actions.declare_directory(ctx.label.name)
    ctx.actions.run(
        executable = ctx.executable._external_set,
        arguments = ["--photos=" + ctx.file.photos_list.path, "--out=" + out.path],
        inputs = [ctx.file.photos_list] + ctx.files.photos,
        outputs = [out],
        mnemonic = "ExternalEvaluationSet",
        progress_message = "Cutting the external evaluation windows out of real photographs",
    )
    return [DefaultInfo(files = depset([out]), runfiles = ctx.runfiles(files = [out]))]

external_evaluation_set = rule(
    implementation = _external_evaluation_set_impl,
    cfg = model_configuration,
    attrs = dict(TRANSITION_ALLOWLIST, **{
        "photos": attr.label(default = "@real_photos//:photos", allow_files = True),
        "photos_list": attr.label(default = "@real_photos//:photos.tsv", allow_single_file = True),
        "_external_set": attr.label(default = "//data_tools:external_set", executable = True, cfg = "exec"),
    }),
    doc = "test/{person,no_person}/*.png (160x120 gray) and manifest.json: windows of the real photographs " +
          "photos.tsv reserves for evaluation (sources no training data uses).",
)
