#!/bin/bash
# Builds targets in two fresh output bases and compares the bytes of their outputs.
#
#   tools/check_reproducible.sh [TARGET ...]     (default: //firmware:image_chain)
#
# Prints the sha256 of every output and exits 1 naming the first file that differs, in
# the order the targets list them: //firmware:image_chain lists the chain in order
# (dataset, .keras, .tflite, generated Rust, image), //firmware:image_tiny_chain the same
# for the tests' tiny model (minutes instead of most of an hour).
# Each build starts from nothing (new output base).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
targets=("$@")
((${#targets[@]})) || targets=(//firmware:image_chain)
work="$(mktemp -d /tmp/tinyml-repro.XXXXXX)"
trap 'for b in a b; do /usr/bin/bazel --output_base="$work/$b" shutdown >/dev/null 2>&1 || true; done; rm -rf "$work"' EXIT

cd "$root"
for build in a b; do
    echo "== clean build $build (output base $work/$build)" >&2
    /usr/bin/bazel --output_base="$work/$build" build "${targets[@]}" >&2
    execroot="$(/usr/bin/bazel --output_base="$work/$build" info execution_root 2>/dev/null)"
    # cquery takes one expression: the union of the targets.
    expression="$(printf ' + %s' "${targets[@]}")"
    files="$(/usr/bin/bazel --output_base="$work/$build" cquery --output=starlark \
        --starlark:expr='"\n".join([f.path for f in target.files.to_list()])' "${expression:3}")"
    # Tree artifacts (directories) are hashed file by file.
    (cd "$execroot" && while read -r f; do
        [[ -z "$f" ]] && continue
        if [[ -d "$f" ]]; then find "$f" -type f -print0 | sort -z | xargs -0 sha256sum; else sha256sum "$f"; fi
    done <<<"$files") >"$work/$build.sha256"
done

if diff -q "$work/a.sha256" "$work/b.sha256" >/dev/null; then
    cat "$work/a.sha256"
    echo "reproducible: $(wc -l <"$work/a.sha256") outputs identical in two clean builds"
else
    # The first line (in output order) whose hash differs.
    first="$(paste -d' ' "$work/a.sha256" "$work/b.sha256" | awk '$1 != $3 || $2 != $4 {print $2; exit}')"
    diff "$work/a.sha256" "$work/b.sha256" >&2 || true
    echo "NOT reproducible: first differing output: $first" >&2
    exit 1
fi
