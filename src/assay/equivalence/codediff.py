"""Which functions of a code section differ, with a short capstone instruction diff: by `.symtab`
function symbol when the file has one, by address range otherwise."""

import difflib
import re

import capstone

from assay.equivalence.disassembly import Code, function_slice, instructions
from assay.equivalence.verdict import Difference

SHOWN_INSTRUCTIONS = 3
SHOWN_RANGES = 5
MAX_LINEAR_BYTES = 4 * 1024 * 1024
MOVED_TARGETS = "only call/branch targets moved, to the same functions"
_TARGET = re.compile(r"(?P<head>.*?)#?(?P<target>-?0x[0-9a-f]+|-?[0-9]+)")


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
            left, right = function_slice(vendor, function), function_slice(rebuilt, function)
            if left[1] != right[1]:
                before, after = instructions(vendor, *left), instructions(rebuilt, *right)
                detail = _instruction_diff(before, after, function)
                if _targets_moved_only(vendor, rebuilt, before, after):
                    detail = f"{MOVED_TARGETS}: {detail}"
                found.append(Difference(name, detail, function))
    if not found:
        detail = "bytes outside every function symbol differ; " + _first_ranges(vendor, rebuilt)
        found.append(Difference(name, detail))
    return found


def _range_differences(name: str, vendor: Code, rebuilt: Code) -> list[Difference]:
    """Without symbols: a linear sweep of both sections, differing instruction runs by address."""
    if max(len(vendor.data), len(rebuilt.data)) > MAX_LINEAR_BYTES:
        return [Difference(name, _first_ranges(vendor, rebuilt))]
    left = instructions(vendor, vendor.address, vendor.data)
    right = instructions(rebuilt, rebuilt.address, rebuilt.data)
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
    before: list[tuple[int, str]], after: list[tuple[int, str]], name: str
) -> str:
    matcher = difflib.SequenceMatcher(None, [t for _, t in before], [t for _, t in after], False)
    lines: list[str] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal":
            lines.extend(_pairs(before[i1:i2], after[j1:j2]))
    if not lines:
        return f"{name}: same instructions, different encoding or operands' bytes"
    return "; ".join(lines[:SHOWN_INSTRUCTIONS])


def _targets_moved_only(
    vendor: Code, rebuilt: Code, before: list[tuple[int, str]], after: list[tuple[int, str]]
) -> bool:
    """Whether every differing instruction is the same one aimed at the same function and offset
    (code laid out elsewhere by a change in another function)."""
    if len(before) != len(after):
        return False
    for (old_address, old), (new_address, new) in zip(before, after, strict=True):
        if old == new:
            continue
        old_target = _target(vendor, old_address, old)
        if old_target is None or old_target != _target(rebuilt, new_address, new):
            return False
    return True


def _target(code: Code, address: int, text: str) -> tuple[tuple[str, int], str] | None:
    """The function and offset a direct branch's last operand lands in, and the text before it."""
    match = _TARGET.fullmatch(text)
    if match is None:
        return None
    target = int(match.group("target"), 0)
    if code.disassembler is not None and code.disassembler.arch == capstone.CS_ARCH_RISCV:
        target += address  # capstone prints RISC-V branch and jump offsets, not targets
    for name, (start, size) in code.functions.items():
        if (start & ~1) <= target < (start & ~1) + size:
            return (name, target - (start & ~1)), match.group("head")
    end = code.address + len(code.data)
    if code.address <= target < end:  # linker stubs (PLT calls, veneers) trail the section
        return ("", target - end), match.group("head")
    return None


def _pairs(before: list[tuple[int, str]], after: list[tuple[int, str]]) -> list[str]:
    lines = []
    for index in range(min(SHOWN_INSTRUCTIONS, max(len(before), len(after)))):
        old = f"0x{before[index][0]:x} {before[index][1]}" if index < len(before) else "-"
        new = f"0x{after[index][0]:x} {after[index][1]}" if index < len(after) else "-"
        lines.append(f"{old} → {new}")
    return lines


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
