"""The MIPS sweep. Position-independent MIPS code calls imported functions through the GOT
(`lw $t9, off($gp)` … `jalr $t9`) and its own through the local GOT (`lw` + `addiu %lo`), so
the sweep follows register values: GOT slots and constants, kept across calls in callee-saved
registers (a hoisted `lw $s2, strcpy` serves a loop of calls), carried along forward branches
whose delay slot loads the function (`b L; lw $t9, …` … `L: jalr $t9`), forgotten on return."""

from collections.abc import Callable
from dataclasses import dataclass

import capstone as cs

from assay.checks.census.sweep import SweepResult, instructions

DIRECT_CALLS = frozenset({"jal", "bal", "jalx", "balc"})
UNCONDITIONAL = frozenset({"j", "b", "bc"})
INDIRECT = frozenset({"jalr", "jr", "jalr.hb", "jr.hb", "jalrc", "jrc"})
LOADS = frozenset({"lw", "ld"})
ARITHMETIC = frozenset({"move", "lui", "addu", "daddu", "addiu", "daddiu"})
STORES = frozenset({"sw", "sd", "sb", "sh", "swl", "swr", "sdl", "sdr", "swc1", "sdc1"})
TRACKED = LOADS | ARITHMETIC | INDIRECT | DIRECT_CALLS | UNCONDITIONAL
CALLEE_SAVED = frozenset({"$s0", "$s1", "$s2", "$s3", "$s4", "$s5", "$s6", "$s7", "$fp", "$sp"})
CALL, END, BRANCH, JUMP = range(4)


@dataclass(frozen=True, slots=True)
class LocalGot:
    """The MIPS local GOT: [start, end) and how to read the address an entry holds."""

    start: int
    end: int
    read: Callable[[int], int | None]


class MipsSweep:
    """Register values along the linear sweep, and the call sites they reveal."""

    def __init__(self, gp: int, bits: int, local_got: LocalGot, result: SweepResult) -> None:
        self.gp = gp
        self.mask = (1 << bits) - 1
        self.local_got = local_got
        self.result = result
        self.slots: dict[str, int] = {}
        self.consts: dict[str, int] = {}
        self.pending: dict[int, tuple[dict[str, int], dict[str, int]]] = {}
        self.delayed: tuple[int, int] | None = None
        self.local_values: dict[int, int | None] = {}

    def run(self, md: cs.Cs, regions: list[tuple[int, bytes]]) -> None:
        """Sweep every region."""
        slots, consts, pending = self.slots, self.consts, self.pending  # changed in place
        for base, code in regions:
            self.result.code_bytes += len(code)
            for address, _, mnemonic, operand in instructions(md, code, base):
                if pending and address in pending:
                    self._arrive(address)
                action, self.delayed = self.delayed, None
                if mnemonic in TRACKED or mnemonic[:1] == "b":
                    self.step(address, mnemonic, operand)
                elif (slots or consts) and mnemonic not in STORES:  # the common case, inline
                    dest = operand.partition(",")[0]
                    slots.pop(dest, None)
                    consts.pop(dest, None)
                if action is not None:  # this was the delay slot of a branch, call or return
                    self._settle(action, address)

    def step(self, address: int, mnemonic: str, operand: str) -> None:
        """One instruction."""
        if mnemonic in LOADS:
            self._load(operand)
        elif mnemonic in ARITHMETIC:
            self._arithmetic(mnemonic, operand)
        elif mnemonic in INDIRECT:
            self._indirect(address, mnemonic, operand)
        elif mnemonic in DIRECT_CALLS:
            if operand[:2] == "0x":
                self.result.calls[(int(operand, 16), None)].append(address)
            self.delayed = (CALL, 0)
        elif mnemonic[:1] == "b" or mnemonic in UNCONDITIONAL:
            self._branch(address, mnemonic, operand)
        elif (self.slots or self.consts) and mnemonic not in STORES:
            self._forget(operand.partition(",")[0])

    def _branch(self, address: int, mnemonic: str, operand: str) -> None:
        target_text = operand.rpartition(" ")[2]
        if target_text[:2] != "0x":
            return
        target = int(target_text, 16)
        unconditional = mnemonic in UNCONDITIONAL
        if unconditional and self.result.keeps(target):
            self.result.jumps[(target, None)].append(address)
        self.delayed = (JUMP if unconditional else BRANCH, target)

    def _indirect(self, address: int, mnemonic: str, operand: str) -> None:
        register = operand.rpartition(" ")[2]
        call = mnemonic[:4] == "jalr"
        slot, target = self.slots.get(register), self.consts.get(register)
        if slot is not None:
            self.result.slot_calls[slot].append(address)
        elif target is not None:
            (self.result.calls if call else self.result.jumps)[(target, None)].append(address)
        self.delayed = (CALL, 0) if call else (END, 0)

    def _settle(self, action: tuple[int, int], address: int) -> None:
        """After a delay slot: a call clobbers the caller-saved registers; a return or a jump
        ends the straight line; a forward branch carries the state to its target."""
        kind, target = action
        if kind == CALL:
            for table in (self.slots, self.consts):
                for register in [r for r in table if r not in CALLEE_SAVED]:
                    del table[register]
            return
        if kind in (BRANCH, JUMP) and target > address and (self.slots or self.consts):
            self.pending.setdefault(target, (dict(self.slots), dict(self.consts)))
        if kind in (END, JUMP):
            self.slots.clear()
            self.consts.clear()

    def _arrive(self, address: int) -> None:
        """Paths join at a branch target: what the branch brought fills what is unknown."""
        slots, consts = self.pending.pop(address)
        for register, slot in slots.items():
            if register not in self.consts:
                self.slots.setdefault(register, slot)
        for register, value in consts.items():
            if register not in self.slots:
                self.consts.setdefault(register, value)

    def _forget(self, register: str) -> None:
        self.slots.pop(register, None)
        self.consts.pop(register, None)

    def _load(self, operands: str) -> None:
        """`lw/ld dest, disp(base)`: dest holds the slot at gp+disp or const+disp (a global GOT
        slot), or the address a local GOT entry holds."""
        dest, _, memory = operands.partition(", ")
        self._forget(dest)
        paren = memory.find("(")
        if memory[-5:] == "($gp)":
            start: int | None = self.gp
        elif self.consts and paren >= 0:
            start = self.consts.get(memory[paren + 1 : -1])
        else:
            return
        displacement = _number(memory[:paren]) if paren > 0 else 0
        if start is None or displacement is None:
            return
        slot = (start + displacement) & self.mask
        if self.local_got.start <= slot < self.local_got.end:
            if slot not in self.local_values:
                self.local_values[slot] = self.local_got.read(slot)
            value = self.local_values[slot]
            if value is not None:
                self.consts[dest] = value
        else:
            self.slots[dest] = slot

    def _arithmetic(self, mnemonic: str, operands: str) -> None:
        """`move`, `lui`, `addu … $gp`, `addiu`: the value moves or grows by a constant."""
        parts = operands.split(", ")
        dest = parts[0]
        value: int | None = None
        if mnemonic == "move" and len(parts) == 2:
            if parts[1] in self.slots:
                self._forget(dest)
                self.slots[dest] = self.slots[parts[1]]
                return
            value = self.consts.get(parts[1])
        elif mnemonic == "lui" and len(parts) == 2:
            upper = _number(parts[1])
            value = None if upper is None else upper << 16
        elif len(parts) == 3 and mnemonic in ("addu", "daddu"):
            value = self._gp_sum(parts[1], parts[2])
        elif len(parts) == 3 and parts[1] in self.consts:
            step = _number(parts[2])
            value = None if step is None else self.consts[parts[1]] + step
        self._forget(dest)
        if value is not None:
            self.consts[dest] = value & self.mask

    def _gp_sum(self, left: str, right: str) -> int | None:
        if left == "$gp" and right in self.consts:
            return self.consts[right] + self.gp
        if right == "$gp" and left in self.consts:
            return self.consts[left] + self.gp
        return None


def _number(text: str) -> int | None:
    try:
        return int(text, 0)
    except ValueError:
        return None
