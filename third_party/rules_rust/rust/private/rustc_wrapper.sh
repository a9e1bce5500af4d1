#!/bin/bash
# Runs rustc with ${pwd} in its arguments replaced by the action's working directory.
# Only the action knows that directory (sandboxes move it), and rustc needs it to remap
# absolute paths out of debug info so that outputs do not depend on where Bazel ran.
set -euo pipefail
rustc="$1"
shift
args=()
for arg in "$@"; do
    args+=("${arg//\$\{pwd\}/$PWD}")
done
exec "$rustc" "${args[@]}"
