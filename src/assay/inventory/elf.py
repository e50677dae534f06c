"""ELF identification from the file header (System V gABI, `e_ident` and `e_machine`) and the
libraries a dynamically linked file needs."""

import struct
from pathlib import Path

from elftools.common.exceptions import ELFError
from elftools.elf.dynamic import DynamicSection, DynamicSegment
from elftools.elf.elffile import ELFFile

from assay.model.artifact import ElfFacts

ELF_MAGIC = b"\x7fELF"

MACHINES = {
    2: "sparc",
    3: "x86",
    4: "m68k",
    8: "mips",
    10: "mips-rs3-le",
    18: "sparc32plus",
    20: "powerpc",
    21: "powerpc64",
    22: "s390",
    40: "arm",
    42: "superh",
    43: "sparcv9",
    50: "ia64",
    62: "x86-64",
    83: "avr",
    92: "openrisc",
    94: "xtensa",
    113: "nios2",
    164: "hexagon",
    183: "aarch64",
    189: "microblaze",
    195: "arcv2",
    243: "riscv",
    247: "bpf",
    258: "loongarch",
}
TYPES = {0: "none", 1: "relocatable", 2: "executable", 3: "shared-object", 4: "core"}


def elf_facts(head: bytes) -> ElfFacts | None:
    """Architecture, word size, endianness and type of an ELF file, or None if not ELF."""
    if len(head) < 20 or head[:4] != ELF_MAGIC:
        return None
    bits = {1: 32, 2: 64}.get(head[4])
    endian = {1: "little", 2: "big"}.get(head[5])
    if bits is None or endian is None:
        return None
    order = "<" if endian == "little" else ">"
    e_type, e_machine = struct.unpack_from(order + "HH", head, 16)
    machine = MACHINES.get(e_machine, f"unknown-{e_machine}")
    if machine == "powerpc" and bits == 64:
        machine = "powerpc64"
    return ElfFacts(
        machine=machine, bits=bits, endian=endian, elf_type=TYPES.get(e_type, f"other-{e_type}")
    )


def needed_libraries(path: Path) -> tuple[str, ...]:
    """The DT_NEEDED names of a dynamically linked ELF file; empty for a static, corrupt or
    unreadable one."""
    try:
        with open(path, "rb") as handle:
            elf = ELFFile(handle)
            # the PT_DYNAMIC segment: sstrip-ed firmware binaries have no section headers
            dynamic = next(
                (s for s in elf.iter_segments() if isinstance(s, DynamicSegment)), None
            ) or elf.get_section_by_name(".dynamic")
            if not isinstance(dynamic, DynamicSegment | DynamicSection):
                return ()
            return tuple(
                str(getattr(tag, "needed", ""))
                for tag in dynamic.iter_tags()
                if tag.entry.d_tag == "DT_NEEDED"
            )
    except (OSError, ELFError, ValueError, KeyError, struct.error, AssertionError):
        return ()
