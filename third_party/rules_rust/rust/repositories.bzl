"""rust_system_repository: the system rustc and its library sources as a repository.

Debian's rustc-web provides /usr/bin/rustc; rust-web-src provides the standard library
sources under /usr/src/rustc-<version>/library, from which no_std sysroots are built.
"""

_BUILD = """\
package(default_visibility = ["//visibility:public"])

exports_files(["rustc_version.txt"])

filegroup(
    name = "core_srcs",
    srcs = glob(["library/core/**/*.rs", "library/core/**/*.md", "library/stdarch/**/*.rs", "library/stdarch/**/*.md", "library/portable-simd/**/*.rs", "library/portable-simd/**/*.md"]),
)

filegroup(
    name = "core_root",
    srcs = ["library/core/src/lib.rs"],
)

filegroup(
    name = "compiler_builtins_srcs",
    srcs = glob(["library/compiler-builtins/**/*.rs", "library/compiler-builtins/**/*.md"]),
)

filegroup(
    name = "compiler_builtins_root",
    srcs = ["library/compiler-builtins/compiler-builtins/src/lib.rs"],
)
"""

def _rust_system_repository_impl(rctx):
    rustc = rctx.attr.rustc
    if not rctx.path(rustc).exists:
        fail("rust_system_repository: {} not found; run ./bazelw, which installs Debian's rustc-web and rust-web-src.".format(rustc))
    result = rctx.execute([rustc, "-vV"])
    if result.return_code != 0:
        fail("rust_system_repository: `{} -vV` failed: {}".format(rustc, result.stderr))
    rctx.file("rustc_version.txt", result.stdout)
    release = [line for line in result.stdout.splitlines() if line.startswith("release: ")][0][len("release: "):]
    library = rctx.attr.library_src or "/usr/src/rustc-{}/library".format(release)
    if not rctx.path(library + "/core/src/lib.rs").exists:
        fail("rust_system_repository: no standard library sources at {} for rustc {}; install rust-web-src (./bazelw does).".format(library, release))
    rctx.symlink(library, "library")
    rctx.file("BUILD.bazel", _BUILD)
    rctx.file("WORKSPACE", "workspace(name = \"{}\")\n".format(rctx.name))

rust_system_repository = repository_rule(
    implementation = _rust_system_repository_impl,
    attrs = {
        "library_src": attr.string(doc = "Standard library sources; default /usr/src/rustc-<release>/library."),
        "rustc": attr.string(default = "/usr/bin/rustc"),
    },
    doc = "Exposes a system rustc's version stamp and its library sources.",
)
