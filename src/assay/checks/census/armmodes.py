"""ARM and Thumb code in one file: which mode each stretch of code is in, from the mapping
symbols `$a`/`$t`/`$d` (ARM ELF ABI, 'Mapping symbols'), else from the low bit of function
symbols, else by which mode's branches reach known functions; `$d` stretches (literal pools)
are not disassembled."""

from bisect import bisect_right
from collections.abc import Callable

import capstone as cs

from assay.checks.census.elfimage import STT_FUNC, STT_GNU_IFUNC, ElfImage, Symbol
from assay.checks.census.resolve import Resolver
from assay.checks.census.sweep import ARM_MODE, THUMB_MODE, SweepResult, sweep_arm

DATA = -1
VOTE_SPAN = 0x400
SAMPLE = 0x4000
MARKS = {"$a": ARM_MODE, "$t": THUMB_MODE, "$d": DATA}


def mapping_marks(image: ElfImage) -> list[tuple[int, int]]:
    """(address, mode or DATA) from the mapping symbols, sorted; empty when stripped."""
    marks = [
        (symbol.value, MARKS[symbol.name[:2]])
        for symbol in image.symtab
        if symbol.name[:2] in MARKS and (len(symbol.name) == 2 or symbol.name[2] == ".")
    ]
    return sorted(set(marks))


def function_marks(symbols: list[Symbol]) -> list[tuple[int, int]]:
    """(address, mode) from defined function symbols (bit 0 set means Thumb)."""
    marks = {
        (symbol.value & ~1, THUMB_MODE if symbol.value & 1 else ARM_MODE)
        for symbol in symbols
        if symbol.defined and symbol.type in (STT_FUNC, STT_GNU_IFUNC) and symbol.value
    }
    return sorted(marks)


def default_mode(image: ElfImage, functions: list[tuple[int, int]]) -> int:
    """The mode of code no symbol speaks for: the functions' majority, else the entry point's."""
    if functions:
        thumb = sum(1 for _, mode in functions if mode == THUMB_MODE)
        return THUMB_MODE if thumb * 2 >= len(functions) else ARM_MODE
    return THUMB_MODE if image.entry & 1 else ARM_MODE


def arm_pieces(
    image: ElfImage, regions: list[tuple[int, bytes]]
) -> tuple[list[tuple[int, bytes, int]], bool]:
    """Code split into (address, bytes, mode) pieces, data left out; and whether any symbol
    said which mode the code is in (mapping symbols, else the static symbol table's functions).
    Exported functions alone do not count: they say nothing of the program's own code."""
    marks = mapping_marks(image)
    functions = function_marks(image.symtab + image.dynsym)
    known = bool(marks) or bool(function_marks(image.symtab))
    if not marks:
        marks = functions
    fallback = default_mode(image, functions)
    addresses = [address for address, _ in marks]
    pieces: list[tuple[int, bytes, int]] = []
    for base, code in regions:
        end = base + len(code)
        index = bisect_right(addresses, base) - 1
        mode = marks[index][1] if index >= 0 else fallback
        start = base
        for address, next_mode in marks[index + 1 : bisect_right(addresses, end - 1)]:
            if next_mode != mode:
                _append(pieces, start, code[start - base : address - base], mode)
                start, mode = address, next_mode
        _append(pieces, start, code[start - base :], mode)
    return pieces, known


def sweep_arm_unknown_modes(
    handles: tuple[cs.Cs, cs.Cs],
    regions: list[tuple[int, bytes]],
    resolver: Resolver,
    template: SweepResult,
    fallback: int,
) -> SweepResult:
    """A stripped file gives no mode. Sweep the code in the likelier mode (sampled: decoded in
    the wrong mode, code yields branches that land on nothing); stretches of VOTE_SPAN bytes
    where no branch reached a known function or stub are swept again in the other mode, which
    wins those where its branches do reach one."""
    primary = _likelier_mode(handles, regions, resolver, template, fallback)
    first = _fresh(template)
    sweep_arm(handles, [(base, code, primary) for base, code in regions], first)
    anchored = _anchored_spans(first, resolver)
    second = _fresh(template)
    rest = _uncovered(regions, anchored)
    sweep_arm(handles, [(base, code, primary ^ 1) for base, code in rest], second)
    taken = _anchored_spans(second, resolver)
    merged = SweepResult(code_bytes=first.code_bytes)
    _keep(first, merged, lambda span: span not in taken)
    _keep(second, merged, lambda span: span in taken)
    return merged


def _likelier_mode(
    handles: tuple[cs.Cs, cs.Cs],
    regions: list[tuple[int, bytes]],
    resolver: Resolver,
    template: SweepResult,
    fallback: int,
) -> int:
    """The mode whose branches reach more known functions and stubs in a few SAMPLE-byte
    windows (all of the code when it is small)."""
    windows: list[tuple[int, bytes]] = []
    for base, code in regions:
        if len(code) <= 3 * SAMPLE:
            windows.append((base, code))
            continue
        for quarter in (1, 2, 3):
            start = len(code) * quarter // 4 & ~3
            windows.append((base + start, code[start : start + SAMPLE]))
    reached = []
    for mode in (ARM_MODE, THUMB_MODE):
        sample = _fresh(template)
        sweep_arm(handles, [(base, code, mode) for base, code in windows], sample)
        reached.append(len(_anchored_sites(sample, resolver)))
    if reached[ARM_MODE] == reached[THUMB_MODE]:
        return fallback
    return ARM_MODE if reached[ARM_MODE] > reached[THUMB_MODE] else THUMB_MODE


def _fresh(template: SweepResult) -> SweepResult:
    return SweepResult(keep_jumps_to=template.keep_jumps_to, stub_zone=template.stub_zone)


def _anchored_sites(swept: SweepResult, resolver: Resolver) -> list[int]:
    """Sites of branches to a known function or stub."""
    sites: list[int] = []
    for table, is_call in ((swept.calls, True), (swept.jumps, False)):
        for key, found in table.items():
            name, unresolved = resolver.name(key, is_call)
            if name is not None or unresolved:
                sites.extend(found)
    return sites


def _anchored_spans(swept: SweepResult, resolver: Resolver) -> set[int]:
    """The VOTE_SPAN stretches holding a branch to a known function or stub."""
    return {site // VOTE_SPAN for site in _anchored_sites(swept, resolver)}


def _uncovered(regions: list[tuple[int, bytes]], anchored: set[int]) -> list[tuple[int, bytes]]:
    """The parts of the regions outside the anchored stretches, as contiguous pieces."""
    pieces: list[tuple[int, bytes]] = []
    for base, code in regions:
        end = base + len(code)
        start: int | None = None
        for span in range(base // VOTE_SPAN, (end - 1) // VOTE_SPAN + 1):
            low, high = max(base, span * VOTE_SPAN), min(end, (span + 1) * VOTE_SPAN)
            if span in anchored:
                if start is not None:
                    pieces.append((start, code[start - base : low - base]))
                start = None
            elif start is None:
                start = low
            if high == end and start is not None:
                pieces.append((start, code[start - base :]))
    return pieces


def _keep(source: SweepResult, merged: SweepResult, wanted: Callable[[int], bool]) -> None:
    for mine, theirs in ((source.calls, merged.calls), (source.jumps, merged.jumps)):
        for key, sites in mine.items():
            kept = [site for site in sites if wanted(site // VOTE_SPAN)]
            if kept:
                theirs[key].extend(kept)


def _append(pieces: list[tuple[int, bytes, int]], start: int, code: bytes, mode: int) -> None:
    if mode != DATA and code:
        pieces.append((start, code, mode))
