"""cargo_crate_source: one crate's sources, fetched by cargo and pinned by Cargo.lock.

Cargo does the download (from the registry it is configured for) and checks every file
against the checksums of the committed lock file (`cargo fetch --locked`). The crate
archive is then verified once more against its lock checksum, unpacked into this
repository with the given BUILD file, and only then are the `patches` applied (each one
named and explained in its own file). Nothing is built with cargo.
"""

def _lock_checksum(lock_text, crate, version):
    blocks = lock_text.split("[[package]]")
    for block in blocks:
        if 'name = "{}"'.format(crate) in block and 'version = "{}"'.format(version) in block:
            for line in block.splitlines():
                if line.startswith("checksum = "):
                    return line.split('"')[1]
    fail("cargo_crate_source: {} {} has no checksum in the lock file".format(crate, version))

def _run(rctx, args, what, environment = {}):
    result = rctx.execute(args, environment = environment, timeout = 1200, quiet = False)
    if result.return_code != 0:
        fail("cargo_crate_source: {} failed (exit {}):\n{}{}".format(what, result.return_code, result.stdout, result.stderr))
    return result.stdout

def _cargo_crate_source_impl(rctx):
    crate, version = rctx.attr.crate, rctx.attr.version
    lock = rctx.path(rctx.attr.lockfile)
    expected = _lock_checksum(rctx.read(lock), crate, version)

    rctx.template("fetch/Cargo.toml", rctx.path(rctx.attr.manifest), {})
    rctx.template("fetch/Cargo.lock", lock, {})
    rctx.file("fetch/lib.rs", "")
    cargo_home = rctx.os.environ.get("CARGO_HOME") or (rctx.os.environ["HOME"] + "/.cargo")
    rctx.report_progress("cargo fetch --locked ({} {})".format(crate, version))
    _run(rctx, [rctx.attr.cargo, "fetch", "--locked", "--manifest-path", "fetch/Cargo.toml"], "cargo fetch --locked")

    archives = _run(rctx, ["find", cargo_home + "/registry/cache", "-name", "{}-{}.crate".format(crate, version)], "finding the crate archive").strip().split("\n")
    archives = [a for a in archives if a]
    if not archives:
        fail("cargo_crate_source: cargo fetched, but {}-{}.crate is not under {}/registry/cache".format(crate, version, cargo_home))
    archive = archives[0]
    actual = _run(rctx, ["sha256sum", archive], "hashing the crate").split(" ")[0]
    if actual != expected:
        fail("cargo_crate_source: {} has sha256 {}, but Cargo.lock pins {}".format(archive, actual, expected))

    # A .crate is a gzipped tar; extract() only recognises it by suffix.
    rctx.symlink(archive, "crate.tar.gz")
    rctx.extract("crate.tar.gz", stripPrefix = "{}-{}".format(crate, version))
    rctx.delete("crate.tar.gz")

    # The crate carries TensorFlow's own BUILD files; they would split it into packages
    # that our single BUILD file cannot see into.
    _run(rctx, ["find", ".", "-mindepth", "2", "(", "-name", "BUILD", "-o", "-name", "BUILD.bazel", ")", "-delete"], "removing nested BUILD files")
    rctx.delete("fetch")
    for patch in rctx.attr.patches:
        rctx.report_progress("applying {}".format(patch.name))
        rctx.patch(patch, strip = 1)
    rctx.file("CRATE_CHECKSUM", expected + "\n")
    rctx.symlink(rctx.path(rctx.attr.build_file), "BUILD.bazel")
    rctx.file("WORKSPACE", "workspace(name = \"{}\")\n".format(rctx.name))

cargo_crate_source = repository_rule(
    implementation = _cargo_crate_source_impl,
    attrs = {
        "build_file": attr.label(mandatory = True, allow_single_file = True),
        "cargo": attr.string(default = "/usr/bin/cargo"),
        "crate": attr.string(mandatory = True),
        "lockfile": attr.label(mandatory = True, allow_single_file = True),
        "manifest": attr.label(mandatory = True, allow_single_file = True),
        "patches": attr.label_list(allow_files = [".patch"], doc = "Unified diffs applied to the verified sources (-p1), in order."),
        "version": attr.string(mandatory = True),
    },
    environ = ["CARGO_HOME"],
    doc = "Sources of one crate, fetched by `cargo fetch --locked`, verified, unpacked and patched.",
)
