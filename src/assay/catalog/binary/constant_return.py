"""The integer constant a function returns, read from its first instructions: a straight-line walk
that tracks register values set from immediates (and ARM/AArch64 literal pools) up to the return,
for x86, x86-64, ARM, Thumb, AArch64, MIPS, PowerPC and RISC-V. Any branch, any instruction the
walk does not know, or a return register not set from constants gives None: never a guess."""

import re
from collections.abc import Callable
from dataclasses import dataclass

import capstone as cs

MAX_INSTRUCTIONS = 24
MASK32 = 0xFFFFFFFF

# Registers holding an int return value, after `_canonical`.
RETURN_REGISTER = {"x86": "rax", "arm": "r0", "aarch64": "x0", "mips": "v0", "ppc": "r3"}
RETURN_REGISTER["riscv"] = "a0"

NOPS = frozenset({"nop", "endbr64", "endbr32", "bti", "paciasp", "pacibsp", "hint", "c.nop"})
STORES = re.compile(
    r"(?:c\.)?(?:s[bhwd]|s[bhwd]sp|st[bhwd]u?|std[u]?|stmdb|stm|str[bhd]?|stp|stur|push|"
    r"stwu|stdu|sw[lr]?|sdc1|swc1|sd[lr]?)$"
)
LOADS = re.compile(
    r"(?:c\.)?(?:l[bhwd]u?|l[wd]sp|lwz|lhz|lbz|ld|lwa|ldr[bhd]?|ldrs[bhw]|ldur|ldp|lw[lr]|ld[lr]|"
    r"pop|ldm|ldmia|ldr\.w)$"
)
ARITH = {
    "add": lambda a, b: a + b,
    "addi": lambda a, b: a + b,
    "addiu": lambda a, b: a + b,
    "addiw": lambda a, b: a + b,
    "addi4spn": lambda a, b: a + b,
    "daddiu": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "or": lambda a, b: a | b,
    "ori": lambda a, b: a | b,
    "orr": lambda a, b: a | b,
    "xor": lambda a, b: a ^ b,
    "xori": lambda a, b: a ^ b,
    "eor": lambda a, b: a ^ b,
}
MOVES = frozenset({"mov", "mr", "move", "mv", "extsw", "sext.w", "movs", "movabs"})
HIGH_PARTS = frozenset({"lui", "lis", "addis", "movt", "movk"})


class Unknown(Exception):
    """The walk met something it does not model: the function's result is not a known constant."""


@dataclass(frozen=True, slots=True)
class Code:
    """Bytes of a function and what it needs: the architecture family, capstone's arch and mode,
    the address of `data[0]`, and a reader of 4 bytes at an address (ARM literal pools)."""

    family: str
    cs_arch: int
    cs_mode: int
    address: int
    data: bytes
    read_word: Callable[[int], int | None]


def constant_return(code: Code) -> tuple[int, int] | None:
    """(the 32-bit value the function returns, how many bytes of code were read), or None."""
    handle = cs.Cs(code.cs_arch, code.cs_mode)
    registers: dict[str, int] = {}
    pending_return = False
    for count, insn in enumerate(handle.disasm(code.data, code.address)):
        if count >= MAX_INSTRUCTIONS:
            return None
        try:
            returns = _step(code, insn.mnemonic, _operands(insn.op_str), insn.address, registers)
        except Unknown:
            return None
        if pending_return or (returns and code.family != "mips"):
            value = registers.get(RETURN_REGISTER[code.family])
            used = insn.address + insn.size - code.address
            return None if value is None else (value & MASK32, used)
        pending_return = returns
    return None


def _operands(text: str) -> list[str]:
    """Operands split at commas outside brackets and braces."""
    parts: list[str] = []
    depth = 0
    current = ""
    for char in text:
        depth += char in "[{("
        depth -= char in "]})"
        if char == "," and depth == 0:
            parts.append(current.strip())
            current = ""
        else:
            current += char
    if current.strip():
        parts.append(current.strip())
    return parts


def _canonical(register: str) -> str:
    register = register.lstrip("$%")
    if register in ("eax", "rax"):
        return "rax"
    if re.fullmatch(r"w[0-9]+", register):
        return "x" + register[1:]
    return {"fp": "s8", "zero": "zero", "x0": "x0"}.get(register, register)


def _immediate(text: str) -> int | None:
    text = text.strip().lstrip("#$")
    match = re.fullmatch(r"(-?)(0x[0-9a-fA-F]+|[0-9]+)", text)
    if not match:
        return None
    return int(match.group(1) + match.group(2), 0)


def _value(operand: str, registers: dict[str, int]) -> int | None:
    immediate = _immediate(operand)
    if immediate is not None:
        return immediate
    register = _canonical(operand)
    return 0 if register in ("zero", "xzr", "wzr") else registers.get(register)


def _step(code: Code, mnemonic: str, ops: list[str], address: int, regs: dict[str, int]) -> bool:
    """Apply one instruction to `regs`; True when it is the return."""
    mnemonic = _plain_mnemonic(code.family, mnemonic)
    if mnemonic in NOPS or mnemonic == "push" or STORES.match(mnemonic):
        return False
    if _is_return(code.family, mnemonic, ops):
        for register in _written_by_load(ops) if mnemonic.startswith(("pop", "ldm")) else ():
            regs.pop(register, None)  # `pop {r0, pc}` returns what it loads
        return True
    if mnemonic in ("call", "calll", "callq"):
        regs.clear()  # a call may clobber any register; only later constants count
    elif _is_literal_load(code.family, mnemonic, ops):
        _literal(code, ops, address, regs)
    elif mnemonic == "pop" or LOADS.match(mnemonic):
        for register in _written_by_load(ops):
            regs.pop(register, None)
    else:
        _compute(code.family, mnemonic, ops, regs)
    return False


def _plain_mnemonic(family: str, mnemonic: str) -> str:
    """Without RISC-V's compressed prefix and Thumb-2's width qualifiers."""
    if family == "riscv":
        return mnemonic.removeprefix("c.")
    if family == "arm":
        return mnemonic.removesuffix(".w").removesuffix(".n")
    return mnemonic


def _is_literal_load(family: str, mnemonic: str, ops: list[str]) -> bool:
    if family == "arm":
        return mnemonic == "ldr" and len(ops) == 2 and ops[1].startswith("[pc")
    return family == "aarch64" and mnemonic == "ldr" and len(ops) == 2 and ops[1].startswith("#")


def _is_return(family: str, mnemonic: str, ops: list[str]) -> bool:
    if mnemonic in ("ret", "retq", "blr"):
        return True
    if family == "arm" and mnemonic == "bx" and ops == ["lr"]:
        return True
    if family == "arm" and mnemonic in ("pop", "ldm", "ldmia") and "pc" in ops[-1]:
        return True
    if family == "mips" and mnemonic == "jr" and ops == ["$ra"]:
        return True
    return family == "riscv" and mnemonic == "jr" and ops == ["ra"]


def _written_by_load(ops: list[str]) -> list[str]:
    """Every register a load names (its targets, and its base where it writes back)."""
    return [_canonical(token) for token in re.findall(r"[$%]?[a-z][a-z0-9]*", " ".join(ops))]


def _literal(code: Code, ops: list[str], address: int, regs: dict[str, int]) -> None:
    """`ldr rX, [pc, #n]` (ARM: pc is the address + 8; Thumb: + 4, word-aligned) and AArch64's
    `ldr wX, #address`."""
    target: int | None
    if code.family == "aarch64":
        target = _immediate(ops[1])
    else:
        match = re.fullmatch(r"\[pc(?:, #(-?(?:0x)?[0-9a-fA-F]+))?\]", ops[1])
        if not match:
            raise Unknown
        thumb = bool(code.cs_mode & cs.CS_MODE_THUMB)
        base = ((address + 4) & ~3) if thumb else address + 8
        target = base + int(match.group(1) or "0", 0)
    word = None if target is None else code.read_word(target)
    if word is None:
        raise Unknown
    regs[_canonical(ops[0])] = word


def _compute(family: str, mnemonic: str, ops: list[str], regs: dict[str, int]) -> None:
    """Immediates, moves, high halves and arithmetic with immediates; else Unknown."""
    if not ops:
        raise Unknown
    destination = _canonical(ops[0])
    if family == "x86" and ops[0] in ("al", "ah", "ax"):
        regs.pop("rax", None)  # a partial write leaves eax unknown
        return
    value = _result(family, mnemonic, ops, regs)
    if value is None:
        regs.pop(destination, None)
    else:
        regs[destination] = value & 0xFFFFFFFFFFFFFFFF


def _result(family: str, mnemonic: str, ops: list[str], regs: dict[str, int]) -> int | None:
    if mnemonic in HIGH_PARTS:
        return _high_part(family, mnemonic, ops, regs)
    if mnemonic in ("li", "movz", "movw") or (mnemonic in MOVES and len(ops) == 2):
        if mnemonic == "movz" and len(ops) == 3:
            return _shifted(ops[1], ops[2])
        return _value(ops[1], regs)
    if family == "x86" and mnemonic == "xor" and ops[0] == ops[1]:
        return 0
    if mnemonic in ARITH:
        return _arith(mnemonic, ops, regs)
    raise Unknown


def _high_part(family: str, mnemonic: str, ops: list[str], regs: dict[str, int]) -> int | None:
    """Instructions that set or add a register's upper bits: lui, lis, addis, movt, movk."""
    if mnemonic == "addis":
        base, high = _value(ops[1], regs), _immediate(ops[2]) if len(ops) > 2 else None
        return None if base is None or high is None else base + (high << 16)
    if mnemonic in ("lui", "lis"):
        shift = 12 if family == "riscv" else 16
        immediate = _immediate(ops[1])
        if immediate is None:
            raise Unknown
        return immediate << shift
    if mnemonic == "movt":
        low, high = regs.get(_canonical(ops[0])), _immediate(ops[1])
        return None if low is None or high is None else (low & 0xFFFF) | (high << 16)
    if mnemonic == "movk":
        old, part = regs.get(_canonical(ops[0])), _shifted(ops[1], ops[2] if len(ops) > 2 else "")
        if old is None or part is None:
            return None
        shift = _shift_amount(ops[2] if len(ops) > 2 else "")
        return (old & ~(0xFFFF << shift)) | part
    raise Unknown


def _arith(mnemonic: str, ops: list[str], regs: dict[str, int]) -> int | None:
    sources = ops[1:] if len(ops) == 3 else ops  # `add eax, 5` / `c.addi a0, 5` use dst as src
    if len(sources) != 2:
        raise Unknown
    left, right = _value(sources[0], regs), _value(sources[1], regs)
    return None if left is None or right is None else ARITH[mnemonic](left, right)


def _shift_amount(text: str) -> int:
    match = re.fullmatch(r"lsl #(\d+)", text.strip())
    return int(match.group(1)) if match else 0


def _shifted(immediate: str, shift: str) -> int | None:
    value = _immediate(immediate)
    return None if value is None else value << _shift_amount(shift)
