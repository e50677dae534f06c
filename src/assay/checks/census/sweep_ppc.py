"""The PowerPC sweep: `bl` and `b` targets. 32-bit PLT call stubs read their slot relative to
the caller's GOT pointer r30 (set up by `bcl 20,31` + `mflr` + `addis`/`addi`, or a `bl` to the
`blrl` word before the GOT), so r30's value at each call is recorded with its target."""

import struct
from collections.abc import Callable

import capstone as cs

from assay.checks.census.sweep import SweepResult, instructions

PPC_BLRL = 0x4E800021


class PpcRegisters:
    """The link register and constants in general registers (PowerPC 32-bit PIC prologue)."""

    __slots__ = ("link", "mask", "values")

    def __init__(self, bits: int) -> None:
        self.link: int | None = None
        self.values: dict[str, int] = {}
        self.mask = (1 << bits) - 1

    def step(self, mnemonic: str, operands: str) -> None:
        """Follow `mflr`, `lis`, `addis`, `addi`, `mr`; forget any other written register."""
        parts = operands.split(", ")
        dest = parts[0]
        value: int | None = None
        if mnemonic == "mflr":
            value = self.link
        elif mnemonic == "mr" and len(parts) == 2:
            value = self.values.get(parts[1])
        elif mnemonic == "lis" and len(parts) == 2:
            upper = _number(parts[1])
            value = None if upper is None else upper << 16
        elif mnemonic in ("addis", "addi") and len(parts) == 3 and parts[1] in self.values:
            step = _number(parts[2])
            if step is not None:
                value = self.values[parts[1]] + (step << 16 if mnemonic == "addis" else step)
        self.values.pop(dest, None)
        if value is not None:
            self.values[dest] = value & self.mask


PPC_TRACKED = frozenset({"mflr", "mr", "lis", "addis", "addi"})


class WordReader:
    """Reads the 32-bit word at a virtual address through `read(address, size)`, cached."""

    def __init__(self, read: Callable[[int, int], bytes], big_endian: bool) -> None:
        self.read = read
        self.layout = ">I" if big_endian else "<I"
        self.cache: dict[int, int | None] = {}

    def __call__(self, address: int) -> int | None:
        if address not in self.cache:
            raw = self.read(address, 4)
            self.cache[address] = int(struct.unpack(self.layout, raw)[0]) if len(raw) == 4 else None
        return self.cache[address]


def sweep_ppc(
    md: cs.Cs, regions: list[tuple[int, bytes]], image_word: WordReader, result: SweepResult
) -> None:
    """`bl` (and every branch-and-link with a target) as calls, `b` as tail calls. In 32-bit
    code the context of a target is r30's value at the call: the GOT pointer its PLT call stub
    reads the slot from. A `bl` to a `blrl` word (the -fpic GOT trick) sets LR to the GOT."""
    calls, jumps = result.calls, result.jumps
    registers = PpcRegisters(32 if md.mode & cs.CS_MODE_64 == 0 else 64)
    track = md.mode & cs.CS_MODE_64 == 0
    for base, code in regions:
        result.code_bytes += len(code)
        for address, _, mnemonic, operand in instructions(md, code, base):
            if mnemonic[:1] == "b" and operand[:2] == "0x":
                target = int(operand, 16)
                context = registers.values.get("r30") if track else None
                if mnemonic[-1:] == "l" or mnemonic[-2:] == "la":
                    calls[(target, context)].append(address)
                    blrl = track and image_word(target) == PPC_BLRL
                    registers.link = target + 4 if blrl else address + 4
                else:
                    jumps[(target, context)].append(address)
            elif not track:
                continue
            elif mnemonic in PPC_TRACKED:
                registers.step(mnemonic, operand)
            elif registers.values:
                registers.values.pop(operand.partition(",")[0], None)


def _number(text: str) -> int | None:
    try:
        return int(text, 0)
    except ValueError:
        return None
