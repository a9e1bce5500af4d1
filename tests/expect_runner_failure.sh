#!/bin/bash
# The QEMU runner, pointed at an image that exits with code 1, must fail and say why.
#   expect_runner_failure.sh RUNNER FAILING_ELF
set -uo pipefail
runner="$1" elf="$2"
output="$("$runner" --elf="$elf" --expect_output="TINYML-SELFTEST: PASS" 2>&1)"
code=$?
echo "$output"
if [[ $code -eq 0 ]]; then
    echo "FAIL: the runner passed an image that exited with code 1" >&2
    exit 1
fi
if ! grep -q "exited with code 1 under QEMU mps2-an386, expected 0" <<<"$output"; then
    echo "FAIL: the runner failed without naming the exit code" >&2
    exit 1
fi
if ! grep -q "deliberate failure" <<<"$output"; then
    echo "FAIL: the firmware's own message did not reach the runner's output" >&2
    exit 1
fi
echo "PASS: the runner reported the failing image (exit $code)"
