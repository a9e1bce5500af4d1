#!/bin/bash
# Runs rustc with ${pwd} in its arguments and environment replaced by the action's working
# directory. Only the action knows that directory (sandboxes move it), and rustc needs it
# to remap absolute paths out of debug info so that outputs do not depend on where Bazel
# ran, and to find generated files through env!() (include! resolves relative paths
# against the including source file, not the working directory).
set -euo pipefail
rustc="$1"
shift
while IFS= read -r name; do
    value="${!name}"
    if [[ "$value" == *'${pwd}'* ]]; then
        export "$name=${value//\$\{pwd\}/$PWD}"
    fi
done < <(compgen -e)
args=()
for arg in "$@"; do
    args+=("${arg//\$\{pwd\}/$PWD}")
done
exec "$rustc" "${args[@]}"
