"""PLT stubs: follow the few instructions at a call target to the GOT slot it jumps through.

Layout-independent: instead of one stub size per linker version, each architecture's stub is
evaluated — constants into registers (`adrp`, `lui`, `lis`, `movw/movt`, `add … pc`), a load
from a computed address, an indirect jump through the loaded value (`jmp [rip+x]`, `br x17`,
`ldr pc`, `jr $t9`, `mtctr`+`bctr`). Anything else means the target is not a stub."""

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import capstone as cs

from assay.checks.census.sweep import ARM_MODE, x86_slot

STUB_LENGTH = 10
Instruction = tuple[int, int, str, str]


@dataclass(frozen=True, slots=True)
class StubOutcome:
    """`is_stub`: the code jumps through memory it loaded; `slot`: the address it loaded from,
    when computable."""

    is_stub: bool
    slot: int | None = None


NOT_A_STUB = StubOutcome(False)
UNRESOLVED = StubOutcome(True)
CONTINUE = None


class CodeMap:
    """The executable bytes by virtual address."""

    def __init__(self, regions: list[tuple[int, bytes]]) -> None:
        self.regions = sorted(regions)

    def read(self, address: int, size: int) -> bytes:
        """Up to `size` code bytes at `address` (empty outside the code)."""
        for base, code in self.regions:
            if base <= address < base + len(code):
                return code[address - base : address - base + size]
        return b""


@dataclass(slots=True)
class StubState:
    """Registers holding constants, registers holding a loaded slot's value, the ARM mode."""

    values: dict[str, int] = field(default_factory=dict)
    loaded: dict[str, int] = field(default_factory=dict)
    mode: int = ARM_MODE
    counter: int | None = None


Step = Callable[[StubState, Instruction], StubOutcome | None]


def evaluate(
    code: CodeMap,
    handles: tuple[cs.Cs, ...],
    step: Step,
    address: int,
    state: StubState,
) -> StubOutcome:
    """Run `step` over at most STUB_LENGTH instructions from `address`."""
    for _ in range(STUB_LENGTH):
        handle = handles[state.mode] if len(handles) > 1 else handles[0]
        raw = code.read(address, 16)
        insn = next(handle.disasm_lite(raw, address, 1), None) if raw else None
        if insn is None:
            return NOT_A_STUB
        before = state.mode
        outcome = step(state, insn)
        if outcome is not None:
            return outcome
        switched = state.mode != before  # `bx pc`: on to the ARM code after a Thumb preamble
        address = (insn[0] + 4) & ~3 if switched else insn[0] + insn[1]
    return NOT_A_STUB


def number(text: str) -> int | None:
    """An immediate as capstone prints it (`#0x10`, `-0x7ff0`, `12`)."""
    try:
        return int(text.lstrip("#"), 0)
    except ValueError:
        return None


def memory_operand(text: str) -> tuple[str, int] | None:
    """(base, displacement) of `[x16, #0xfb8]`, `[ip]`, `-0x7ee0(r30)` or `0x10($t7)`."""
    text = text.rstrip("!")
    if text.startswith("["):
        base, _, displacement = text[1:-1].partition(", ")
        value = number(displacement) if displacement else 0
    else:
        paren = text.find("(")
        if paren < 0:
            return None
        base = text[paren + 1 : -1]
        value = number(text[:paren]) if paren else 0
    return None if value is None else (base, value)


def x86_step(got_base: int | None) -> Step:
    """An x86 stub: optional `endbr`, then `jmp [slot]`."""

    def step(state: StubState, insn: Instruction) -> StubOutcome | None:
        address, size, mnemonic, operands = insn
        if mnemonic in ("endbr64", "endbr32", "nop"):
            return CONTINUE
        if mnemonic in ("jmp", "bnd jmp", "notrack jmp") and operands.endswith("]"):
            slot = x86_slot(operands, address + size, got_base)
            return UNRESOLVED if slot is None else StubOutcome(True, slot)
        return NOT_A_STUB

    return step


WIDE_REGISTER = re.compile(r"\bw(\d+)\b")
AARCH64_SKIP = frozenset({"nop", "bti", "autia1716", "autib1716", "hint"})


def aarch64_step(state: StubState, insn: Instruction) -> StubOutcome | None:
    """An AArch64 stub: `adrp x16`, `ldr x17, [x16, #lo]`, `add x16, x16, #lo`, `br x17`."""
    _, _, mnemonic, operands = insn
    operands = WIDE_REGISTER.sub(r"x\1", operands)
    parts = operands.split(", ", 1)
    if mnemonic in AARCH64_SKIP:
        return CONTINUE
    if mnemonic == "adrp" and len(parts) == 2 and (page := number(parts[1])) is not None:
        state.values[parts[0]] = page
        return CONTINUE
    if mnemonic == "ldr" and len(parts) == 2:
        memory = memory_operand(parts[1])
        if memory is not None and memory[0] in state.values:
            state.loaded[parts[0]] = state.values[memory[0]] + memory[1]
        return CONTINUE
    if mnemonic == "add":
        dest, _, rest = operands.partition(", ")
        base, _, immediate = rest.partition(", ")
        step = number(immediate)
        if base in state.values and step is not None:
            state.values[dest] = state.values[base] + step
        return CONTINUE
    if mnemonic == "br":
        return through(state, operands)
    return NOT_A_STUB


def through(state: StubState, register: str) -> StubOutcome:
    """The outcome of an indirect jump through `register`."""
    slot = state.loaded.get(register)
    return UNRESOLVED if slot is None else StubOutcome(True, slot)
