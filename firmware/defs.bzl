"""firmware_binary: a Rust executable for a Cortex-M board, linked with the board's memory map."""

load("@rules_rust//rust:defs.bzl", "rust_binary")
load("//toolchains/image:defs.bzl", "mcu_image")

# The linker scripts: the board's memory map first, then the runtime's layout.
_LINK_FLAGS = [
    "-Clink-arg=-T$(execpath //toolchains/boards:memory_x)",
    "-Clink-arg=-T$(execpath //firmware/rt:link.x)",
]

_LINK_DATA = [
    "//firmware/rt:link.x",
    "//toolchains/boards:memory_x",
]

_BOARD_ENV = select({
    "//toolchains/boards:is_qemu_mps2_an386": {"TINYML_BOARD": "qemu_mps2_an386"},
    "//toolchains/boards:is_stm32h743": {"TINYML_BOARD": "stm32h743"},
    "//toolchains/boards:is_nano33_ble": {"TINYML_BOARD": "nano33_ble"},
    # Host builds skip these binaries (target_compatible_with) but still resolve this select.
    "//conditions:default": {},
})

def firmware_binary(name, deps = [], **kwargs):
    """A rust_binary for the board of the current platform (see mcu_image).

    Only meaningful for a Cortex-M board: `bazel build //...` on the host skips it and
    builds it through the mcu_image targets that name it. The board's name is in the
    TINYML_BOARD environment variable at compile time.
    """
    rust_binary(
        name = name,
        compile_data = _LINK_DATA,
        rustc_env = _BOARD_ENV,
        rustc_flags = _LINK_FLAGS,
        target_compatible_with = ["//toolchains/cpu:armv7e-m"],
        deps = deps + ["//firmware/rt"],
        **kwargs
    )

def detector_images(suffix, model, srcs = None, **kwargs):
    """The person detector with `model` (a tflite_rust_module, crate `model`), as four targets:
    `app<suffix>` and `image<suffix>` for QEMU (frames from host files), and
    `camera_app<suffix>` and `image<suffix>_stm32h743` for the STM32H743 (camera seam).

    Args:
        suffix: appended to every target name ("" for the product).
        model: the embedded model's crate.
        srcs: the application's sources (default: this package's app/src/*.rs; elsewhere
            //firmware:app_srcs).
        **kwargs: testonly, tags.
    """
    if srcs == None:
        srcs = native.glob(["app/src/*.rs"])
    deps = ["//firmware/semihosting", "//firmware/tflm", model]
    for app, features in [("app", ["host_frames"]), ("camera_app", [])]:
        firmware_binary(
            name = app + suffix,
            srcs = srcs,
            crate_features = features,
            crate_name = "firmware",
            deps = deps,
            **kwargs
        )
    mcu_image(
        name = "image" + suffix,
        binary = ":app" + suffix,
        platform = "//toolchains/platforms:qemu_mps2_an386",
        **kwargs
    )
    mcu_image(
        name = "image{}_stm32h743".format(suffix),
        binary = ":camera_app" + suffix,
        platform = "//toolchains/platforms:stm32h743",
        **kwargs
    )
