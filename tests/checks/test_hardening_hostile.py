"""Hostile ELF files: truncated, absurd table counts and offsets, dangling links, random
corruption — the reader raises only ElfReadError (a problem for the check), never anything
else, and a file whose loader-relevant headers survive is still assessed."""

import random
import struct
from pathlib import Path

import pytest

from assay.checks.hardening.elfinfo import ElfInfo, ElfReadError, read_elf
from assay.checks.hardening.properties import assess, skip_reason
from tests.checks.test_hardening_arch import HARDENED, SOURCE, need
from tests.factories.elf_build import build_elf

E_PHOFF, E_SHOFF, E_PHENTSIZE, E_PHNUM, E_SHNUM, E_SHSTRNDX = 32, 40, 54, 56, 60, 62


@pytest.fixture(scope="module")
def binaries(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """A 64-bit little-endian PIE and a 32-bit big-endian MIPS one, dynamic and static."""
    for arch in ("x86-64", "mips"):
        need(arch)
    out = tmp_path_factory.mktemp("hostile-builds")
    return {
        "x86-64": build_elf(SOURCE, out, "x86-64", HARDENED).read_bytes(),
        "mips": build_elf(SOURCE, out, "mips", HARDENED).read_bytes(),
        "mips-static": build_elf(SOURCE, out, "mips", ("-static",)).read_bytes(),
        "x86-64-sstrip": _without_sections(build_elf(SOURCE, out, "x86-64", HARDENED, strip=True)),
    }


def _without_sections(path: Path) -> bytes:
    """The file with its section header table dropped, as sstrip leaves embedded binaries."""
    data = bytearray(path.read_bytes())
    struct.pack_into("<QHHH", data, E_SHOFF, 0, 0, 0, 0)
    data[58:60] = b"\0\0"
    return bytes(data)


def patched(data: bytes, offset: int, fmt: str, value: int) -> bytes:
    copy = bytearray(data)
    struct.pack_into(fmt, copy, offset, value)
    return bytes(copy)


def read_or_problem(data: bytes) -> ElfInfo | None:
    """What the check does: an ElfInfo, or None when the reader refused (anything else fails)."""
    try:
        info = read_elf(data)
    except ElfReadError:
        return None
    if skip_reason(info) is None:
        assess(info, None)
    return info


def test_every_truncation_is_refused_or_read(binaries: dict[str, bytes]) -> None:
    for data in binaries.values():
        for length in [*range(0, 256), *range(256, len(data), 97)]:
            read_or_problem(data[:length])
    assert read_or_problem(binaries["x86-64"][:63]) is None
    assert read_or_problem(binaries["x86-64"][:600]) is None, "dynamic array cut off"


def test_sstripped_file_is_read_through_the_dynamic_array(binaries: dict[str, bytes]) -> None:
    info = read_elf(binaries["x86-64-sstrip"])
    assert info.section_names == frozenset() and not info.has_symtab
    hardening = assess(info, None)
    assert hardening.canary is True and hardening.fortify.enabled is True


@pytest.mark.parametrize(
    ("offset", "fmt", "value"),
    [
        (E_SHOFF, "<Q", 2**63),
        (E_SHOFF, "<Q", 0xFFFFFFFFFFFFFFF0),
        (E_SHNUM, "<H", 0xFFFF),
        (E_SHNUM, "<H", 0),
        (E_SHSTRNDX, "<H", 0xFFFE),
        (58, "<H", 3),
    ],
)
def test_absurd_section_headers_are_a_note(
    binaries: dict[str, bytes], offset: int, fmt: str, value: int
) -> None:
    info = read_elf(patched(binaries["x86-64"], offset, fmt, value))
    assert info.notes or info.section_names == frozenset()
    assert assess(info, None).canary is True


@pytest.mark.parametrize(
    ("offset", "fmt", "value"),
    [
        (E_PHOFF, "<Q", 2**62),
        (E_PHNUM, "<H", 0xFFFE),
        (E_PHNUM, "<H", 0xFFFF),
        (E_PHENTSIZE, "<H", 1),
    ],
)
def test_absurd_program_headers_are_refused(
    binaries: dict[str, bytes], offset: int, fmt: str, value: int
) -> None:
    with pytest.raises(ElfReadError):
        read_elf(patched(binaries["x86-64"], offset, fmt, value))


def test_section_count_beyond_any_file(binaries: dict[str, bytes]) -> None:
    data = bytearray(patched(binaries["mips"], 48, ">H", 0))  # e_shnum = 0 (big-endian, 32-bit)
    shoff = struct.unpack_from(">I", data, 32)[0]
    struct.pack_into(">I", data, shoff + 20, 0xFFFFFFFF)  # section 0 sh_size: the real count
    info = read_elf(bytes(data))
    assert any("section headers" in note for note in info.notes)


def test_dangling_symbol_table_links(binaries: dict[str, bytes]) -> None:
    data = bytearray(binaries["mips-static"])
    shoff = struct.unpack_from(">I", data, 32)[0]
    count = struct.unpack_from(">H", data, 48)[0]
    for index in range(count):
        at = shoff + index * 40
        if struct.unpack_from(">I", data, at + 4)[0] == 2:  # SHT_SYMTAB
            struct.pack_into(">I", data, at + 20, 0x7FFFFFFF)  # sh_size
    info = read_elf(bytes(data))
    assert any("symbol table ignored" in note for note in info.notes)
    assert assess(info, None).canary is None, "no usable symbols: unknown"


def test_random_corruption_never_escapes(binaries: dict[str, bytes]) -> None:
    generator = random.Random(20240611)
    for name, data in binaries.items():
        for _ in range(150):
            copy = bytearray(data)
            for _ in range(generator.randint(1, 12)):
                at = generator.randrange(
                    0, min(len(copy), 4096 if generator.random() < 0.7 else len(copy))
                )
                copy[at] = generator.randrange(256)
            read_or_problem(bytes(copy))
        for _ in range(40):
            table = generator.choice([E_PHOFF, E_SHOFF])
            read_or_problem(
                patched(data, table, "<Q" if "x86" in name else ">I", generator.getrandbits(31))
            )


def test_not_elf() -> None:
    for data in (
        b"",
        b"\x7fEL",
        b"\x7fELF" + bytes(60),
        b"\x7fELF\x03\x01" + bytes(58),
        b"#!/bin/sh\n",
    ):
        with pytest.raises(ElfReadError):
            read_elf(data)
