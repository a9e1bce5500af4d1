"""rust_toolchain: a rustc plus the target it compiles for."""

load(":providers.bzl", "SysrootInfo")

def _rust_toolchain_impl(ctx):
    sysroot = ctx.attr.sysroot[SysrootInfo] if ctx.attr.sysroot else None
    return [platform_common.ToolchainInfo(
        rustc = ctx.attr.rustc,
        rustc_inputs = depset(ctx.files.rustc_version),
        target_triple = ctx.attr.target_triple,
        target_cpu = ctx.attr.target_cpu,
        sysroot = sysroot,
        rustc_flags = ctx.attr.rustc_flags,
        linker = ctx.attr.linker,
        link_flags = ctx.attr.link_flags,
        env = ctx.attr.env,
        opt_level = ctx.attr.opt_level,
        debug_info = ctx.attr.debug_info,
        default_edition = ctx.attr.default_edition,
        wrapper = ctx.executable._wrapper,
    )]

rust_toolchain = rule(
    implementation = _rust_toolchain_impl,
    doc = "Declares how rustc compiles for one target triple (upstream: rust_toolchain).",
    attrs = {
        "debug_info": attr.string_dict(
            default = {"dbg": "2", "fastbuild": "0", "opt": "0"},
            doc = "-C debuginfo per compilation mode.",
        ),
        "default_edition": attr.string(default = "2021"),
        "env": attr.string_dict(doc = "Environment for every rustc action."),
        "link_flags": attr.string_list(doc = "rustc flags used only when linking a binary."),
        "linker": attr.string(doc = "Absolute path of the linker driver; empty means rustc's default."),
        "opt_level": attr.string_dict(
            default = {"dbg": "0", "fastbuild": "0", "opt": "3"},
            doc = "-C opt-level per compilation mode.",
        ),
        "rustc": attr.string(mandatory = True, doc = "Absolute path of rustc."),
        "rustc_flags": attr.string_list(doc = "Extra flags for every rustc action."),
        "rustc_version": attr.label(
            allow_single_file = True,
            mandatory = True,
            doc = "`rustc -vV` output: an input of every action, so a compiler upgrade rebuilds.",
        ),
        # Built in the exec configuration: its --target is fixed, so one build serves every
        # board platform instead of one per configuration.
        "sysroot": attr.label(providers = [SysrootInfo], cfg = "exec", doc = "From-source sysroot for no_std targets."),
        "target_cpu": attr.string(doc = "-C target-cpu; empty for the triple's default."),
        "target_triple": attr.string(doc = "--target; empty for the host."),
        "_wrapper": attr.label(
            default = "//rust/private:rustc_wrapper.sh",
            executable = True,
            cfg = "exec",
            allow_single_file = True,
        ),
    },
)
