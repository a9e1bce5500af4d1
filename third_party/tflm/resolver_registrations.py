"""Reads the kernels TFLM registers from its all_ops_resolver.cc.

The resolver's AddBuiltin(...) calls are the one place the library names its kernels and
their versions; everything derived from them (ops.txt, the shim's op table) parses them here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_ADD_BUILTIN = re.compile(
    r"AddBuiltin\(\s*BuiltinOperator_(?P<op>\w+)\s*,\s*(?P<register>Register_\w+)\(\)\s*"
    r"(?:,\s*(?P<min>\d+)\s*,\s*(?P<max>\d+)\s*)?\)"
)
# Some calls annotate their arguments (`/* min_version = */ 1`): comments are dropped first.
_COMMENT = re.compile(r"/\*.*?\*/|//[^\n]*", re.DOTALL)


@dataclass(frozen=True)
class Registration:
    """One AddBuiltin call: the kernel's registration function and its version range."""

    register: str
    min_version: int
    max_version: int


def parse_resolver(source: str) -> dict[str, Registration]:
    """Maps each operator name to its registration, sorted by name."""
    ops: dict[str, Registration] = {}
    for match in _ADD_BUILTIN.finditer(_COMMENT.sub(" ", source)):
        ops[match["op"]] = Registration(match["register"], int(match["min"] or 1), int(match["max"] or 1))
    if not ops:
        raise ValueError("no AddBuiltin(...) registrations found: is this TFLM's all_ops_resolver.cc?")
    return dict(sorted(ops.items()))
