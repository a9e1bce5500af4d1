"""Providers shared by the Rust rules."""

CrateInfo = provider(
    doc = "A compiled Rust crate.",
    fields = {
        "name": "str: the crate name used in `--extern`",
        "output": "File: the .rlib (or the executable for binaries)",
        "type": "str: rustc --crate-type",
        "transitive_rlibs": "depset[File]: this crate's rlib and those of all its dependencies",
        "transitive_linker_inputs": "depset[File]: the C/C++ archives those arguments name (action inputs)",
        "transitive_link_flags": "depset[str]: linker arguments naming the C/C++ archives (plain or in whole-archive groups)",
        "transitive_user_link_flags": "depset[str]: the C/C++ libraries' own linkopts (-l...), passed after every archive",
    },
)

SysrootInfo = provider(
    doc = "A Rust sysroot built from source for a bare-metal target.",
    fields = {
        "root": "str: exec-root relative path of the sysroot directory",
        "files": "depset[File]: the rlibs inside it",
    },
)
