"""Reads Bazel's --execution_log_json_file: one JSON object per spawn, back to back."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path


def spawns(path: Path) -> list[dict]:
    text, decoder, found, position = path.read_text(), json.JSONDecoder(), [], 0
    while True:
        while position < len(text) and text[position].isspace():
            position += 1
        if position >= len(text):
            return found
        spawn, position = decoder.raw_decode(text, position)
        found.append(spawn)


def executed(path: Path) -> Counter[str]:
    """Spawns that ran (not answered by the remote cache), by mnemonic."""
    return Counter(spawn.get("mnemonic", "?") for spawn in spawns(path) if not spawn.get("remoteCacheHit", False))


def cache_hits(path: Path) -> int:
    return sum(1 for spawn in spawns(path) if spawn.get("remoteCacheHit", False))
