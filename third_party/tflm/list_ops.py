"""Lists the builtin operators the vendored TFLM library can run, with their versions.

Output lines: `OP MIN MAX`, sorted, derived from the compiled resolver (never by hand).
"""

from __future__ import annotations

from pathlib import Path

from absl import app, flags

from third_party.tflm.resolver_registrations import parse_resolver

RESOLVER = flags.DEFINE_string("resolver", None, "TFLM's all_ops_resolver.cc.", required=True)
OUT = flags.DEFINE_string("out", None, "Where to write ops.txt.", required=True)


def main(argv: list[str]) -> None:
    del argv
    ops = parse_resolver(Path(RESOLVER.value).read_text())
    lines = [f"{op} {reg.min_version} {reg.max_version}" for op, reg in ops.items()]
    Path(OUT.value).write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    app.run(main)
