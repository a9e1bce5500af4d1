#!/bin/bash
# Regenerates third_party/python/requirements_lock.txt from requirements.in with
# pip-compile, pinning every package and the sha256 of every file pip may install.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
/usr/bin/python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet pip-tools
cd "$root/third_party/python"
"$work/venv/bin/pip-compile" --quiet --generate-hashes --allow-unsafe --strip-extras \
    --no-emit-find-links --no-emit-index-url \
    --custom-compile-command="tools/update_python_lock.sh" \
    -o requirements_lock.txt requirements.in
