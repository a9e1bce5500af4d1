"""A Bazel remote cache on loopback: `grpc_cache` (our Go server, ./grpc_cache), speaking
the Remote Execution API's cache services over gRPC with a disk-backed store.

In Python: `with CacheServer(directory) as server: ... server.url` (a `grpc://` URL);
from a shell: `bazel run //tools/remote_cache:serve` (serve.py).
"""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path
from types import TracebackType

# Where a target that lists @grpc_cache//:grpc_cache in its data finds it, relative to its
# runfiles tree's main repository (the working directory of tests and `bazel run`).
_RUNFILES_BINARY = Path("..") / "grpc_cache" / "grpc_cache"
_READ_EVENTS = ("ac-hit ", "cas-hit ")


def server_binary() -> Path:
    explicit = os.environ.get("TINYML_GRPC_CACHE")
    candidates = [Path(explicit)] if explicit else []
    runfiles = os.environ.get("RUNFILES_DIR")
    if runfiles:
        candidates.append(Path(runfiles) / "grpc_cache" / "grpc_cache")
    candidates.append(_RUNFILES_BINARY)
    for candidate in candidates:
        if candidate.is_file():
            return candidate.resolve()
    raise FileNotFoundError(
        "the grpc_cache server binary is not in this target's runfiles: add "
        "'@grpc_cache//:grpc_cache' to its data (or set TINYML_GRPC_CACHE to the binary)"
    )


class CacheServer:
    """grpc_cache serving `directory/store` on 127.0.0.1:`port` (a free one by default)."""

    def __init__(self, directory: Path, port: int = 0) -> None:
        self.directory = directory.resolve()
        self.store = self.directory / "store"
        self.access_log = self.directory / "access.log"
        self.port = port
        self.process: subprocess.Popen[str] | None = None

    @property
    def url(self) -> str:
        return f"grpc://127.0.0.1:{self.port}"

    def start(self) -> CacheServer:
        self.store.mkdir(parents=True, exist_ok=True)
        # hits() counts this run's reads only.
        self.access_log.unlink(missing_ok=True)
        server_log = self.directory / "server.log"
        with server_log.open("w") as errors:
            self.process = subprocess.Popen(
                [
                    str(server_binary()),
                    f"--dir={self.store}",
                    f"--port={self.port}",
                    f"--access_log={self.access_log}",
                ],
                stdout=subprocess.PIPE,
                stderr=errors,
                text=True,
            )
        assert self.process.stdout is not None
        # The server's first line says where it listens, once it does.
        first_line = self.process.stdout.readline()
        if not first_line.startswith("serving grpc://"):
            self.process.wait(timeout=10)
            self.process = None
            raise RuntimeError(f"grpc_cache did not start: {server_log.read_text().strip() or first_line.strip()}")
        self.port = int(first_line.strip().rsplit(":", 1)[1])
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def entries(self) -> int:
        """Blobs and action results stored."""
        return sum(len(files) for kind in ("ac", "cas") for _, _, files in os.walk(self.store / kind))

    def hits(self) -> int:
        """Reads answered so far (each a cached action result or blob served)."""
        if not self.access_log.exists():
            return 0
        return sum(
            1 for line in self.access_log.read_text(errors="replace").splitlines() if line.startswith(_READ_EVENTS)
        )

    def __enter__(self) -> CacheServer:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()
