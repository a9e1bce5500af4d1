"""qemu_test: runs an mcu_image under qemu-system-arm and checks exit code and output."""

load("//toolchains/image:defs.bzl", "McuImageInfo")

def _shell_quote(text):
    return "'" + text.replace("'", "'\\''") + "'"

def _qemu_test_impl(ctx):
    image = ctx.attr.image[McuImageInfo]
    script = ctx.actions.declare_file(ctx.label.name + ".sh")
    args = [
        "--elf=" + image.elf.short_path,
        "--machine=" + ctx.attr.machine,
        "--timeout=" + str(ctx.attr.timeout_seconds),
        "--expect_exit_code=" + str(ctx.attr.expect_exit_code),
        "--expect_output=" + ctx.attr.expect_output,
        "--append=" + " ".join(ctx.attr.qemu_args),
    ]
    ctx.actions.write(
        output = script,
        content = "#!/bin/bash\nexec {} {}\n".format(
            ctx.executable._runner.short_path,
            " ".join([_shell_quote(a) for a in args]),
        ),
        is_executable = True,
    )
    runfiles = ctx.runfiles(files = [image.elf, ctx.executable._runner] + ctx.files.data)
    return [DefaultInfo(executable = script, runfiles = runfiles)]

qemu_test = rule(
    implementation = _qemu_test_impl,
    test = True,
    doc = "Passes only if the image exits with expect_exit_code and prints expect_output.",
    attrs = {
        "data": attr.label_list(allow_files = True, doc = "Host files the firmware reads."),
        "expect_exit_code": attr.int(default = 0),
        "expect_output": attr.string(mandatory = True),
        "image": attr.label(mandatory = True, providers = [McuImageInfo]),
        "machine": attr.string(default = "mps2-an386"),
        "qemu_args": attr.string_list(doc = "The firmware's command line (QEMU -append)."),
        "timeout_seconds": attr.int(default = 60),
        "_runner": attr.label(
            default = "//toolchains/qemu:run_qemu.sh",
            executable = True,
            allow_single_file = True,
            cfg = "exec",
        ),
    },
)
