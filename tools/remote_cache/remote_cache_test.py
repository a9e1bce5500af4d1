"""A real remote cache (grpc_cache, //tools/remote_cache:server) in front of real builds.

Builds //firmware:image_tiny_chain (dataset, .keras, .tflite, generated Rust, image) in a
fresh output base against an empty cache, then in a second fresh output base against the
filled cache: the second executes no training, quantization or compile action and
produces the same bytes. Then a build whose cache server is stopped mid-build completes
locally (the actions the cache did not answer run here), with every artifact equal to
the first build's.

Runs nested Bazel servers on this workspace (tag `local`: no sandbox), each in its own
output base under the test's temporary directory; expect several minutes.
"""

from __future__ import annotations

import hashlib
import subprocess
import threading
import time
from pathlib import Path

import pytest

from tools.remote_cache import execution_log
from tools.remote_cache.nested_bazel import bazel, shutdown
from tools.remote_cache.server import CacheServer

TARGET = "//firmware:image_tiny_chain"
# Actions that must never run again when the cache has them.
HEAVY = {"TrainKerasModel", "QuantizeInt8", "Rustc", "CppCompile", "CppLink", "TfliteToRust", "SynthesizeDataset"}


def build(output_base: Path, server_url: str, log: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    try:
        return bazel(
            output_base,
            "build",
            "--config=remote-cache",
            f"--remote_cache={server_url}",
            f"--execution_log_json_file={log}",
            *extra,
            TARGET,
        )
    finally:
        shutdown(output_base)


def artifacts(output_base: Path) -> dict[str, str]:
    """sha256 of every file of TARGET (directories file by file), in the chain's order."""
    listed = bazel(
        output_base,
        "cquery",
        "--output=starlark",
        '--starlark:expr="\\n".join([f.path for f in target.files.to_list()])',
        TARGET,
    ).stdout.split()
    shutdown(output_base)
    execroot = output_base / "execroot" / "tinyml"
    hashes = {}
    for name in listed:
        path = execroot / name
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            hashes[str(file.relative_to(execroot))] = hashlib.sha256(file.read_bytes()).hexdigest()
    assert any(name.endswith("image_tiny.elf") for name in hashes), sorted(hashes)[:5]
    return hashes


def first_difference(expected: dict[str, str], actual: dict[str, str]) -> str | None:
    for name, digest in expected.items():
        if actual.get(name) != digest:
            return name
    extra = set(actual) - set(expected)
    return min(extra) if extra else None


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("remote_cache")


@pytest.fixture(scope="module")
def cold(scratch: Path) -> tuple[CacheServer, dict[str, str]]:
    server = CacheServer(scratch / "cache").start()
    build(scratch / "cold", server.url, scratch / "cold.json")
    assert server.entries() > 100, "the cold build uploaded its results"
    return server, artifacts(scratch / "cold")


def test_warm_cache_build_executes_nothing_heavy_and_matches(
    scratch: Path, cold: tuple[CacheServer, dict[str, str]]
) -> None:
    server, cold_artifacts = cold
    build(scratch / "warm", server.url, scratch / "warm.json")
    ran = execution_log.executed(scratch / "warm.json")
    assert not (set(ran) & HEAVY), f"heavy actions ran despite a warm cache: {dict(ran)}"
    assert execution_log.cache_hits(scratch / "warm.json") > 50
    assert first_difference(cold_artifacts, artifacts(scratch / "warm")) is None


def test_server_stopped_mid_build_leaves_a_correct_local_build(
    scratch: Path, cold: tuple[CacheServer, dict[str, str]]
) -> None:
    server, cold_artifacts = cold
    # A server with everything, stopped once it has served part of the build: the rest of
    # the actions must run here and give the same bytes.
    server.stop()
    stopped = CacheServer(server.directory).start()
    served_before_stop = 150

    def stop_mid_build() -> None:
        deadline = time.monotonic() + 1800
        while stopped.hits() < served_before_stop and time.monotonic() < deadline:
            time.sleep(0.2)
        stopped.stop()

    stopper = threading.Thread(target=stop_mid_build)
    stopper.start()
    done = build(scratch / "interrupted", stopped.url, scratch / "interrupted.json")
    stopper.join()
    assert stopped.process is None, "the server was stopped during the build"
    ran = execution_log.executed(scratch / "interrupted.json")
    assert execution_log.cache_hits(scratch / "interrupted.json") > 0 and sum(ran.values()) > 0, dict(ran)
    assert "remote cache" in done.stderr.lower() or "connection refused" in done.stderr.lower(), done.stderr[-2000:]
    differs = first_difference(cold_artifacts, artifacts(scratch / "interrupted"))
    assert differs is None, f"the interrupted build differs from the cold one; first differing artifact: {differs}"


def test_a_model_too_large_for_the_board_fails_the_build(
    scratch: Path, cold: tuple[CacheServer, dict[str, str]]
) -> None:
    # In the cold build's output base: its tools are built, so only the model is new.
    done = bazel(scratch / "cold", "build", "//codegen:oversized_for_nano33_board", check=False)
    shutdown(scratch / "cold")
    assert done.returncode != 0, "the oversized model built"
    assert "the model needs a" in done.stderr and "tensor arena but board nano33_ble has 229,376 B" in done.stderr, (
        done.stderr[-3000:]
    )


if __name__ == "__main__":
    raise SystemExit(pytest.main([__file__, "-q", "-x"]))
