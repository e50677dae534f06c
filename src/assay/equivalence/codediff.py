"""Which functions of a code section differ, with a short capstone instruction diff: by `.symtab`
function symbol when the file has one, by address range otherwise."""

import difflib
from dataclasses import dataclass

import capstone
from elftools.elf.elffile import ELFFile
from elftools.elf.sections import Section, SymbolTableSection

from assay.equivalence.verdict import Difference

SHOWN_INSTRUCTIONS = 3
SHOWN_RANGES = 5
MAX_LINEAR_BYTES = 4 * 1024 * 1024
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
    """One side's code section: its bytes, load address, functions and disassembler."""

    data: bytes
    address: int
    functions: dict[str, tuple[int, int]]
    disassembler: capstone.Cs | None
    thumb: capstone.Cs | None = None


def code_of(elf: ELFFile, section: Section, index: int) -> Code:
    """The section's bytes and the `.symtab` functions that lie in it."""
    functions: dict[str, tuple[int, int]] = {}
    symtab = elf.get_section_by_name(".symtab")
    if isinstance(symtab, SymbolTableSection):
        for symbol in symtab.iter_symbols():
            if (
                symbol["st_info"]["type"] == "STT_FUNC"
                and symbol["st_shndx"] == index
                and symbol["st_size"] > 0
                and symbol.name
            ):
                functions.setdefault(symbol.name, (symbol["st_value"], symbol["st_size"]))
    machine = elf["e_machine"]
    thumb = _disassembler(elf, capstone.CS_MODE_THUMB) if machine == "EM_ARM" else None
    return Code(section.data(), section["sh_addr"], functions, _disassembler(elf), thumb)


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


def code_differences(name: str, vendor: Code, rebuilt: Code) -> list[Difference]:
    """The functions (or address ranges) whose bytes differ between the two sides."""
    if not vendor.functions or not rebuilt.functions:
        return _range_differences(name, vendor, rebuilt)
    found: list[Difference] = []
    for function in sorted(vendor.functions.keys() | rebuilt.functions.keys()):
        if function not in rebuilt.functions:
            found.append(Difference(name, "function only in the vendor's file", function))
        elif function not in vendor.functions:
            found.append(Difference(name, "function only in the rebuilt file", function))
        else:
            left, right = _slice(vendor, function), _slice(rebuilt, function)
            if left[1] != right[1]:
                detail = _instruction_diff(vendor, rebuilt, left, right, function)
                found.append(Difference(name, detail, function))
    if not found:
        detail = "bytes outside every function symbol differ; " + _first_ranges(vendor, rebuilt)
        found.append(Difference(name, detail))
    return found


def _slice(code: Code, function: str) -> tuple[int, bytes]:
    address, size = code.functions[function]
    start = (address & ~1 if code.thumb else address) - code.address
    return address, code.data[start : start + size]


def _range_differences(name: str, vendor: Code, rebuilt: Code) -> list[Difference]:
    """Without symbols: a linear sweep of both sections, differing instruction runs by address."""
    if max(len(vendor.data), len(rebuilt.data)) > MAX_LINEAR_BYTES:
        return [Difference(name, _first_ranges(vendor, rebuilt))]
    left = _instructions(vendor, vendor.address, vendor.data)
    right = _instructions(rebuilt, rebuilt.address, rebuilt.data)
    matcher = difflib.SequenceMatcher(None, [t for _, t in left], [t for _, t in right], False)
    found = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        start = left[i1][0] if i1 < len(left) else vendor.address + len(vendor.data)
        end = left[i2 - 1][0] if i2 > i1 else start
        lines = _pairs(left[i1:i2], right[j1:j2])
        found.append(Difference(name, "; ".join(lines), f"0x{start:x}-0x{end:x}"))
        if len(found) == SHOWN_RANGES:
            break
    return found or [Difference(name, _first_ranges(vendor, rebuilt))]


def _instruction_diff(
    vendor: Code, rebuilt: Code, left: tuple[int, bytes], right: tuple[int, bytes], name: str
) -> str:
    before = _instructions(vendor, *left)
    after = _instructions(rebuilt, *right)
    matcher = difflib.SequenceMatcher(None, [t for _, t in before], [t for _, t in after], False)
    lines: list[str] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal":
            lines.extend(_pairs(before[i1:i2], after[j1:j2]))
    if not lines:
        return f"{name}: same instructions, different encoding or operands' bytes"
    return "; ".join(lines[:SHOWN_INSTRUCTIONS])


def _pairs(before: list[tuple[int, str]], after: list[tuple[int, str]]) -> list[str]:
    lines = []
    for index in range(min(SHOWN_INSTRUCTIONS, max(len(before), len(after)))):
        old = f"0x{before[index][0]:x} {before[index][1]}" if index < len(before) else "-"
        new = f"0x{after[index][0]:x} {after[index][1]}" if index < len(after) else "-"
        lines.append(f"{old} → {new}")
    return lines


def _instructions(code: Code, address: int, data: bytes) -> list[tuple[int, str]]:
    disassembler = code.thumb if code.thumb is not None and address & 1 else code.disassembler
    if disassembler is None:
        return [(address + i, f".byte 0x{b:02x}") for i, b in enumerate(data)]
    return [
        (insn.address, f"{insn.mnemonic} {insn.op_str}".strip())
        for insn in disassembler.disasm(data, address & ~1 if code.thumb else address)
    ]


def _first_ranges(vendor: Code, rebuilt: Code) -> str:
    """Differing byte ranges by address, the first few."""
    if len(vendor.data) != len(rebuilt.data):
        return f"size {len(vendor.data)} → {len(rebuilt.data)} bytes"
    ranges: list[tuple[int, int]] = []
    for offset, (a, b) in enumerate(zip(vendor.data, rebuilt.data, strict=True)):
        if a == b:
            continue
        if ranges and offset - ranges[-1][1] <= 16:
            ranges[-1] = (ranges[-1][0], offset + 1)
        elif len(ranges) == SHOWN_RANGES:
            break
        else:
            ranges.append((offset, offset + 1))
    return "bytes differ at " + ", ".join(
        f"0x{vendor.address + a:x}-0x{vendor.address + b:x}" for a, b in ranges
    )
