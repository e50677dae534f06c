"""Which functions of a code section differ, with a short capstone instruction diff: by function
symbol (`.symtab`, else `.dynsym`) where the file names them, by address range elsewhere."""

import difflib
import re

import capstone

from assay.equivalence.disassembly import Code, function_slice, instructions
from assay.equivalence.verdict import Difference

SHOWN_INSTRUCTIONS = 3
SHOWN_RANGES = 5
MAX_LINEAR_BYTES = 4 * 1024 * 1024
MAX_RANGES = 256
CHUNK = 4096
WINDOW = 48
MOVED_TARGETS = "only call/branch targets moved, to the same functions"
_TARGET = re.compile(r"(?P<head>.*?)#?(?P<target>-?0x[0-9a-f]+|-?[0-9]+)")


def code_differences(name: str, vendor: Code, rebuilt: Code) -> list[Difference]:
    """The functions (or address ranges) whose bytes differ between the two sides."""
    named = bool(vendor.functions and rebuilt.functions)
    complete = named and vendor.every_function_named and rebuilt.every_function_named
    if not complete and max(len(vendor.data), len(rebuilt.data)) <= MAX_LINEAR_BYTES:
        return _range_differences(name, vendor, rebuilt)
    found = _function_differences(name, vendor, rebuilt) if named else []
    if len(vendor.data) != len(rebuilt.data):
        if found:
            return found
        first = _first_divergence(vendor.data, rebuilt.data)
        size = f"size {len(vendor.data)} → {len(rebuilt.data)} bytes; first difference: "
        window = _window_differences(name, vendor, rebuilt, [(first, first + 1)])
        return [Difference(name, size + d.detail, d.function) for d in window]
    spans = [
        (start - vendor.address, start - vendor.address + size)
        for start, size in (
            (address & ~1 if vendor.thumb else address, size)
            for address, size in vendor.functions.values()
        )
    ]
    outside = [r for r in _differing_ranges(vendor.data, rebuilt.data) if not _inside(r, spans)]
    found.extend(_window_differences(name, vendor, rebuilt, outside[:SHOWN_RANGES]))
    return found or [Difference(name, "bytes differ; " + _first_ranges(vendor, rebuilt))]


def _function_differences(name: str, vendor: Code, rebuilt: Code) -> list[Difference]:
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
    return found


def _differing_ranges(left: bytes, right: bytes) -> list[tuple[int, int]]:
    """Offsets where two equal-length byte strings differ, runs less than 16 bytes apart merged;
    equal chunks are skipped whole, so a large section costs little."""
    ranges: list[tuple[int, int]] = []
    for chunk in range(0, len(left), CHUNK):
        if left[chunk : chunk + CHUNK] == right[chunk : chunk + CHUNK]:
            continue
        for offset in range(chunk, min(chunk + CHUNK, len(left))):
            if left[offset] == right[offset]:
                continue
            if ranges and offset - ranges[-1][1] <= 16:
                ranges[-1] = (ranges[-1][0], offset + 1)
            elif len(ranges) == MAX_RANGES:
                return ranges
            else:
                ranges.append((offset, offset + 1))
    return ranges


def _first_divergence(left: bytes, right: bytes) -> int:
    low, high = 0, min(len(left), len(right))
    while low < high:  # the longest common prefix, by halving
        middle = (low + high + 1) // 2
        if left[:middle] == right[:middle]:
            low = middle
        else:
            high = middle - 1
    return low


def _inside(span: tuple[int, int], functions: list[tuple[int, int]]) -> bool:
    return any(start <= span[0] and span[1] <= end for start, end in functions)


def _window_differences(
    name: str, vendor: Code, rebuilt: Code, ranges: list[tuple[int, int]]
) -> list[Difference]:
    """An instruction diff of a few instructions around each differing byte range (the sweep
    starts a little before it, on an instruction boundary where instructions have a width)."""
    align = 1 if vendor.disassembler is None or _variable_width(vendor) else 4
    found = []
    for start, end in ranges:
        low = max(0, start - WINDOW) // align * align
        high = min(len(vendor.data), len(rebuilt.data), end + WINDOW)
        before = instructions(vendor, vendor.address + low, vendor.data[low:high])
        after = instructions(rebuilt, rebuilt.address + low, rebuilt.data[low:high])
        where = f"0x{vendor.address + start:x}-0x{vendor.address + end - 1:x}"
        found.append(Difference(name, _instruction_diff(before, after, where), where))
    return found


def _variable_width(code: Code) -> bool:
    return code.disassembler is not None and code.disassembler.arch == capstone.CS_ARCH_X86


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
        function = _enclosing(vendor, start)
        where = function if function and function == _enclosing(vendor, end) else None
        where = where or f"0x{start:x}-0x{end:x}"
        found.append(Difference(name, "; ".join(lines), where))
        if len(found) == SHOWN_RANGES:
            break
    return found or [Difference(name, _first_ranges(vendor, rebuilt))]


def _enclosing(code: Code, address: int) -> str | None:
    """The named function an address lies in, if any."""
    for function, (start, size) in code.functions.items():
        if (start & ~1) <= address < (start & ~1) + size:
            return function
    return None


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
    ranges = _differing_ranges(vendor.data, rebuilt.data)[:SHOWN_RANGES]
    return "bytes differ at " + ", ".join(
        f"0x{vendor.address + a:x}-0x{vendor.address + b:x}" for a, b in ranges
    )
