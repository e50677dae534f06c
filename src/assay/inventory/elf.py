"""ELF identification from the file header alone (System V gABI, `e_ident` and `e_machine`)."""

import struct

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
