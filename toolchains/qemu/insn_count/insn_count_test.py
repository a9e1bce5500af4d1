"""The insn_count plugin gives exact, repeatable instruction counts between two markers.

Counting definition (implemented by insn_count.c): a count is the number of guest
instructions executed from the first instruction of begin_marker (included) up to the
first instruction of end_marker (excluded), measured from the latest begin_marker entry.

Expected counts, from testdata/guest.S (every Thumb instruction counts 1, 16- or 32-bit):
  Region 1: begin_marker body (movs r0, #0; bx lr)   2
            7 x adds r1, r1, #1                      7
            bl end_marker                            1   -> 10
  Region 2: begin_marker body                        2
            movw r2, #1000                           1
            1000 x (subs r2, r2, #1; bne 1b)      2000   (the last bne falls through, still executed)
            bl end_marker                            1   -> 2004
The instructions of end_marker itself and those between end_marker and the next
begin_marker are not counted.
"""

import shutil
import subprocess
from pathlib import Path

import pytest

from toolchains.qemu.insn_count import markers

PACKAGE = Path("toolchains/qemu/insn_count")
PLUGIN = PACKAGE / "insn_count.so"
GUEST = PACKAGE / "testdata/guest.elf"
EXPECTED = [10, 2004]


def _qemu_argv(plugin: list[str]) -> list[str]:
    qemu = shutil.which("qemu-system-arm")
    assert qemu is not None, "qemu-system-arm not found (Debian package qemu-system-arm)"
    return [
        qemu,
        "-M",
        "mps2-an386",
        "-display",
        "none",
        "-serial",
        "null",
        "-monitor",
        "none",
        "-nodefaults",
        "-nic",
        "none",
        "-semihosting-config",
        "enable=on,target=native",
        "-kernel",
        str(GUEST),
        *plugin,
    ]


def _run(plugin: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(_qemu_argv(plugin), capture_output=True, text=True, timeout=30, check=False)


def _counts(out: Path, begin_symbol: str = "begin_marker", end_symbol: str = "end_marker") -> list[int]:
    result = _run(markers.plugin_args(PLUGIN.resolve(), GUEST, begin_symbol, end_symbol, out))
    assert result.returncode == 0, result.stderr
    return [int(line) for line in out.read_text().splitlines()]


def test_marker_addresses_are_thumb_instruction_addresses() -> None:
    begin, end = markers.marker_addresses(GUEST, "begin_marker", "end_marker")
    assert begin % 2 == 0
    assert end % 2 == 0
    assert begin != end
    with pytest.raises(KeyError):
        markers.marker_addresses(GUEST, "begin_marker", "no_such_symbol")


def test_plugin_args() -> None:
    begin, end = markers.marker_addresses(GUEST, "begin_marker", "end_marker")
    assert markers.plugin_args("/p/a,b.so", GUEST, "begin_marker", "end_marker", "/tmp/o,ut.txt") == [
        "-plugin",
        f"/p/a,,b.so,begin={begin:#x},end={end:#x},out=/tmp/o,,ut.txt",
    ]


def test_counts_are_exact_and_repeatable(tmp_path: Path) -> None:
    first = _counts(tmp_path / "first.txt")
    second = _counts(tmp_path / "second.txt")
    assert first == EXPECTED
    assert second == first


def test_output_is_appended(tmp_path: Path) -> None:
    out = tmp_path / "counts.txt"
    _counts(out)
    assert _counts(out) == EXPECTED + EXPECTED


def test_end_before_any_begin_counts_from_the_first_instruction(tmp_path: Path) -> None:
    # Swapped markers: "end" (begin_marker) first runs as the second guest instruction,
    # after reset's bl, so it reports 1. Then "begin" (end_marker, 3 instructions) returns
    # and the next bl begin_marker runs: 3 + 1 = 4.
    assert _counts(tmp_path / "swapped.txt", "end_marker", "begin_marker") == [1, 4]


@pytest.mark.parametrize(
    "args",
    [
        "begin=0x3c,end=0x40",  # no out=
        "begin=0x3c,end=zz,out=OUT",
        "begin=0x3c,end=0x3c,out=OUT",
        "begin=0x3c,end=0x40,out=OUT,bogus=1",
    ],
)
def test_bad_arguments_stop_qemu(tmp_path: Path, args: str) -> None:
    spec = f"{PLUGIN.resolve()},{args.replace('OUT', str(tmp_path / 'o.txt'))}"
    result = _run(["-plugin", spec])
    assert result.returncode != 0
    assert "insn_count:" in result.stderr


if __name__ == "__main__":
    raise SystemExit(pytest.main([__file__, "-q"]))
