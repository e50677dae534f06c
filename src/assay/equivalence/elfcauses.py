"""Why two ELF files from two builds of the same source differ: what the DWARF says about the
builds (comp_dir, producer), and whether only the order of sections or functions changed."""

from dataclasses import dataclass
from pathlib import Path

from elftools.common.exceptions import ELFError
from elftools.elf.elffile import ELFFile
from elftools.elf.sections import SymbolTableSection

from assay.equivalence import causes as c
from assay.equivalence.causes import Cause
from assay.equivalence.elfcompare import BUILD_PATH_LENGTHS
from assay.equivalence.verdict import FilePair

SHOWN_SECTIONS = 6


@dataclass(frozen=True, slots=True)
class ElfFacts:
    """What one ELF file says about its build and layout."""

    comp_dir: bytes | None = None
    producer: bytes | None = None
    sections: tuple[str, ...] = ()
    functions: tuple[str, ...] = ()


def elf_facts(path: Path) -> ElfFacts:
    """The first compilation unit's comp_dir and producer, the section names in file order and
    the function symbols in address order; empty facts for an unreadable file."""
    try:
        with open(path, "rb") as handle:
            elf = ELFFile(handle)
            sections = tuple(s.name for s in elf.iter_sections() if s.name)
            comp_dir, producer = _first_unit(elf)
            return ElfFacts(comp_dir, producer, sections, _functions(elf))
    except (ELFError, ValueError, KeyError, IndexError, OSError):
        return ElfFacts()


def _first_unit(elf: ELFFile) -> tuple[bytes | None, bytes | None]:
    if not elf.has_dwarf_info():
        return None, None
    for unit in elf.get_dwarf_info().iter_CUs():
        attributes = unit.get_top_DIE().attributes
        values = [attributes.get(name) for name in ("DW_AT_comp_dir", "DW_AT_producer")]
        comp_dir, producer = (
            v.value if v is not None and isinstance(v.value, bytes) else None for v in values
        )
        return comp_dir, producer
    return None, None


def _functions(elf: ELFFile) -> tuple[str, ...]:
    symtab = elf.get_section_by_name(".symtab")
    if not isinstance(symtab, SymbolTableSection):
        return ()
    named = [
        (symbol["st_value"], symbol.name)
        for symbol in symtab.iter_symbols()
        if symbol["st_info"]["type"] == "STT_FUNC" and symbol.name and symbol["st_value"]
    ]
    return tuple(name for _, name in sorted(named))


def debug_detail(vendor: ElfFacts, rebuilt: ElfFacts) -> str:
    """What differs in the DWARF, as far as the first unit's comp_dir and producer tell."""
    parts = []
    if vendor.comp_dir != rebuilt.comp_dir:
        parts.append(f"DW_AT_comp_dir {_text(vendor.comp_dir)} → {_text(rebuilt.comp_dir)}")
    if vendor.producer != rebuilt.producer:
        parts.append(f"DW_AT_producer {_text(vendor.producer)} → {_text(rebuilt.producer)}")
    return "; ".join(parts) or "DWARF differs (same comp_dir and producer)"


def different_causes(pair: FilePair, vendor: ElfFacts, rebuilt: ElfFacts) -> list[Cause]:
    """The causes of an ELF pair `assay equiv` found different: build paths of different
    lengths, another order of the same sections or functions, or the differing sections."""
    found = [
        c.cause(c.BUILD_PATH_LENGTH, d.detail)
        for d in pair.differences
        if d.section == BUILD_PATH_LENGTHS
    ]
    found.extend(_ordering(vendor, rebuilt))
    if not found:
        sections = sorted({d.section for d in pair.differences})
        shown = ", ".join(sections[:SHOWN_SECTIONS])
        more = (
            f" and {len(sections) - SHOWN_SECTIONS} more" if len(sections) > SHOWN_SECTIONS else ""
        )
        found.append(c.cause(c.CODE_OR_DATA, f"differing: {shown}{more}"))
    return found


def _ordering(vendor: ElfFacts, rebuilt: ElfFacts) -> list[Cause]:
    found = []
    for what, a, b in (
        ("sections", vendor.sections, rebuilt.sections),
        ("functions", vendor.functions, rebuilt.functions),
    ):
        if a != b and sorted(a) == sorted(b):
            first = next(i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y)
            detail = f"the same {len(a)} {what} in another order, from {a[first]} / {b[first]}"
            found.append(c.cause(c.ORDERING, detail))
    return found


def _text(value: bytes | None) -> str:
    return "-" if value is None else value.decode(errors="replace")
