"""Public API: an API-compatible subset of upstream rules_rust."""

load("//rust/private:providers.bzl", _CrateInfo = "CrateInfo")
load("//rust/private:rust.bzl", _rust_binary = "rust_binary", _rust_library = "rust_library", _rust_test = "rust_test")

rust_library = _rust_library
rust_binary = _rust_binary
rust_test = _rust_test
CrateInfo = _CrateInfo
