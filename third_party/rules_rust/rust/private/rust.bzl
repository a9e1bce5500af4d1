"""rust_library, rust_binary and rust_test."""

load(":providers.bzl", "CrateInfo")

_TOOLCHAIN = "@rules_rust//rust:toolchain_type"

_TestableCrateInfo = provider(
    doc = "What rust_test needs to rebuild a library crate with --test.",
    fields = ["name", "root", "srcs", "deps", "features", "edition", "compile_data", "rustc_env"],
)

def _crate_name(ctx):
    return ctx.attr.crate_name or ctx.label.name.replace("-", "_")

def _crate_root(ctx, srcs, default_names):
    if ctx.file.crate_root:
        return ctx.file.crate_root
    if len(srcs) == 1:
        return srcs[0]
    for src in srcs:
        if src.basename in default_names:
            return src
    fail("{}: cannot tell the crate root among srcs; set crate_root (one of {} is expected)".format(
        ctx.label,
        default_names,
    ))

def _native_link_inputs(deps, prefer_pic):
    """Linker arguments for the static libraries and flags of C/C++ deps, in link order.

    Returns (archives to add as inputs, arguments naming them, the libraries' linkopts).
    Libraries marked alwayslink are wrapped in --whole-archive, as cc_binary does; each
    library is one argument so that de-duplicating the depset never separates the wrapper
    from its archive. Linkopts (-lm, -lstdc++) go after all archives, which need them.
    """
    archives = []
    arguments = []
    user_flags = []
    for dep in deps:
        if CcInfo not in dep:
            continue
        for linker_input in dep[CcInfo].linking_context.linker_inputs.to_list():
            for library in linker_input.libraries:
                if prefer_pic:
                    archive = library.pic_static_library or library.static_library
                else:
                    archive = library.static_library or library.pic_static_library
                if not archive:
                    continue
                archives.append(archive)
                if library.alwayslink:
                    arguments.append("-Wl,--whole-archive,{},--no-whole-archive".format(archive.path))
                else:
                    arguments.append(archive.path)
            user_flags.extend(linker_input.user_link_flags)
    return archives, arguments, user_flags

def _compile(ctx, crate_type, output, crate_name, root, srcs, deps, features, edition, extra_flags, is_test, compile_data, rustc_env):
    toolchain = ctx.toolchains[_TOOLCHAIN]
    mode = ctx.var["COMPILATION_MODE"]
    crate_deps = [dep[CrateInfo] for dep in deps if CrateInfo in dep]

    args = ctx.actions.args()
    args.add(toolchain.rustc)
    args.add(root)
    args.add("--crate-name=" + crate_name)
    args.add("--crate-type=" + crate_type)
    args.add("--edition=" + (edition or toolchain.default_edition))
    args.add("-Copt-level=" + toolchain.opt_level[mode])
    args.add("-Cdebuginfo=" + toolchain.debug_info[mode])

    # Distinguishes crates of the same name; derived from the label, never from a path.
    args.add("-Cmetadata=" + str(hash(str(ctx.label))))

    # Absolute build paths must not reach outputs (reproducible across output bases).
    args.add("--remap-path-prefix=${pwd}=.")
    if toolchain.target_triple:
        args.add("--target=" + toolchain.target_triple)
    if toolchain.target_cpu:
        args.add("-Ctarget-cpu=" + toolchain.target_cpu)
    sysroot_files = []
    if toolchain.sysroot:
        args.add("--sysroot=${pwd}/" + toolchain.sysroot.root)
        sysroot_files = toolchain.sysroot.files.to_list()
    for feature in features:
        args.add("--cfg=feature=\"{}\"".format(feature))
    if is_test:
        args.add("--test")
    args.add_all(toolchain.rustc_flags)
    args.add_all(extra_flags)

    transitive_rlibs = depset(transitive = [dep.transitive_rlibs for dep in crate_deps])
    for dep in crate_deps:
        args.add("--extern={}={}".format(dep.name, dep.output.path))
    args.add_all(transitive_rlibs, map_each = _dependency_dir, uniquify = True)

    # Host executables are PIE: they need the position-independent archives.
    native_libraries, native_flags, user_link_flags = _native_link_inputs(deps, prefer_pic = not toolchain.target_triple)
    transitive_native = depset(
        native_libraries,
        transitive = [dep.transitive_linker_inputs for dep in crate_deps],
        order = "topological",
    )
    transitive_native_flags = depset(
        native_flags,
        transitive = [dep.transitive_link_flags for dep in crate_deps],
        order = "topological",
    )
    transitive_user_link_flags = depset(
        user_link_flags,
        transitive = [dep.transitive_user_link_flags for dep in crate_deps],
        order = "topological",
    )
    links = crate_type in ("bin", "staticlib", "cdylib") or is_test
    if links:
        if toolchain.linker:
            args.add("-Clinker=" + toolchain.linker)
        args.add_all(toolchain.link_flags)
        args.add_all(transitive_native_flags, format_each = "-Clink-arg=%s")
        args.add_all(transitive_user_link_flags, format_each = "-Clink-arg=%s")
    args.add("-o", output)

    # A fixed PATH: rustc finds the host linker driver (`cc`) through it.
    env = {"PATH": "/usr/bin:/bin"}
    env.update(toolchain.env)
    env.update(rustc_env)
    ctx.actions.run(
        executable = toolchain.wrapper,
        arguments = [args],
        inputs = depset(
            srcs + compile_data + sysroot_files,
            transitive = [transitive_rlibs, transitive_native, toolchain.rustc_inputs],
        ),
        outputs = [output],
        env = env,
        mnemonic = "Rustc",
        progress_message = "Compiling Rust {} {} ({})".format(crate_type, ctx.label, toolchain.target_triple or "host"),
    )
    return CrateInfo(
        name = crate_name,
        output = output,
        type = crate_type,
        transitive_rlibs = depset([output], transitive = [transitive_rlibs]) if crate_type == "rlib" else transitive_rlibs,
        transitive_linker_inputs = transitive_native,
        transitive_link_flags = transitive_native_flags,
        transitive_user_link_flags = transitive_user_link_flags,
    )

def _dependency_dir(file):
    return "-Ldependency=" + file.dirname

def _expanded_flags(ctx):
    targets = ctx.attr.compile_data + ctx.attr.deps
    return [ctx.expand_location(flag, targets) for flag in ctx.attr.rustc_flags]

def _expanded_env(ctx):
    targets = ctx.attr.compile_data + ctx.attr.deps
    return {name: ctx.expand_location(value, targets) for name, value in ctx.attr.rustc_env.items()}

def _rust_library_impl(ctx):
    crate_name = _crate_name(ctx)
    output = ctx.actions.declare_file("lib{}-{}.rlib".format(crate_name, ctx.label.name))
    root = _crate_root(ctx, ctx.files.srcs, ["lib.rs"])
    rustc_env = _expanded_env(ctx)
    info = _compile(ctx, "rlib", output, crate_name, root, ctx.files.srcs, ctx.attr.deps, ctx.attr.crate_features, ctx.attr.edition, _expanded_flags(ctx), False, ctx.files.compile_data, rustc_env)
    return [
        DefaultInfo(files = depset([output]), runfiles = ctx.runfiles(files = ctx.files.data)),
        info,
        _TestableCrateInfo(
            name = crate_name,
            root = root,
            srcs = ctx.files.srcs,
            deps = ctx.attr.deps,
            features = ctx.attr.crate_features,
            edition = ctx.attr.edition,
            compile_data = ctx.files.compile_data,
            rustc_env = rustc_env,
        ),
    ]

def _rust_binary_impl(ctx):
    crate_name = _crate_name(ctx)
    output = ctx.actions.declare_file(ctx.label.name)
    root = _crate_root(ctx, ctx.files.srcs, ["main.rs"])
    _compile(ctx, "bin", output, crate_name, root, ctx.files.srcs, ctx.attr.deps, ctx.attr.crate_features, ctx.attr.edition, _expanded_flags(ctx), False, ctx.files.compile_data, _expanded_env(ctx))
    return [DefaultInfo(
        files = depset([output]),
        executable = output,
        runfiles = ctx.runfiles(files = ctx.files.data),
    )]

def _rust_test_impl(ctx):
    if ctx.attr.crate:
        tested = ctx.attr.crate[_TestableCrateInfo]
        crate_name = tested.name
        root = tested.root
        srcs = tested.srcs + ctx.files.srcs
        deps = tested.deps + ctx.attr.deps
        features = tested.features + ctx.attr.crate_features
        edition = ctx.attr.edition or tested.edition
        compile_data = tested.compile_data + ctx.files.compile_data
        rustc_env = dict(tested.rustc_env)
        rustc_env.update(_expanded_env(ctx))
    else:
        crate_name = _crate_name(ctx)
        srcs = ctx.files.srcs
        root = _crate_root(ctx, srcs, ["lib.rs", "main.rs"])
        deps = ctx.attr.deps
        features = ctx.attr.crate_features
        edition = ctx.attr.edition
        compile_data = ctx.files.compile_data
        rustc_env = _expanded_env(ctx)
    output = ctx.actions.declare_file(ctx.label.name + "_test_bin")
    _compile(ctx, "bin", output, crate_name, root, srcs, deps, features, edition, _expanded_flags(ctx), True, compile_data, rustc_env)
    return [DefaultInfo(
        executable = output,
        runfiles = ctx.runfiles(files = ctx.files.data),
    )]

_COMMON_ATTRS = {
    "compile_data": attr.label_list(allow_files = True, doc = "Files rustc reads (include_bytes!, linker scripts)."),
    "crate_features": attr.string_list(doc = "Enabled as --cfg feature=\"...\"."),
    "crate_name": attr.string(doc = "Defaults to the target name with - replaced by _."),
    "crate_root": attr.label(allow_single_file = [".rs"]),
    "data": attr.label_list(allow_files = True),
    "deps": attr.label_list(doc = "Rust crates (CrateInfo) and C/C++ libraries (CcInfo)."),
    "edition": attr.string(doc = "Defaults to the toolchain's default edition."),
    "rustc_env": attr.string_dict(doc = "Subject to $(location) expansion; ${pwd} is the action's directory."),
    "rustc_flags": attr.string_list(doc = "Subject to $(location) expansion over compile_data and deps."),
    "srcs": attr.label_list(allow_files = [".rs"]),
}

rust_library = rule(
    implementation = _rust_library_impl,
    attrs = _COMMON_ATTRS,
    toolchains = [_TOOLCHAIN],
    doc = "A Rust library crate (.rlib).",
)

rust_binary = rule(
    implementation = _rust_binary_impl,
    attrs = _COMMON_ATTRS,
    toolchains = [_TOOLCHAIN],
    executable = True,
    doc = "A Rust executable, linked with the toolchain's linker and any C/C++ deps.",
)

rust_test = rule(
    implementation = _rust_test_impl,
    attrs = dict(_COMMON_ATTRS, crate = attr.label(
        providers = [_TestableCrateInfo],
        doc = "A rust_library whose unit tests to build and run.",
    )),
    toolchains = [_TOOLCHAIN],
    test = True,
    doc = "Rust unit tests (libtest harness) for a crate or a set of sources.",
)
