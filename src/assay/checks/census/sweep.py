"""The linear sweep: disassemble executable code with capstone's lite interface (no operand
details, undecodable bytes skipped) and record every direct branch target and every call through
a GOT slot — the raw material the resolver turns into named call sites."""

import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

import capstone as cs

CHUNK = 1 << 16
LONGEST_INSTRUCTION = 16

Key = tuple[int, int | None]


@dataclass(slots=True)
class SweepResult:
    """Branch targets found in the code. `calls` and `jumps` map (target, context) to the call
    sites' addresses — context is what a PLT stub needs to be resolved (PowerPC's GOT pointer
    r30, ARM's target mode); `slot_calls` maps a GOT slot to the sites calling through it."""

    calls: defaultdict[Key, list[int]] = field(default_factory=lambda: defaultdict(list))
    jumps: defaultdict[Key, list[int]] = field(default_factory=lambda: defaultdict(list))
    slot_calls: defaultdict[int, list[int]] = field(default_factory=lambda: defaultdict(list))
    code_bytes: int = 0
    keep_jumps_to: frozenset[int] | None = None
    stub_zone: tuple[int, int] = (0, 0)

    def keeps(self, target: int) -> bool:
        """Whether a jump (not a call) to `target` is worth recording: every jump when there is
        no filter (stubs may be anywhere), else jumps to a named function or into the stubs —
        branches inside a function are most of the code's jumps."""
        keep = self.keep_jumps_to
        return keep is None or target in keep or self.stub_zone[0] <= target < self.stub_zone[1]


def instructions(md: cs.Cs, code: bytes, address: int) -> Iterator[tuple[int, int, str, str]]:
    """(address, size, mnemonic, operands) of the linear disassembly of `code`, decoded in
    chunks so capstone never holds more than CHUNK bytes' worth of instructions."""
    offset, end = 0, len(code)
    while offset < end:
        limit = min(offset + CHUNK, end)
        resume = offset
        for insn in md.disasm_lite(code[offset : limit + LONGEST_INSTRUCTION], address + offset):
            start = insn[0] - address
            if start >= limit:
                break
            resume = start + insn[1]
            yield insn
        offset = resume if resume > offset else limit


X86_CALLS = frozenset({"call", "bnd call", "notrack call", "notrack bnd call"})
X86_CONDITIONS = (
    *("o", "no", "b", "ae", "e", "ne", "be", "a", "s", "ns", "p", "np", "l", "ge", "le", "g"),
    *("nb", "nae", "c", "nc", "z", "nz", "na", "nbe", "pe", "po", "nge", "nl", "ng", "nle"),
)
X86_JUMPS = frozenset(
    {"jmp", "bnd jmp", "jecxz", "jrcxz", "jcxz"}
    | {f"j{c}" for c in X86_CONDITIONS}
    | {f"bnd j{c}" for c in X86_CONDITIONS}
)
X86_BRANCHES = {**dict.fromkeys(X86_JUMPS, False), **dict.fromkeys(X86_CALLS, True)}
X86_MEMORY = re.compile(r"\[(?:(\w+) ([+-]) )?(0x[0-9a-f]+|\d+)\]$")


def x86_slot(operand: str, next_address: int, got_base: int | None) -> int | None:
    """The GOT slot an indirect `call [mem]` reads: RIP-relative, EBX-relative (the i386 PIC
    GOT register) or absolute; None for any other form."""
    match = X86_MEMORY.search(operand)
    if match is None:
        return None
    base, sign, text = match.groups()
    displacement = int(text, 0) * (-1 if sign == "-" else 1)
    if base is None:
        return displacement
    if base == "rip":
        return next_address + displacement
    if base == "ebx" and got_base is not None:
        return got_base + displacement
    return None


def sweep_x86(
    md: cs.Cs, regions: list[tuple[int, bytes]], got_base: int | None, result: SweepResult
) -> None:
    """Direct `call`/`jmp`/`jcc` targets and `call [slot]` (-fno-plt) sites. `jmp [slot]` is
    not counted: it is what a PLT stub itself does."""
    calls, jumps, slots = result.calls, result.jumps, result.slot_calls
    branch = X86_BRANCHES.get
    keep, (low, high) = result.keep_jumps_to, result.stub_zone
    for base, code in regions:
        result.code_bytes += len(code)
        for address, size, mnemonic, operand in instructions(md, code, base):
            kind = branch(mnemonic)
            if kind is None:
                continue
            if operand[:2] == "0x":
                target = int(operand, 16)
                if kind:
                    calls[(target, None)].append(address)
                elif keep is None or target in keep or low <= target < high:
                    jumps[(target, None)].append(address)
            elif kind and operand[-1:] == "]":
                slot = x86_slot(operand, address + size, got_base)
                if slot is not None:
                    slots[slot].append(address)


def sweep_aarch64(md: cs.Cs, regions: list[tuple[int, bytes]], result: SweepResult) -> None:
    """`bl` targets (calls) and `b`/`b.cond` targets (tail calls)."""
    calls, jumps = result.calls, result.jumps
    for base, code in regions:
        result.code_bytes += len(code)
        for address, _, mnemonic, operand in instructions(md, code, base):
            if operand[:1] != "#" or mnemonic[:1] != "b":
                continue
            if mnemonic == "bl":
                calls[(int(operand[1:], 16), None)].append(address)
            elif mnemonic == "b" or mnemonic[:2] == "b.":
                target = int(operand[1:], 16)
                if result.keeps(target):
                    jumps[(target, None)].append(address)


ARM_CONDITIONS = (
    *("eq", "ne", "cs", "hs", "cc", "lo", "mi", "pl", "vs"),
    *("vc", "hi", "ls", "ge", "lt", "gt", "le", "al"),
)
ARM_LINKS = frozenset(
    {"bl", "blx"} | {f"bl{c}" for c in ARM_CONDITIONS} | {f"blx{c}" for c in ARM_CONDITIONS}
)
ARM_MODE, THUMB_MODE = 0, 1


def sweep_arm(
    handles: tuple[cs.Cs, cs.Cs], pieces: list[tuple[int, bytes, int]], result: SweepResult
) -> None:
    """`bl`/`blx` targets (calls) and `b` targets (tail calls) in ARM and Thumb pieces; the
    context recorded with a target is the mode it runs in (`blx` switches)."""
    calls, jumps = result.calls, result.jumps
    for base, code, mode in pieces:
        result.code_bytes += len(code)
        for address, _, mnemonic, operand in instructions(handles[mode], code, base):
            if operand[:1] != "#" or mnemonic[:1] != "b":
                continue
            name = mnemonic[:-2] if mnemonic.endswith(".w") else mnemonic
            try:
                target = int(operand[1:], 16)
            except ValueError:
                continue
            if name in ARM_LINKS:
                calls[(target, mode ^ 1 if name.startswith("blx") else mode)].append(address)
            elif result.keeps(target):
                jumps[(target, mode)].append(address)
