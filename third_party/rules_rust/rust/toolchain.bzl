"""The rust_toolchain rule and the from-source sysroot rule."""

load("//rust/private:sysroot.bzl", _rust_sysroot = "rust_sysroot")
load("//rust/private:toolchain.bzl", _rust_toolchain = "rust_toolchain")

rust_toolchain = _rust_toolchain
rust_sysroot = _rust_sysroot
