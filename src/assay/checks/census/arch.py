"""Per-architecture facts the census needs: the capstone configuration (ARM and Thumb, MIPS
ISA level and endianness, BE8 code order) and the relocation types that name a GOT or PLT slot
(each processor supplement's R_*_GLOB_DAT, R_*_JUMP_SLOT and R_*_IRELATIVE)."""

from dataclasses import dataclass

import capstone as cs

EM_386, EM_MIPS, EM_MIPS_RS3_LE, EM_PPC, EM_PPC64, EM_ARM, EM_X86_64, EM_AARCH64 = (
    3,
    8,
    10,
    20,
    21,
    40,
    62,
    183,
)
EF_ARM_BE8 = 0x00800000
EF_MIPS_ABI2 = 0x20
EF_MIPS_MICROMIPS = 0x02000000
EF_MIPS_ARCH = 0xF0000000
EF_MIPS_ARCH_R6 = (0x90000000, 0xA0000000)


@dataclass(frozen=True, slots=True)
class Arch:
    """How to disassemble one ELF's code and which relocations bind its slots.

    `kind` picks the call-site sweep (x86, arm, aarch64, mips, ppc); `modes` are capstone modes
    (for ARM: ARM then Thumb); `slot_relocs` name a slot after its symbol; `irelative` types bind
    a slot to an IFUNC resolver (R_*_IRELATIVE; PowerPC64's R_PPC64_JMP_IREL too)."""

    name: str
    kind: str
    cs_arch: int
    modes: tuple[int, ...]
    slot_relocs: frozenset[int]
    irelative: frozenset[int]
    bits: int


def arch_for(machine: int, bits: int, little: bool, flags: int) -> Arch | None:
    """The census architecture of an ELF header, None when capstone cannot disassemble it."""
    endian = cs.CS_MODE_LITTLE_ENDIAN if little else cs.CS_MODE_BIG_ENDIAN
    if machine == EM_X86_64:
        return Arch(
            "x86-64",
            "x86",
            cs.CS_ARCH_X86,
            (cs.CS_MODE_64,),
            frozenset({6, 7}),
            frozenset({37}),
            64,
        )
    if machine == EM_386:
        return Arch(
            "x86", "x86", cs.CS_ARCH_X86, (cs.CS_MODE_32,), frozenset({6, 7}), frozenset({42}), 32
        )
    if machine == EM_ARM:
        code_order = cs.CS_MODE_LITTLE_ENDIAN if little or flags & EF_ARM_BE8 else endian
        modes = (cs.CS_MODE_ARM | code_order, cs.CS_MODE_THUMB | code_order)
        return Arch("arm", "arm", cs.CS_ARCH_ARM, modes, frozenset({21, 22}), frozenset({160}), 32)
    if machine == EM_AARCH64:
        return Arch(
            "aarch64",
            "aarch64",
            cs.CS_ARCH_ARM64,
            (endian,),
            frozenset({1025, 1026}),
            frozenset({1032}),
            64,
        )
    if machine in (EM_MIPS, EM_MIPS_RS3_LE):
        return Arch(
            "mips",
            "mips",
            cs.CS_ARCH_MIPS,
            (_mips_mode(bits, flags) | endian,),
            frozenset({127}),
            frozenset(),
            bits,
        )
    if machine in (EM_PPC, EM_PPC64):
        width = cs.CS_MODE_64 if machine == EM_PPC64 else cs.CS_MODE_32
        name = "powerpc64" if machine == EM_PPC64 else "powerpc"
        return Arch(
            name,
            "ppc",
            cs.CS_ARCH_PPC,
            (width | endian,),
            frozenset({20, 21}),
            frozenset({247, 248}) if machine == EM_PPC64 else frozenset({248}),
            64 if machine == EM_PPC64 else 32,
        )
    return None


def _mips_mode(bits: int, flags: int) -> int:
    if flags & EF_MIPS_MICROMIPS:
        return int(cs.CS_MODE_MICRO)
    if flags & EF_MIPS_ARCH in EF_MIPS_ARCH_R6:
        return int(cs.CS_MODE_MIPS32R6)
    wide = bits == 64 or flags & EF_MIPS_ABI2
    return int(cs.CS_MODE_MIPS64 if wide else cs.CS_MODE_MIPS32)


def disassembler(arch: Arch, mode: int) -> cs.Cs:
    """A capstone handle in lite mode (no operand details) that skips undecodable bytes."""
    handle = cs.Cs(arch.cs_arch, mode)
    handle.detail = False
    handle.skipdata = True
    return handle
