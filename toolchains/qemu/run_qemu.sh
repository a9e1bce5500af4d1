#!/bin/bash
# Runs a firmware ELF in qemu-system-arm and checks how it ended.
#
#   run_qemu.sh --elf=PATH [--machine=mps2-an386] [--timeout=SECONDS]
#               [--expect_exit_code=N] [--expect_output=TEXT] [--append=ARGS]
#
# In ARGS, {TMPDIR} becomes a writable scratch directory (the test's TEST_TMPDIR).
#
# Passes (exit 0) only if QEMU exits with the expected code before the timeout AND the
# console output (semihosting) contains the expected text. Anything else fails with one
# line saying which of the two did not hold.
set -uo pipefail

elf="" machine="mps2-an386" timeout_s=60 expect_code=0 expect_output="" append=""
for arg in "$@"; do
    case "$arg" in
        --elf=*) elf="${arg#*=}" ;;
        --machine=*) machine="${arg#*=}" ;;
        --timeout=*) timeout_s="${arg#*=}" ;;
        --expect_exit_code=*) expect_code="${arg#*=}" ;;
        --expect_output=*) expect_output="${arg#*=}" ;;
        --append=*) append="${arg#*=}" ;;
        *) echo "run_qemu.sh: unknown argument: $arg" >&2; exit 2 ;;
    esac
done
[[ -f "$elf" ]] || { echo "run_qemu.sh: no ELF at '$elf'" >&2; exit 2; }
qemu="$(command -v qemu-system-arm)" || {
    echo "run_qemu.sh: qemu-system-arm not found; install Debian's qemu-system-arm (./bazelw does)" >&2
    exit 2
}

scratch="${TEST_TMPDIR:-$(mktemp -d)}"
# {TMPDIR} in the firmware's command line: a writable directory for files it creates.
append="${append//\{TMPDIR\}/$scratch}"
log="${TEST_UNDECLARED_OUTPUTS_DIR:-$scratch}/qemu_console.log"
# Semihosting console to stdout; no display, serial or monitor (nothing else may block).
timeout --kill-after=5 "$timeout_s" "$qemu" \
    -M "$machine" -display none -serial null -monitor none -nodefaults -nic none \
    -chardev stdio,id=semihost,mux=off \
    -semihosting-config enable=on,target=native,chardev=semihost \
    -kernel "$elf" -append "$append" </dev/null >"$log" 2>&1
code=$?
cat "$log"

if [[ $code -eq 124 || $code -eq 137 ]]; then
    echo "FAIL: $(basename "$elf") did not finish within ${timeout_s}s under QEMU $machine" >&2
    exit 1
fi
if [[ $code -ne $expect_code ]]; then
    echo "FAIL: $(basename "$elf") exited with code $code under QEMU $machine, expected $expect_code" >&2
    exit 1
fi
if [[ -n "$expect_output" ]] && ! grep -qF -- "$expect_output" "$log"; then
    echo "FAIL: $(basename "$elf") exited with code $code but never printed '$expect_output'" >&2
    exit 1
fi
echo "PASS: $(basename "$elf") exited with code $code${expect_output:+ and printed '$expect_output'}"
