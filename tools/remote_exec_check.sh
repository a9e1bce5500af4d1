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
# No local fallback here: an endpoint that is not a working REAPI service must fail the check.
exec /usr/bin/bazel build --nobuild --config=remote-exec --noremote_local_fallback \
    --remote_executor="$TINYML_REAPI_ENDPOINT" //firmware:image //firmware:image_tiny "$@"
