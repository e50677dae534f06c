"""Section numbers that moved: a section added or removed by a benign normalisation (a `.comment`
objcopy added, a debug section stripped) renumbers the sections after it. Links between sections,
the section-name table and the static symbol table are compared by section *name* instead."""

from elftools.common.exceptions import ELFError
from elftools.elf.sections import Section, SymbolTableSection

from assay.equivalence.normalise import ignorable_section

SECTION_NAMES = "section-renumbering"
SHF_INFO_LINK = 0x40
INDEX_INFO_TYPES = ("SHT_REL", "SHT_RELA")
RESERVED = {0: "UNDEF", 0xFFF1: "ABS", 0xFFF2: "COMMON"}

IndexNames = dict[int, str]


def linked(section: Section, field: str, names: IndexNames) -> object:
    """`sh_link` (always a section number) or `sh_info` (a section number for relocation
    sections and SHF_INFO_LINK, else a count) as something comparable across renumbering."""
    value = section[field]
    is_index = field == "sh_link" or (
        section["sh_type"] in INDEX_INFO_TYPES or section["sh_flags"] & SHF_INFO_LINK
    )
    if not is_index or not value:
        return value
    return names.get(value, f"#{value}")


def same_names_but_ignorable(vendor: bytes, rebuilt: bytes) -> bool:
    """Whether two section-name tables name the same sections, apart from sections another
    normaliser allows on one side only."""
    return _names(vendor) == _names(rebuilt)


def _names(table: bytes) -> set[bytes]:
    return {
        name
        for name in table.split(b"\0")
        if name and ignorable_section(name.decode("latin-1")) is None
    }


def same_symbols(
    vendor: Section, rebuilt: Section, vendor_names: IndexNames, rebuilt_names: IndexNames
) -> bool:
    """Whether two static symbol tables hold the same symbols once the section numbers are read
    as the sections' names (the string offsets may differ; the names may not)."""
    if not isinstance(vendor, SymbolTableSection) or not isinstance(rebuilt, SymbolTableSection):
        return False
    try:
        if vendor.num_symbols() != rebuilt.num_symbols():
            return False
        for left, right in zip(vendor.iter_symbols(), rebuilt.iter_symbols(), strict=True):
            if _symbol(left, vendor_names) != _symbol(right, rebuilt_names):
                return False
    except (ELFError, ValueError, KeyError):
        return False
    return True


def _symbol(symbol: object, names: IndexNames) -> tuple[object, ...]:
    entry = symbol.entry  # type: ignore[attr-defined]
    index = entry["st_shndx"]
    section = (
        names.get(index, RESERVED.get(index, f"#{index}")) if isinstance(index, int) else index
    )
    return (
        symbol.name,  # type: ignore[attr-defined]
        entry["st_value"],
        entry["st_size"],
        entry["st_info"]["bind"],
        entry["st_info"]["type"],
        entry["st_other"]["visibility"],
        section,
    )
