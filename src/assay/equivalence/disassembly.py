"""A code section ready to disassemble on any architecture capstone knows: its function symbols,
and on ARM which stretches are ARM, Thumb or literal data (mapping symbols, else the entry)."""

from dataclasses import dataclass, replace
from typing import Literal

import capstone
from elftools.elf.elffile import ELFFile
from elftools.elf.sections import Section, SymbolTableSection

Mode = Literal["a", "t", "d"]
_ARCHES: dict[str, tuple[int, int]] = {
    "EM_X86_64": (capstone.CS_ARCH_X86, capstone.CS_MODE_64),
    "EM_386": (capstone.CS_ARCH_X86, capstone.CS_MODE_32),
    "EM_AARCH64": (capstone.CS_ARCH_ARM64, capstone.CS_MODE_ARM),
    "EM_ARM": (capstone.CS_ARCH_ARM, capstone.CS_MODE_ARM),
    "EM_MIPS": (capstone.CS_ARCH_MIPS, capstone.CS_MODE_MIPS32),
    "EM_PPC": (capstone.CS_ARCH_PPC, capstone.CS_MODE_32),
    "EM_PPC64": (capstone.CS_ARCH_PPC, capstone.CS_MODE_64),
    "EM_RISCV": (capstone.CS_ARCH_RISCV, capstone.CS_MODE_RISCVC),
}


@dataclass(frozen=True, slots=True)
class Code:
    """One side's code section: its bytes, load address, functions and disassembler; on ARM also
    the Thumb disassembler, the mapping symbols `(address, mode)` and the mode without one;
    `every_function_named` is false when only the exported functions (`.dynsym`) are named."""

    data: bytes
    address: int
    functions: dict[str, tuple[int, int]]
    disassembler: capstone.Cs | None
    thumb: capstone.Cs | None = None
    modes: tuple[tuple[int, Mode], ...] = ()
    default_mode: Mode = "a"
    every_function_named: bool = True


def code_of(elf: ELFFile, section: Section, index: int) -> Code:
    """The section's bytes and the functions (and ARM mapping symbols) that lie in it: from
    `.symtab`, else from `.dynsym` (a stripped file's exported functions)."""
    functions: dict[str, tuple[int, int]] = {}
    modes: list[tuple[int, Mode]] = []
    named_by = ""
    for table in (".symtab", ".dynsym"):  # a stripped file still names its exported functions
        symbols = elf.get_section_by_name(table)
        if functions or not isinstance(symbols, SymbolTableSection):
            continue
        named_by = table
        for symbol in symbols.iter_symbols():
            if symbol["st_shndx"] != index or not symbol.name:
                continue
            if symbol["st_info"]["type"] == "STT_FUNC" and symbol["st_size"] > 0:
                functions.setdefault(symbol.name, (symbol["st_value"], symbol["st_size"]))
            elif symbol.name[:2] in ("$a", "$t", "$d") and symbol.name[2:3] in ("", "."):
                modes.append((symbol["st_value"], _mode(symbol.name[1])))
    data, address = section.data(), section["sh_addr"]
    if elf["e_machine"] != "EM_ARM":
        code = Code(data, address, functions, _disassembler(elf))
        return replace(code, every_function_named=named_by == ".symtab")
    thumb = _disassembler(elf, capstone.CS_MODE_THUMB)
    default = _arm_default_mode(elf, index)
    code = Code(data, address, functions, _disassembler(elf), thumb, tuple(sorted(modes)), default)
    return replace(code, every_function_named=named_by == ".symtab")


def _mode(letter: str) -> Mode:
    return "t" if letter == "t" else "d" if letter == "d" else "a"


def _arm_default_mode(elf: ELFFile, index: int) -> Mode:
    """Without mapping symbols: Thumb when the entry point is (bit 0), else when most exported
    functions of the section are (shared objects have no entry)."""
    if elf["e_entry"]:
        return "t" if elf["e_entry"] & 1 else "a"
    dynsym = elf.get_section_by_name(".dynsym")
    if not isinstance(dynsym, SymbolTableSection):
        return "a"
    parities = [
        symbol["st_value"] & 1
        for symbol in dynsym.iter_symbols()
        if symbol["st_info"]["type"] == "STT_FUNC" and symbol["st_shndx"] == index
    ]
    return "t" if parities and 2 * sum(parities) > len(parities) else "a"


def _disassembler(elf: ELFFile, override: int | None = None) -> capstone.Cs | None:
    arch = _ARCHES.get(elf["e_machine"])
    if arch is None:
        return None
    family, mode = arch
    if elf["e_machine"] == "EM_MIPS" and elf.elfclass == 64:
        mode = capstone.CS_MODE_MIPS64
    if elf["e_machine"] == "EM_RISCV":
        mode |= capstone.CS_MODE_RISCV64 if elf.elfclass == 64 else capstone.CS_MODE_RISCV32
    if override is not None:
        mode = override
    if not elf.little_endian and family != capstone.CS_ARCH_X86:
        mode |= capstone.CS_MODE_BIG_ENDIAN
    disassembler = capstone.Cs(family, mode)
    disassembler.skipdata = True
    return disassembler


def instructions(
    code: Code, address: int, data: bytes, first: Mode | None = None
) -> list[tuple[int, str]]:
    """`(address, "mnemonic operands")` for the bytes at `address`; on ARM, `first` is the mode at
    `address` (else the mapping symbol before it says), and mapping symbols switch on the way."""
    if code.disassembler is None:
        return [(address + i, f".byte 0x{b:02x}") for i, b in enumerate(data)]
    if code.thumb is None:
        return _sweep(code.disassembler, address, data)
    lines: list[tuple[int, str]] = []
    for begin, end, mode in _regions(code, address, address + len(data), first):
        chunk = data[begin - address : end - address]
        if mode == "d":
            lines.extend(_words(begin, chunk, code.disassembler.mode))
        else:
            lines.extend(_sweep(code.thumb if mode == "t" else code.disassembler, begin, chunk))
    return lines


def function_slice(code: Code, function: str) -> tuple[int, bytes, Mode]:
    """A function symbol's address, bytes and first mode (on ARM, Thumb when its value is odd)."""
    value, size = code.functions[function]
    address = value & ~1 if code.thumb is not None else value
    offset = address - code.address
    return address, code.data[offset : offset + size], "t" if code.thumb and value & 1 else "a"


def _mode_at(code: Code, address: int) -> Mode:
    current = code.default_mode
    for at, mode in code.modes:
        if at > address:
            break
        current = mode
    return current


def _regions(code: Code, start: int, end: int, first: Mode | None) -> list[tuple[int, int, Mode]]:
    regions: list[tuple[int, int, Mode]] = []
    begin, mode = start, first or _mode_at(code, start)
    for at, next_mode in code.modes:
        if start < at < end and next_mode != mode:
            regions.append((begin, at, mode))
            begin, mode = at, next_mode
    regions.append((begin, end, mode))
    return [region for region in regions if region[1] > region[0]]


def _sweep(disassembler: capstone.Cs, address: int, data: bytes) -> list[tuple[int, str]]:
    return [
        (insn.address, f"{insn.mnemonic} {insn.op_str}".strip())
        for insn in disassembler.disasm(data, address)
    ]


def _words(address: int, data: bytes, mode: int) -> list[tuple[int, str]]:
    """Literal data inside code, a word a line."""
    order: Literal["little", "big"] = "big" if mode & capstone.CS_MODE_BIG_ENDIAN else "little"
    return [
        (address + i, f".word 0x{int.from_bytes(data[i : i + 4], order):x}")
        for i in range(0, len(data), 4)
    ]
