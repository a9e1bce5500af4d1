#!/bin/bash
# Checks that the image's whole chain is configured for remote execution: analysis of
# //firmware:image with --config=remote-exec against the REAPI endpoint in
# $TINYML_REAPI_ENDPOINT (grpc://HOST:PORT), without executing anything (--nobuild).
#
#   TINYML_REAPI_ENDPOINT=grpc://buildbarn.example:8980 tools/remote_exec_check.sh
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [[ -z "${TINYML_REAPI_ENDPOINT:-}" ]]; then
    echo "remote_exec_check: set TINYML_REAPI_ENDPOINT=grpc://HOST:PORT (a REAPI service); nothing checked" >&2
    exit 2
fi
cd "$root"
exec /usr/bin/bazel build --nobuild --config=remote-exec \
    --remote_executor="$TINYML_REAPI_ENDPOINT" //firmware:image //firmware:image_tiny "$@"
