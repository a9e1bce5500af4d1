"""kernel_set_files: targets built with a chosen kernel set (//tflm/kernels:kernel_set)."""

load("//toolchains/platforms:model_configuration.bzl", "TRANSITION_ALLOWLIST")

def _kernel_set_impl(settings, attr):
    _ignore = settings  # buildifier: disable=unused-variable
    return {"//tflm/kernels:kernel_set": attr.kernel_set}

_kernel_set_transition = transition(
    implementation = _kernel_set_impl,
    inputs = [],
    outputs = ["//tflm/kernels:kernel_set"],
)

def _kernel_set_files_impl(ctx):
    # Under NAME/: each kernel set's copy of a file keeps its own runfiles path.
    links = []
    for src in ctx.files.srcs:
        link = ctx.actions.declare_file("{}/{}".format(ctx.label.name, src.basename))
        ctx.actions.symlink(output = link, target_file = src)
        links.append(link)
    return [DefaultInfo(files = depset(links), runfiles = ctx.runfiles(files = links))]

kernel_set_files = rule(
    implementation = _kernel_set_files_impl,
    attrs = dict(TRANSITION_ALLOWLIST, **{
        "kernel_set": attr.string(mandatory = True, values = ["own", "reference"]),
        "srcs": attr.label_list(allow_files = True, mandatory = True, cfg = _kernel_set_transition),
    }),
    doc = "NAME/<file> for each file of `srcs`, built with the shim registering `kernel_set`'s kernels.",
)
