"""Build times of the device image: clean, no-op and from a warm remote cache.

    bazel run //bench:build                                   # //firmware:image (trains: most of an hour)
    bazel run //bench:build -- --target=//firmware:image_tiny # minutes

1. clean: a fresh output base against an empty cache (grpc_cache, //tools/remote_cache);
2. no-op: the same command again in that output base;
3. cache hit: a second fresh output base against the cache the clean build filled.
Prints seconds and ratios to the clean build, as a Markdown table for BENCHMARKS.md.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from absl import app, flags

from tools.remote_cache import execution_log
from tools.remote_cache.nested_bazel import bazel, shutdown
from tools.remote_cache.server import CacheServer

TARGET = flags.DEFINE_string("target", "//firmware:image", "What to build.")


def timed_build(output_base: Path, url: str, log: Path, target: str) -> float:
    start = time.monotonic()
    bazel(
        output_base,
        "build",
        "--config=remote-cache",
        f"--remote_cache={url}",
        f"--execution_log_json_file={log}",
        target,
    )
    return time.monotonic() - start


def main(argv: list[str]) -> None:
    del argv
    target = TARGET.value
    with tempfile.TemporaryDirectory(prefix="tinyml-bench-build-") as scratch_dir:
        scratch = Path(scratch_dir)
        with CacheServer(scratch / "cache") as server:
            rows = []
            try:
                print(f"clean build of {target} (fresh output base, empty cache)…", flush=True)
                clean = timed_build(scratch / "a", server.url, scratch / "clean.json", target)
                rows.append(("clean build", clean, sum(execution_log.executed(scratch / "clean.json").values())))
                print("no-op rebuild…", flush=True)
                noop = timed_build(scratch / "a", server.url, scratch / "noop.json", target)
                rows.append(("no-op rebuild", noop, sum(execution_log.executed(scratch / "noop.json").values())))
                print("cache-hit rebuild (second fresh output base)…", flush=True)
                hit = timed_build(scratch / "b", server.url, scratch / "hit.json", target)
                rows.append(("cache-hit rebuild", hit, sum(execution_log.executed(scratch / "hit.json").values())))
            finally:
                shutdown(scratch / "a")
                shutdown(scratch / "b")
    print(f"\n`{target}`: clean and cache-hit builds each in a fresh output base (new server, external")
    print("repositories fetched, the Python environment created); the no-op reuses the clean build's server.\n")
    print("| build | seconds | ratio to clean | actions executed |")
    print("|---|---|---|---|")
    for name, seconds, executed in rows:
        print(f"| {name} | {seconds:.1f} | {seconds / clean:.3f} | {executed} |")


if __name__ == "__main__":
    app.run(main)
