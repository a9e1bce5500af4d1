"""mcu_image: a firmware binary built for a board platform, with .bin and size report.

`bazel build //firmware:image` needs no --platforms flag: the binary attribute carries a
transition to the board's platform, which selects the toolchains (by CPU) and the memory
map (by board).
"""

load("//toolchains/platforms:model_configuration.bzl", "TRANSITION_ALLOWLIST")

McuImageInfo = provider(
    doc = "A firmware image for one board.",
    fields = {
        "elf": "File: the linked ELF",
        "bin": "File: the raw flash image",
        "size_report": "File: JSON with flash and RAM use against the board's limits",
        "platform": "Label: the board platform it was built for",
    },
)

def _board_transition_impl(_settings, attr):
    return {"//command_line_option:platforms": str(attr.platform)}

_board_transition = transition(
    implementation = _board_transition_impl,
    inputs = [],
    outputs = ["//command_line_option:platforms"],
)

def _single(value):
    return value[0] if type(value) == "list" else value

def _mcu_image_impl(ctx):
    binary = _single(ctx.attr.binary)
    memory_x = _single(ctx.attr.memory_map).files.to_list()[0]
    elf_in = binary[DefaultInfo].files.to_list()[0]
    elf = ctx.outputs.elf
    bin = ctx.outputs.bin
    report = ctx.outputs.size_report

    ctx.actions.symlink(output = elf, target_file = elf_in)
    ctx.actions.run(
        executable = "/usr/bin/arm-none-eabi-objcopy",
        arguments = ["-O", "binary", elf_in.path, bin.path],
        inputs = [elf_in],
        outputs = [bin],
        mnemonic = "Objcopy",
        progress_message = "Extracting the flash image of {}".format(ctx.label),
    )
    ctx.actions.run(
        executable = ctx.executable._size_report,
        arguments = [
            "--elf=" + elf_in.path,
            "--memory_x=" + memory_x.path,
            "--label=" + str(ctx.label),
            "--board=" + ctx.attr.platform.label.name,
            "--out=" + report.path,
        ],
        inputs = [elf_in, memory_x],
        outputs = [report],
        mnemonic = "SizeReport",
        progress_message = "Measuring flash and RAM use of {}".format(ctx.label),
    )
    return [
        DefaultInfo(
            files = depset([elf, bin, report]),
            runfiles = ctx.runfiles(files = [elf]),
        ),
        McuImageInfo(elf = elf, bin = bin, size_report = report, platform = ctx.attr.platform.label),
    ]

mcu_image = rule(
    implementation = _mcu_image_impl,
    doc = "Builds `binary` for the board `platform`; outputs NAME.elf, NAME.bin, NAME.size.json.",
    # Predeclared, so that tests and other rules can name them (//firmware:image.elf).
    outputs = {
        "bin": "%{name}.bin",
        "elf": "%{name}.elf",
        "size_report": "%{name}.size.json",
    },
    attrs = dict(TRANSITION_ALLOWLIST, **{
        "binary": attr.label(mandatory = True, cfg = _board_transition),
        "memory_map": attr.label(
            default = "//toolchains/boards:memory_x",
            allow_single_file = True,
            cfg = _board_transition,
            doc = "The board's memory.x, resolved under the board platform.",
        ),
        "platform": attr.label(mandatory = True, doc = "A board platform from //toolchains/platforms."),
        "_size_report": attr.label(
            default = "//toolchains/image:size_report",
            executable = True,
            cfg = "exec",
        ),
    }),
)

def _board_files_impl(ctx):
    files = depset(transitive = [src[DefaultInfo].files for src in ctx.attr.srcs])
    runfiles = ctx.runfiles(transitive_files = files)
    for src in ctx.attr.srcs:
        runfiles = runfiles.merge(src[DefaultInfo].default_runfiles)
    return [DefaultInfo(files = files, runfiles = runfiles)]

board_files = rule(
    implementation = _board_files_impl,
    doc = "`srcs` built in the configuration of `platform`: exactly the artifacts an mcu_image " +
          "for that board embeds (its model, say), for tests and benchmarks to compare " +
          "against, without building the chain a second time.",
    attrs = dict(TRANSITION_ALLOWLIST, **{
        "platform": attr.label(mandatory = True, doc = "A board platform from //toolchains/platforms."),
        "srcs": attr.label_list(allow_files = True, cfg = _board_transition),
    }),
)
