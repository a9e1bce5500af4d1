"""default_dataset: the embedded default dataset, synthesized and prepared as build actions."""

def _default_dataset_impl(ctx):
    raw = ctx.actions.declare_directory(ctx.label.name + "_raw")
    prepared = ctx.actions.declare_directory(ctx.label.name)
    ctx.actions.run(
        executable = ctx.executable._synthesize,
        arguments = [
            "--out=" + raw.path,
            "--per_class={}".format(ctx.attr.per_class),
            "--seed={}".format(ctx.attr.seed),
        ],
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
    attrs = {
        "per_class": attr.int(default = 2600, doc = "Raw images synthesized per class, before cleaning and balancing."),
        "seed": attr.int(default = 20261125),
        "_prepare": attr.label(default = "//data_tools:prepare", executable = True, cfg = "exec"),
        "_synthesize": attr.label(default = "//data_tools:synthesize", executable = True, cfg = "exec"),
    },
    doc = "A directory {train,val,test}/{person,no_person}/*.png plus manifest.json, built from data the " +
          "pinned Python packages ship (see data_tools/README.md).",
)
