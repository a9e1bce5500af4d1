"""What every command-line tool of the project needs from `bazel run`."""

from __future__ import annotations

import os
from pathlib import Path


def cli_path(value: str) -> Path:
    """A path as the user typed it. `bazel run` starts a tool in its runfiles tree, so a
    relative path is taken from the directory the user ran it in; a path that exists as
    given (a runfile named by the BUILD file's arguments) is kept."""
    path = Path(value).expanduser()
    if path.is_absolute() or path.exists():
        return path
    return Path(os.environ.get("BUILD_WORKING_DIRECTORY", ".")) / path
