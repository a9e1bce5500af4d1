"""cc_toolchain_config for Debian's gcc-arm-none-eabi (newlib-nano, hard float)."""

load("@bazel_tools//tools/build_defs/cc:action_names.bzl", "ACTION_NAMES")
load(
    "@bazel_tools//tools/cpp:cc_toolchain_config_lib.bzl",
    "feature",
    "flag_group",
    "flag_set",
    "tool_path",
    "with_feature_set",
)

_C_COMPILE = [ACTION_NAMES.c_compile]
_CPP_COMPILE = [
    ACTION_NAMES.cpp_compile,
    ACTION_NAMES.cpp_header_parsing,
    ACTION_NAMES.cpp_module_compile,
]
_ALL_COMPILE = _C_COMPILE + _CPP_COMPILE + [ACTION_NAMES.assemble, ACTION_NAMES.preprocess_assemble]
_ALL_LINK = [
    ACTION_NAMES.cpp_link_executable,
    ACTION_NAMES.cpp_link_dynamic_library,
    ACTION_NAMES.cpp_link_nodeps_dynamic_library,
]

_GCC_VERSION = "12.2.1"

def _flags(actions, flags, features = None):
    return flag_set(
        actions = actions,
        flag_groups = [flag_group(flags = flags)],
        with_features = [with_feature_set(features = features)] if features else [],
    )

def _impl(ctx):
    cpu_flags = ctx.attr.cpu_flags
    features = [
        feature(name = "supports_pic", enabled = False),
        feature(name = "dbg"),
        feature(name = "opt"),
        feature(name = "fastbuild"),
        feature(
            name = "default_flags",
            enabled = True,
            flag_sets = [
                _flags(_ALL_COMPILE + _ALL_LINK, cpu_flags),
                _flags(_ALL_COMPILE, [
                    "--specs=nano.specs",
                    # One section per function and object: --gc-sections drops the unused.
                    "-ffunction-sections",
                    "-fdata-sections",
                    "-fno-common",
                    "-Wall",
                    # Reproducible objects: no clock, no absolute paths.
                    "-Wno-builtin-macro-redefined",
                    "-D__DATE__=\"redacted\"",
                    "-D__TIMESTAMP__=\"redacted\"",
                    "-D__TIME__=\"redacted\"",
                    "-no-canonical-prefixes",
                    "-fno-canonical-system-headers",
                ]),
                # Microcontroller C++: no exceptions, no RTTI, no thread-safe statics (no OS).
                _flags(_CPP_COMPILE, [
                    "-std=c++17",
                    "-fno-exceptions",
                    "-fno-rtti",
                    "-fno-threadsafe-statics",
                    "-fno-use-cxa-atexit",
                ]),
                _flags(_C_COMPILE, ["-std=c11"]),
                _flags(_ALL_COMPILE, ["-Os", "-g"], ["fastbuild"]),
                _flags(_ALL_COMPILE, ["-Og", "-g3"], ["dbg"]),
                _flags(_ALL_COMPILE, ["-O2", "-g", "-DNDEBUG"], ["opt"]),
                _flags(_ALL_LINK, ["--specs=nano.specs", "-Wl,--gc-sections"]),
            ],
        ),
    ]
    wrapper = ctx.attr.gcc_wrapper
    return cc_common.create_cc_toolchain_config_info(
        ctx = ctx,
        features = features,
        toolchain_identifier = ctx.attr.toolchain_identifier,
        host_system_name = "x86_64-unknown-linux-gnu",
        target_system_name = "arm-none-eabi",
        target_cpu = ctx.attr.cpu,
        target_libc = "newlib",
        compiler = "gcc",
        abi_version = "eabi",
        abi_libc_version = "newlib",
        cxx_builtin_include_directories = [
            "/usr/include/newlib",
            "/usr/lib/arm-none-eabi/include/c++/{}".format(_GCC_VERSION),
            "/usr/lib/gcc/arm-none-eabi/{}/include".format(_GCC_VERSION),
            "/usr/lib/gcc/arm-none-eabi/{}/include-fixed".format(_GCC_VERSION),
            "/usr/lib/arm-none-eabi/include",
        ],
        tool_paths = [
            tool_path(name = "gcc", path = wrapper),
            tool_path(name = "cpp", path = "/usr/bin/arm-none-eabi-cpp"),
            tool_path(name = "ar", path = "/usr/bin/arm-none-eabi-ar"),
            tool_path(name = "ld", path = "/usr/bin/arm-none-eabi-ld"),
            tool_path(name = "nm", path = "/usr/bin/arm-none-eabi-nm"),
            tool_path(name = "objcopy", path = "/usr/bin/arm-none-eabi-objcopy"),
            tool_path(name = "objdump", path = "/usr/bin/arm-none-eabi-objdump"),
            tool_path(name = "strip", path = "/usr/bin/arm-none-eabi-strip"),
            tool_path(name = "gcov", path = "/bin/false"),
        ],
    )

arm_none_eabi_toolchain_config = rule(
    implementation = _impl,
    attrs = {
        "cpu": attr.string(mandatory = True),
        "cpu_flags": attr.string_list(mandatory = True, doc = "Selects the core and newlib's multilib."),
        "gcc_wrapper": attr.string(mandatory = True, doc = "Path of the gcc driver wrapper, relative to this package."),
        "toolchain_identifier": attr.string(mandatory = True),
    },
    provides = [CcToolchainConfigInfo],
)
