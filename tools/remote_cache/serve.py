"""Runs the remote cache server until Ctrl-C or SIGTERM.

bazel run //tools/remote_cache:serve -- --dir=$HOME/.cache/tinyml-remote-cache [--port=9090]
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

from absl import app, flags

from tools.remote_cache.server import CacheServer

DIR = flags.DEFINE_string("dir", None, "Directory for the cache's store and access log.", required=True)
PORT = flags.DEFINE_integer("port", 9090, "Loopback port to listen on.")


def _exit_on_sigterm(signal_number: int, frame: object) -> None:
    raise SystemExit(0)  # unwinds the `with`, which stops the server


def main(argv: list[str]) -> None:
    del argv
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    directory = Path(os.environ.get("BUILD_WORKING_DIRECTORY", ".")) / Path(DIR.value).expanduser()
    with CacheServer(directory, PORT.value) as server:
        print(f"remote cache at {server.url} (blobs in {server.store}); Ctrl-C stops it")
        print(f"  bazel build --config=remote-cache --remote_cache={server.url} //firmware:image")
        try:
            if server.process is not None:
                server.process.wait()
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    app.run(main)
