"""The size report reads the real firmware ELF and the boards' memory maps."""

from pathlib import Path

import pytest

from toolchains.image import memory_map, size_report

IMAGE = Path("firmware/selftest_image.elf")


def test_memory_maps_of_both_boards() -> None:
    qemu = memory_map.parse(Path("toolchains/boards/qemu_mps2_an386/memory.x"))
    assert qemu.regions["FLASH"].origin == 0 and qemu.regions["FLASH"].length == 4 * 1024 * 1024
    assert qemu.regions["RAM"].origin == 0x2000_0000
    stm32 = memory_map.parse(Path("toolchains/boards/stm32h743/memory.x"))
    assert stm32.regions["FLASH"].origin == 0x0800_0000 and stm32.regions["FLASH"].length == 2 * 1024 * 1024
    assert stm32.regions["RAM"].origin == 0x2000_0000 and stm32.regions["RAM"].length == 128 * 1024
    assert stm32.regions["ARENA"].origin == 0x2400_0000 and stm32.regions["ARENA"].length == 512 * 1024


def test_measures_the_firmware_image() -> None:
    sizes = size_report.measure(IMAGE, Path("toolchains/boards/qemu_mps2_an386/memory.x"))
    flash, ram = sizes["flash"], sizes["ram"]
    assert {".vector_table", ".text"} <= set(flash["sections"])
    # The vector table is 16 words: initial SP, reset and 14 exception entries.
    assert flash["sections"][".vector_table"] == 64
    assert 1_000 < flash["used"] < flash["limit"]
    assert ram["stack"] == 64 * 1024 and ram["used"] == ram["static"] + ram["stack"]
    assert ".bss" in ram["sections"] or ".data" in ram["sections"]


@pytest.mark.parametrize("image", ["firmware/selftest_image.elf", "firmware/selftest_image_stm32h743.elf"])
def test_images_are_hard_float_arm_executables(image: str) -> None:
    header = Path(image).read_bytes()[:52]
    assert header[:4] == b"\x7fELF" and header[4] == 1, "expected a 32-bit ELF"
    assert int.from_bytes(header[16:18], "little") == 2, "expected an executable (ET_EXEC)"
    assert int.from_bytes(header[18:20], "little") == 40, "expected e_machine EM_ARM"
    flags = int.from_bytes(header[36:40], "little")
    assert flags >> 24 == 5, "expected the Arm EABI version 5"
    assert flags & 0x400, "expected the hard-float ABI (EF_ARM_ABI_FLOAT_HARD)"


def test_stm32h743_image_is_linked_for_its_own_memory_map() -> None:
    sizes = size_report.measure(
        Path("firmware/selftest_image_stm32h743.elf"), Path("toolchains/boards/stm32h743/memory.x")
    )
    assert sizes["flash"]["sections"][".vector_table"] == 64
    assert sizes["ram"]["limit"] == 128 * 1024 and sizes["ram"]["stack"] == 32 * 1024
    assert sizes["arena"]["limit"] == 512 * 1024


def test_a_memory_map_without_ram_is_rejected(tmp_path: Path) -> None:
    bad = tmp_path / "memory.x"
    bad.write_text("MEMORY { FLASH : ORIGIN = 0, LENGTH = 1M }\n_stack_size = 1K;\n")
    with pytest.raises(ValueError, match="no RAM region"):
        memory_map.parse(bad)


if __name__ == "__main__":
    raise SystemExit(pytest.main([__file__, "-q"]))
