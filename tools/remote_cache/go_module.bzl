"""go_module_binary: a Go program built from a module in this workspace, at fetch time.

The Go toolchain is Debian's `golang-go` (`/usr/bin/go`, installed by tools/setup.sh).
Dependencies come through the Go module proxy, each checked against the committed
`go.sum` (`-mod=readonly`: a missing or changed sum fails the fetch). The repository holds
`:<name>` (the program) and `:<name>_test` (the module's tests, compiled with `go test -c`),
so that a Bazel test can run them without network or Go toolchain at test time.
"""

def _go(rctx, args, what):
    environment = {
        "CGO_ENABLED": "0",
        "GOFLAGS": "-mod=readonly -trimpath -buildvcs=false",
        # The toolchain named here, never one fetched because a dependency asks for it.
        "GOTOOLCHAIN": "local",
    }
    result = rctx.execute([rctx.attr.go] + args, environment = environment, working_directory = "src", timeout = 1200, quiet = True)
    if result.return_code != 0:
        fail("go_module_binary({}): {} failed (exit {}):\n{}{}\nIs Debian's golang-go installed (tools/setup.sh)? Is go.sum complete (go mod tidy)?".format(
            rctx.name,
            what,
            result.return_code,
            result.stdout,
            result.stderr,
        ))

def _go_module_binary_impl(rctx):
    if not rctx.path(rctx.attr.go).exists:
        fail("go_module_binary({}): {} not found: install Debian's golang-go (tools/setup.sh does)".format(rctx.name, rctx.attr.go))
    for source in rctx.attr.srcs:
        rctx.symlink(source, "src/" + source.name)
    rctx.report_progress("go build ({})".format(rctx.name))
    _go(rctx, ["build", "-o", "../" + rctx.name, "."], "go build")
    _go(rctx, ["test", "-c", "-o", "../{}_test".format(rctx.name), "."], "go test -c")
    rctx.file("WORKSPACE", "workspace(name = \"{}\")\n".format(rctx.name))
    rctx.file("BUILD.bazel", """\
package(default_visibility = ["//visibility:public"])

exports_files(["{name}", "{name}_test"])
""".format(name = rctx.name))

go_module_binary = repository_rule(
    implementation = _go_module_binary_impl,
    attrs = {
        "go": attr.string(default = "/usr/bin/go"),
        "srcs": attr.label_list(mandatory = True, allow_files = True, doc = "go.mod, go.sum and the package's .go files"),
    },
    environ = ["HOME", "GOPATH", "GOMODCACHE", "GOPROXY"],
    doc = "A main package's binary and test binary, built with `go build` from pinned modules.",
)
