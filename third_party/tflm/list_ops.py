"""Lists the builtin operators the vendored TFLM library can run, with their versions.

Reads AddBuiltin(...) calls from TFLM's all_ops_resolver.cc, so the list is derived from
the sources that are compiled, never written by hand. Output lines: `OP MIN MAX`.
"""

from __future__ import annotations

import re
from pathlib import Path

from absl import app, flags

RESOLVER = flags.DEFINE_string("resolver", None, "TFLM's all_ops_resolver.cc.", required=True)
OUT = flags.DEFINE_string("out", None, "Where to write ops.txt.", required=True)

_ADD_BUILTIN = re.compile(
    r"AddBuiltin\(\s*BuiltinOperator_(?P<op>\w+)\s*,\s*Register_\w+\(\)\s*(?:,\s*(?P<min>\d+)\s*,\s*(?P<max>\d+)\s*)?\)"
)


def parse_resolver(source: str) -> dict[str, tuple[int, int]]:
    ops: dict[str, tuple[int, int]] = {}
    for match in _ADD_BUILTIN.finditer(source):
        low, high = int(match["min"] or 1), int(match["max"] or 1)
        ops[match["op"]] = (low, high)
    if not ops:
        raise ValueError("no AddBuiltin(...) registrations found: is this TFLM's all_ops_resolver.cc?")
    return ops


def main(argv: list[str]) -> None:
    del argv
    ops = parse_resolver(Path(RESOLVER.value).read_text())
    lines = [f"{op} {low} {high}" for op, (low, high) in sorted(ops.items())]
    Path(OUT.value).write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    app.run(main)
