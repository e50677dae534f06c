"""Where call targets get their names: defined function symbols, canonical PLT addresses of
imported functions, and GOT/PLT slots bound to a symbol by a relocation, by the MIPS GOT layout
(global entries follow DT_MIPS_GOTSYM in dynamic-symbol order) or by an IRELATIVE resolver."""

import struct
from dataclasses import dataclass, field

from assay.checks.census import dynamic as dt
from assay.checks.census.arch import Arch
from assay.checks.census.elfimage import STT_FUNC, STT_GNU_IFUNC, ElfImage, Symbol
from assay.checks.census.table import FunctionTable

MIPS_GP_OFFSET = 0x7FF0
ADDIS_R2_R12, ADDI_R2_R2 = 0x3C4C, 0x3842
PPC64_TOC_OFFSET = 0x8000
EF_PPC64_ABI = 3
STO_PPC64_LOCAL_SHIFT = 5


@dataclass(slots=True)
class Names:
    """Addresses and slots with the symbol names they stand for."""

    functions: dict[int, str] = field(default_factory=dict)
    canonical: dict[int, str] = field(default_factory=dict)
    slots: dict[int, str] = field(default_factory=dict)
    imports: set[str] = field(default_factory=set)


def base_name(name: str) -> str:
    """`strcpy@GLIBC_2.2.5` → `strcpy` (static symbol tables keep version suffixes)."""
    return name.partition("@")[0]


def collect_names(image: ElfImage, arch: Arch, table: FunctionTable) -> Names:
    """Every name a call target or a slot can be given in this binary."""
    names = Names()
    thumb = arch.kind == "arm"
    for symbol in image.symtab + image.dynsym:
        if symbol.defined and symbol.value and _is_function(symbol, table):
            for address in _entry_points(image, arch, symbol):
                _prefer_listed(
                    names.functions,
                    address & ~1 if thumb else address,
                    base_name(symbol.name),
                    table,
                )
    for symbol in image.dynsym:
        if symbol.defined or not symbol.name:
            continue
        if table.classify(symbol.name) is not None:
            names.imports.add(symbol.name)
        if symbol.value:
            names.canonical[symbol.value & ~1 if thumb else symbol.value] = symbol.name
    _relocated_slots(image, arch, names)
    if arch.kind == "mips":
        _mips_global_got(image, names)
    return names


def _is_function(symbol: Symbol, table: FunctionTable) -> bool:
    if symbol.type in (STT_FUNC, STT_GNU_IFUNC):
        return True
    return symbol.type == 0 and table.classify(base_name(symbol.name)) is not None


def _prefer_listed(
    functions: dict[int, str], address: int, name: str, table: FunctionTable
) -> None:
    """Aliases share an address (`strcpy`, `__GI_strcpy`): keep a listed name if there is one."""
    current = functions.get(address)
    if current is None or (table.classify(current) is None and table.classify(name) is not None):
        functions[address] = name


def _entry_points(image: ElfImage, arch: Arch, symbol: Symbol) -> list[int]:
    """Where calls to a function land: its value, PowerPC64 ELFv2's local entry point too, or
    for ELFv1 the code address in its `.opd` descriptor."""
    if arch.name != "powerpc64":
        return [symbol.value]
    if image.flags & EF_PPC64_ABI == 2:
        offset = ((1 << ((symbol.other >> STO_PPC64_LOCAL_SHIFT) & 7)) >> 2) << 2
        return [symbol.value, symbol.value + offset] if offset else [symbol.value]
    descriptors = image.section(".opd")
    if descriptors and descriptors.address <= symbol.value < descriptors.address + descriptors.size:
        code = image.read_word(symbol.value)
        return [code] if code else []
    return [symbol.value]


def _relocated_slots(image: ElfImage, arch: Arch, names: Names) -> None:
    dynsym = image.dynsym
    for relocation in image.relocations():
        if relocation.type in arch.slot_relocs and 0 < relocation.symbol < len(dynsym):
            name = dynsym[relocation.symbol].name
            if name:
                names.slots[relocation.offset] = name
        elif relocation.type in arch.irelative:
            resolver = relocation.addend
            if resolver is None:
                resolver = image.read_word(relocation.offset)
            if resolver is not None:
                # an IFUNC of this file: named if its resolver is, else known but unnamed ("")
                names.slots[relocation.offset] = _resolver_name(image, arch, names, resolver)


def _resolver_name(image: ElfImage, arch: Arch, names: Names, resolver: int) -> str:
    if arch.kind == "arm":
        resolver &= ~1
    name = names.functions.get(resolver)
    if name is None and arch.name == "powerpc64":  # ELFv1: the addend is an .opd descriptor
        code = image.read_word(resolver)
        name = names.functions.get(code) if code is not None else None
    return name or ""


def _mips_global_got(image: ElfImage, names: Names) -> None:
    got = image.dynamic.get(dt.PLTGOT)
    local = image.dynamic.get(dt.MIPS_LOCAL_GOTNO)
    first = image.dynamic.get(dt.MIPS_GOTSYM)
    if got is None or local is None or first is None:
        return
    dynsym = image.dynsym
    for index in range(first, len(dynsym)):
        names.slots[got + (local + index - first) * image.word] = dynsym[index].name


def mips_gp(image: ElfImage) -> int | None:
    """The canonical gp: `_gp` when the symbol table has it, else the GOT + 0x7ff0."""
    for symbol in image.symtab:
        if symbol.name == "_gp":
            return symbol.value
    got = image.dynamic.get(dt.PLTGOT)
    if got is None:
        section = image.section(".got")
        got = section.address if section else None
    return None if got is None else got + MIPS_GP_OFFSET


def ppc64_toc(image: ElfImage) -> int | None:
    """The TOC pointer r2: `.TOC.`, else `.got` + 0x8000, else what an ELFv2 global entry
    point computes (`addis r2, r12, hi; addi r2, r2, lo` with r12 = the entry's address)."""
    for symbol in image.symtab:
        if symbol.name == ".TOC.":
            return symbol.value
    section = image.section(".got")
    if section is not None:
        return section.address + PPC64_TOC_OFFSET
    if image.flags & EF_PPC64_ABI != 2:  # ELFv1: e_entry is a descriptor (code, TOC, env)
        return image.read_word(image.entry + image.word)
    entries = [image.entry] + [s.value for s in image.dynsym if s.defined and s.type == STT_FUNC]
    for entry in entries[:16]:
        toc = _global_entry_toc(image, entry)
        if toc is not None:
            return toc
    return None


def _global_entry_toc(image: ElfImage, entry: int) -> int | None:
    raw = image.read(entry, 8)
    if len(raw) != 8:
        return None
    high, low = struct.unpack(image.order + "II", raw)
    if high >> 16 != ADDIS_R2_R12 or low >> 16 != ADDI_R2_R2:
        return None
    return entry + (_signed16(high) << 16) + _signed16(low)


def _signed16(word: int) -> int:
    value = word & 0xFFFF
    return value - 0x10000 if value & 0x8000 else value


def got_base(image: ElfImage) -> int | None:
    """The i386 GOT register's value (`_GLOBAL_OFFSET_TABLE_`): DT_PLTGOT or `.got.plt`."""
    if dt.PLTGOT in image.dynamic:
        return image.dynamic[dt.PLTGOT]
    section = image.section(".got.plt")
    return None if section is None else section.address
