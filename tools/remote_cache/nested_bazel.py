"""Bazel run from inside a test or benchmark on this workspace, in an output base of its
own (so it never waits on the outer build's lock) with the user's caches."""

from __future__ import annotations

import os
import pwd
import subprocess
from pathlib import Path


def workspace() -> Path:
    """The source workspace: `bazel run` says where; in a test the runfiles tree links
    WORKSPACE to it."""
    if "BUILD_WORKSPACE_DIRECTORY" in os.environ:
        return Path(os.environ["BUILD_WORKSPACE_DIRECTORY"])
    return Path(os.path.realpath("WORKSPACE")).parent


_CREATES_SYMLINKS = ("build", "test", "run", "coverage")


def bazel(output_base: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    user = pwd.getpwuid(os.getuid())
    # HOME: pip's and cargo's caches and Bazel's install base, as in the user's own builds.
    env = {"HOME": user.pw_dir, "USER": user.pw_name, "PATH": "/usr/bin:/bin:/usr/sbin:/sbin"}
    if args and args[0] in _CREATES_SYMLINKS:
        # Its convenience symlinks (bazel-bin, bazel-<workspace>, ...) would replace the user's
        # own in the shared workspace, and the user's next build would load packages through them.
        args = (args[0], "--symlink_prefix=/", *args[1:])
    done = subprocess.run(
        ["/usr/bin/bazel", f"--output_base={output_base}", "--max_idle_secs=60", *args],
        cwd=workspace(),
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if check and done.returncode != 0:
        raise AssertionError(f"bazel {' '.join(args)} failed ({done.returncode}):\n{done.stderr[-4000:]}")
    return done


def shutdown(output_base: Path) -> None:
    bazel(output_base, "shutdown", check=False)
