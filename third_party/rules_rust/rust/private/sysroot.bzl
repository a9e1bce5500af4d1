"""rust_sysroot: core and compiler_builtins compiled from source for a bare-metal target."""

load(":providers.bzl", "SysrootInfo")

def _crate_action(ctx, crate_name, root, srcs, output, extra_args, deps):
    args = ctx.actions.args()
    args.add(ctx.attr.rustc)
    args.add(root)
    args.add("--crate-name=" + crate_name)
    args.add("--crate-type=lib")
    args.add("--edition=2024")
    args.add("--target=" + ctx.attr.target_triple)
    args.add("-Zforce-unstable-if-unmarked")
    args.add("-Cpanic=abort")
    args.add("-Ccodegen-units=1")
    args.add("-Cdebuginfo=1")
    args.add("--remap-path-prefix=${pwd}=.")
    args.add("--cap-lints=allow")
    args.add_all(extra_args)
    for dep in deps:
        args.add("--extern=core=" + dep.path)
        args.add("-Ldependency=" + dep.dirname)
    args.add("-o", output)
    ctx.actions.run(
        executable = ctx.executable._wrapper,
        arguments = [args],
        inputs = depset(srcs + deps + ctx.files.rustc_version),
        outputs = [output],
        # The standard library is built with unstable features, exactly as bootstrap does.
        env = {"RUSTC_BOOTSTRAP": "1"},
        mnemonic = "RustSysroot",
        progress_message = "Compiling {} for {}".format(crate_name, ctx.attr.target_triple),
    )

def _rust_sysroot_impl(ctx):
    libdir = "{}/lib/rustlib/{}/lib/".format(ctx.label.name, ctx.attr.target_triple)
    core = ctx.actions.declare_file(libdir + "libcore.rlib")
    builtins = ctx.actions.declare_file(libdir + "libcompiler_builtins.rlib")
    _crate_action(ctx, "core", ctx.file.core_root, ctx.files.core_srcs, core, ["-Copt-level=s"], [])
    _crate_action(
        ctx,
        "compiler_builtins",
        ctx.file.compiler_builtins_root,
        ctx.files.compiler_builtins_srcs,
        builtins,
        # The cfgs compiler_builtins' build script would emit for thumbv7em-none-eabihf.
        ["-Copt-level=3"] + ["--cfg=" + c for c in ctx.attr.compiler_builtins_cfgs],
        [core],
    )
    root = core.path[:-len("/lib/rustlib/{}/lib/libcore.rlib".format(ctx.attr.target_triple))]
    files = depset([core, builtins])
    return [
        DefaultInfo(files = files),
        SysrootInfo(root = root, files = files),
    ]

rust_sysroot = rule(
    implementation = _rust_sysroot_impl,
    doc = "Builds `core` and `compiler_builtins` from rust-src into a --sysroot directory.",
    attrs = {
        "compiler_builtins_cfgs": attr.string_list(
            default = [
                "feature=\"mem\"",
                "feature=\"compiler-builtins\"",
                "feature=\"unstable-intrinsics\"",
                "thumb",
                "intrinsics_enabled",
                "arch_enabled",
                "optimizations_enabled",
                "f16_enabled",
                "f128_enabled",
            ],
        ),
        "compiler_builtins_root": attr.label(allow_single_file = True, mandatory = True),
        "compiler_builtins_srcs": attr.label_list(allow_files = True, mandatory = True),
        "core_root": attr.label(allow_single_file = True, mandatory = True),
        "core_srcs": attr.label_list(allow_files = True, mandatory = True),
        "rustc": attr.string(mandatory = True),
        "rustc_version": attr.label(allow_single_file = True, mandatory = True),
        "target_triple": attr.string(mandatory = True),
        "_wrapper": attr.label(
            default = "//rust/private:rustc_wrapper.sh",
            executable = True,
            cfg = "exec",
            allow_single_file = True,
        ),
    },
)
