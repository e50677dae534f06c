"""Stub steps for ARM/Thumb, MIPS and PowerPC (the evaluation loop is in `stubs`)."""

from collections.abc import Callable

from assay.checks.census.stubs import (
    CONTINUE,
    NOT_A_STUB,
    UNRESOLVED,
    Instruction,
    Step,
    StubOutcome,
    StubState,
    memory_operand,
    number,
    through,
)
from assay.checks.census.sweep import THUMB_MODE

MASK32 = 0xFFFFFFFF
WordAt = Callable[[int], int | None]


def arm_step(read_word: WordAt) -> Step:
    """ARM PLT entries (`add ip, pc, #…` twice, `ldr pc, [ip, #…]!`), the long form
    (`ldr ip, [pc, #4]`, `add ip, pc, ip`, `ldr pc, [ip]`), Thumb-2 entries (`movw`/`movt ip`,
    `add ip, pc`, `ldr.w pc, [ip]`) and the Thumb `bx pc` preamble to an ARM entry."""

    def step(state: StubState, insn: Instruction) -> StubOutcome | None:
        address, _, mnemonic, operands = insn
        pc = address + (4 if state.mode == THUMB_MODE else 8)
        name = mnemonic.removesuffix(".w")
        if name == "nop":
            return CONTINUE
        if name == "bx":
            if operands == "pc" and state.mode == THUMB_MODE:
                state.mode ^= 1
                return CONTINUE
            return through(state, operands)
        if name in ("movw", "movt"):
            return _arm_move(state, name, operands)
        if name == "add":
            return _arm_add(state, operands, pc)
        if name == "ldr":
            return _arm_load(state, operands, pc, read_word)
        return NOT_A_STUB

    return step


def _arm_move(state: StubState, name: str, operands: str) -> StubOutcome | None:
    dest, _, text = operands.partition(", ")
    value = number(text)
    if value is None:
        return NOT_A_STUB
    if name == "movw":
        state.values[dest] = value & 0xFFFF
    else:
        state.values[dest] = (state.values.get(dest, 0) & 0xFFFF) | (value & 0xFFFF) << 16
    return CONTINUE


def _arm_immediate(parts: list[str]) -> int | None:
    """`#imm` or the raw rotated form `#imm, #rotation` capstone prints for some encodings."""
    values = [number(part) for part in parts]
    if None in values or not 1 <= len(values) <= 2:
        return None
    immediate = values[0] or 0
    if len(values) == 1:
        return immediate
    rotation = (values[1] or 0) % 32
    return ((immediate >> rotation) | (immediate << (32 - rotation))) & MASK32


def _arm_add(state: StubState, operands: str, pc: int) -> StubOutcome | None:
    parts = operands.split(", ")
    dest = parts[0]
    left, rest = (dest, parts[1:]) if len(parts) == 2 else (parts[1], parts[2:])
    base = pc if left == "pc" else state.values.get(left)
    if not rest:
        return NOT_A_STUB
    if rest[0].startswith("#"):
        addend = _arm_immediate(rest)
    else:
        addend = pc if rest[0] == "pc" else state.values.get(rest[0])
    state.values.pop(dest, None)
    if base is not None and addend is not None:
        state.values[dest] = (base + addend) & MASK32
    return CONTINUE


def _arm_load(state: StubState, operands: str, pc: int, read_word: WordAt) -> StubOutcome | None:
    dest, _, text = operands.partition(", ")
    memory = memory_operand(text)
    if memory is None:
        return NOT_A_STUB
    register, displacement = memory
    base = pc & ~3 if register == "pc" else state.values.get(register)
    if base is None:
        return UNRESOLVED if dest == "pc" else CONTINUE
    address = (base + displacement) & MASK32
    if dest == "pc":
        return StubOutcome(True, address)
    if register == "pc":
        literal = read_word(address)
        if literal is not None:
            state.values[dest] = literal
    else:
        state.loaded[dest] = address
    return CONTINUE


def mips_step(gp: int, mask: int) -> Step:
    """MIPS PLT entries (`lui $t7`, `lw $t9, lo($t7)`, `jr $t9`) and lazy-binding stubs
    (`lw $t9, -0x7ff0($gp)`, `move $t7, $ra`, `jalr $t9`)."""

    def step(state: StubState, insn: Instruction) -> StubOutcome | None:
        _, _, mnemonic, operands = insn
        parts = operands.split(", ")
        if mnemonic in ("nop", "move"):
            return CONTINUE
        if mnemonic == "lui" and len(parts) == 2 and (upper := number(parts[1])) is not None:
            state.values[parts[0]] = (upper << 16) & mask
            return CONTINUE
        if mnemonic in ("addiu", "daddiu") and len(parts) == 3:
            start, step_by = state.values.get(parts[1]), number(parts[2])
            if start is not None and step_by is not None:
                state.values[parts[0]] = (start + step_by) & mask
            return CONTINUE
        if mnemonic in ("lw", "ld") and len(parts) == 2:
            memory = memory_operand(parts[1])
            if memory is not None:
                base = gp if memory[0] == "$gp" else state.values.get(memory[0])
                if base is not None:
                    state.loaded[parts[0]] = (base + memory[1]) & mask
            return CONTINUE
        if mnemonic in ("jr", "jalr", "jr.hb", "jalr.hb"):
            return through(state, parts[-1])
        return NOT_A_STUB

    return step


PPC_SKIP = frozenset({"nop", "std"})


def ppc_step(mask: int) -> Step:
    """PowerPC call stubs: 32-bit `lwz r11, off(r30)` (PIC, r30 given as context) or
    `lis`+`lwz` (absolute), then `mtctr r11; bctr`; 64-bit `addis r12, r2, hi; ld r12, lo(r12);
    mtctr r12; bctr` with r2 the TOC pointer."""

    def step(state: StubState, insn: Instruction) -> StubOutcome | None:
        _, _, mnemonic, operands = insn
        parts = operands.split(", ")
        if mnemonic in PPC_SKIP:
            return CONTINUE
        if mnemonic in ("lis", "addis", "addi") and 2 <= len(parts) <= 3:
            _ppc_constant(state, mnemonic, parts, mask)
            return CONTINUE
        if mnemonic in ("lwz", "ld") and len(parts) == 2:
            memory = memory_operand(parts[1])
            base = state.values.get(memory[0]) if memory else None
            if memory is not None and base is not None:
                state.loaded[parts[0]] = (base + memory[1]) & mask
            return CONTINUE
        if mnemonic == "mtctr":
            state.counter = state.loaded.get(operands)
            return CONTINUE
        if mnemonic == "bctr":
            return UNRESOLVED if state.counter is None else StubOutcome(True, state.counter)
        return NOT_A_STUB

    return step


def _ppc_constant(state: StubState, mnemonic: str, parts: list[str], mask: int) -> None:
    dest = parts[0]
    immediate = number(parts[-1])
    if mnemonic == "lis":
        base: int | None = 0
        shift = 16
    else:
        base = state.values.get(parts[1]) if len(parts) == 3 else None
        shift = 16 if mnemonic == "addis" else 0
    state.values.pop(dest, None)
    if base is not None and immediate is not None:
        state.values[dest] = (base + (immediate << shift)) & mask
