"""Section-by-section comparison of two ELF files: headers and segments must match, every section
must be byte-equal after the named normalisers, and differing code is explained per function."""

from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from elftools.common.exceptions import ELFError
from elftools.elf.elffile import ELFFile
from elftools.elf.sections import Section

from assay.equivalence.codediff import code_differences
from assay.equivalence.disassembly import code_of
from assay.equivalence.normalise import (
    NORMALISERS,
    BuildContext,
    SectionPair,
    ignorable_section,
    normalise,
)
from assay.equivalence.sectionindex import (
    SECTION_NAMES,
    linked,
    same_names_but_ignorable,
    same_symbols,
)
from assay.equivalence.verdict import Difference

HEADER_FIELDS = ("e_type", "e_machine", "e_version", "e_entry", "e_flags", "e_phnum")
SEGMENT_FIELDS = ("p_type", "p_offset", "p_vaddr", "p_filesz", "p_memsz", "p_flags", "p_align")
SECTION_FIELDS = ("sh_type", "sh_flags", "sh_addr", "sh_size")
LINK_FIELDS = ("sh_link", "sh_info")
SHF_EXECINSTR = 0x4
BUILD_PATH_LENGTHS = "build paths"


@dataclass(frozen=True, slots=True)
class ElfComparison:
    """The normalisations a pair of ELF files needed, and what still differs."""

    normalisations: tuple[str, ...]
    differences: tuple[Difference, ...]


def compare_elf(
    vendor: Path, rebuilt: Path, build_roots: tuple[tuple[bytes, bytes], ...] = ()
) -> ElfComparison:
    """Compare two ELF files; a file pyelftools cannot read differs as a whole."""
    with open(vendor, "rb") as left_file, open(rebuilt, "rb") as right_file:
        try:
            left, right = ELFFile(left_file), ELFFile(right_file)
            return _Comparer(left, right, left_file, right_file, build_roots).run()
        except (ELFError, ValueError, OSError) as err:
            return ElfComparison((), (Difference("ELF", f"unreadable ELF: {err}"),))


class _Comparer:
    """One comparison's state: both files, the normalisations used, the differences found."""

    def __init__(
        self,
        left: ELFFile,
        right: ELFFile,
        left_file: BinaryIO,
        right_file: BinaryIO,
        build_roots: tuple[tuple[bytes, bytes], ...],
    ) -> None:
        self.left, self.right = left, right
        self.files = (left_file, right_file)
        comp_dirs = (_comp_dir(left), _comp_dir(right))
        roots = build_roots + _dwarf_roots(*comp_dirs)
        self.context = BuildContext(left.little_endian, roots)
        self.unequal_roots = _unequal_roots(build_roots, comp_dirs)
        self.applied: list[str] = []
        self.found: list[Difference] = []

    def run(self) -> ElfComparison:
        """Headers, segments, sections, then the bytes between sections."""
        if (self.left.elfclass, self.left.little_endian) != (
            self.right.elfclass,
            self.right.little_endian,
        ):
            self.found.append(Difference("ELF header", "class or byte order differs"))
            return self._result()
        self._headers()
        left_sections, right_sections = _sections(self.left), _sections(self.right)
        self.index_names = (
            {index: name for name, (index, _) in left_sections.items()},
            {index: name for name, (index, _) in right_sections.items()},
        )
        self.name_table = (self.left["e_shstrndx"], self.right["e_shstrndx"])
        for name in left_sections.keys() | right_sections.keys():
            self._section(name, left_sections.get(name), right_sections.get(name))
        self._padding()
        return self._result()

    def _result(self) -> ElfComparison:
        rank = [n.name for n in NORMALISERS] + [SECTION_NAMES, "section-padding"]
        names = tuple(sorted(set(self.applied), key=rank.index))
        if self.found and self.unequal_roots:
            self.found.append(Difference(BUILD_PATH_LENGTHS, _length_detail(self.unequal_roots)))
        ordered = sorted(self.found, key=lambda d: (d.section, d.function or ""))
        return ElfComparison(names, tuple(ordered))

    def _headers(self) -> None:
        for name in HEADER_FIELDS:
            if self.left[name] != self.right[name]:
                detail = f"{name} {self.left[name]} → {self.right[name]}"
                self.found.append(Difference("ELF header", detail))
        for number, (a, b) in enumerate(
            zip(self.left.iter_segments(), self.right.iter_segments(), strict=False)
        ):
            changed = [f for f in SEGMENT_FIELDS if a[f] != b[f]]
            if changed:
                detail = f"segment {number} ({a['p_type']}): " + ", ".join(
                    f"{f} 0x{a[f]:x} → 0x{b[f]:x}" if isinstance(a[f], int) else f for f in changed
                )
                self.found.append(Difference("program headers", detail))

    def _section(
        self, name: str, a: tuple[int, Section] | None, b: tuple[int, Section] | None
    ) -> None:
        if a is None or b is None:
            self._one_side(name, b is None)
            return
        (left_index, left), (right_index, right) = a, b
        if (left_index, right_index) == self.name_table and self._renumbered(left, right):
            return
        if ignorable_section(name) is None:
            self._section_header(name, left, right)
        if left["sh_type"] == "SHT_NOBITS" and right["sh_type"] == "SHT_NOBITS":
            return
        if self._symbols_renumbered(left, right):
            return
        executable = bool(left["sh_flags"] & SHF_EXECINSTR)
        note = left["sh_type"] == "SHT_NOTE"
        pair = SectionPair(name, left.data(), right.data(), executable, note)
        if pair.vendor == pair.rebuilt:
            return
        vendor_rest, rebuilt_rest, applied = normalise(pair, self.context)
        self.applied.extend(applied)
        if vendor_rest == rebuilt_rest:
            return
        if executable:
            vendor_code = code_of(self.left, left, left_index)
            rebuilt_code = code_of(self.right, right, right_index)
            self.found.extend(code_differences(name, vendor_code, rebuilt_code))
        else:
            self.found.append(Difference(name, _bytes_detail(vendor_rest, rebuilt_rest)))

    def _one_side(self, name: str, vendor_only: bool) -> None:
        benign = ignorable_section(name)
        if benign is not None:
            self.applied.append(benign)
        else:
            side = "vendor's" if vendor_only else "rebuilt"
            self.found.append(Difference(name, f"section only in the {side} file"))

    def _symbols_renumbered(self, left: Section, right: Section) -> bool:
        """A static symbol table that differs only by moved section numbers."""
        if left["sh_type"] != "SHT_SYMTAB" or left.data() == right.data():
            return False
        if not same_symbols(left, right, *self.index_names):
            return False
        self.applied.append(SECTION_NAMES)
        return True

    def _section_header(self, name: str, left: Section, right: Section) -> None:
        changed = [f"{f} {left[f]} → {right[f]}" for f in SECTION_FIELDS if left[f] != right[f]]
        for field in LINK_FIELDS:
            before = linked(left, field, self.index_names[0])
            after = linked(right, field, self.index_names[1])
            if before != after:
                changed.append(f"{field} {before} → {after}")
            elif left[field] != right[field]:
                self.applied.append(SECTION_NAMES)
        if changed:
            self.found.append(Difference(name, f"section header: {', '.join(changed)}"))

    def _renumbered(self, left: Section, right: Section) -> bool:
        """The section-name tables differ only by names of sections allowed on one side."""
        if left.data() == right.data():
            return False
        if not same_names_but_ignorable(left.data(), right.data()):
            return False
        self.applied.append(SECTION_NAMES)
        return True

    def _padding(self) -> None:
        """Bytes no header or section covers: inside a loaded segment they must match; outside
        they are section padding."""
        left_gaps = _gaps(self.left, self.files[0])
        right_gaps = _gaps(self.right, self.files[1])
        if left_gaps[0] != right_gaps[0]:
            self.found.append(Difference("padding", "bytes between sections of a loaded segment"))
        if left_gaps[1] != right_gaps[1]:
            self.applied.append("section-padding")


def _sections(elf: ELFFile) -> dict[str, tuple[int, Section]]:
    """Sections by name (repeated names numbered), without the null section."""
    named: dict[str, tuple[int, Section]] = {}
    for index, section in enumerate(elf.iter_sections()):
        if section["sh_type"] == "SHT_NULL":
            continue
        name = section.name or f"[{index}]"
        while name in named:
            name += "'"
        named[name] = (index, section)
    return named


def _gaps(elf: ELFFile, handle: BinaryIO) -> tuple[bytes, bytes]:
    """The uncovered bytes inside loaded segments, and those outside them."""
    header = elf.header
    covered = [(0, header["e_ehsize"])]
    covered.append(
        (header["e_phoff"], header["e_phoff"] + header["e_phnum"] * header["e_phentsize"])
    )
    covered.append(
        (header["e_shoff"], header["e_shoff"] + header["e_shnum"] * header["e_shentsize"])
    )
    for section in elf.iter_sections():
        if section["sh_type"] not in ("SHT_NOBITS", "SHT_NULL"):
            covered.append((section["sh_offset"], section["sh_offset"] + section["sh_size"]))
    loads = [
        (s["p_offset"], s["p_offset"] + s["p_filesz"])
        for s in elf.iter_segments()
        if s["p_type"] == "PT_LOAD"
    ]
    handle.seek(0)
    data = handle.read()
    inside, outside = bytearray(), bytearray()
    position = 0
    for start, end in [*sorted(covered), (len(data), len(data))]:
        if start > position:
            for offset in range(position, start):
                loaded = any(a <= offset < b for a, b in loads)
                (inside if loaded else outside).append(data[offset])
        position = max(position, end)
    return bytes(inside), bytes(outside)


def _bytes_detail(vendor: bytes, rebuilt: bytes) -> str:
    first = next(
        (i for i, (a, b) in enumerate(zip(vendor, rebuilt, strict=False)) if a != b),
        min(len(vendor), len(rebuilt)),
    )
    count = sum(1 for a, b in zip(vendor, rebuilt, strict=False) if a != b)
    count += abs(len(vendor) - len(rebuilt))
    start = max(0, first - 12)  # a little of what comes before, to recognise the string
    return (
        f"{count} byte(s) differ from offset 0x{first:x}: "
        f"{vendor[start : first + 16]!r} → {rebuilt[start : first + 16]!r}"
    )


def _unequal_roots(
    given: tuple[tuple[bytes, bytes], ...], comp_dirs: tuple[bytes | None, bytes | None]
) -> tuple[tuple[bytes, bytes], ...]:
    """The build directories, given or from DW_AT_comp_dir, whose two sides differ in length."""
    vendor, rebuilt = comp_dirs
    known = given + (((vendor, rebuilt),) if vendor and rebuilt else ())
    return tuple(dict.fromkeys((a, b) for a, b in known if len(a) != len(b)))


def _length_detail(roots: tuple[tuple[bytes, bytes], ...]) -> str:
    shown = ", ".join(
        f"{a.decode(errors='replace')} ({len(a)} bytes) → {b.decode(errors='replace')} "
        f"({len(b)} bytes)"
        for a, b in roots
    )
    return (
        f"build directories differ in length: {shown}; each embedded path moves the data that "
        "follows it, so the comparison could not normalise them: rebuild in a directory of the "
        "same length, or with -ffile-prefix-map=BUILD_DIR=."
    )


def _dwarf_roots(a: bytes | None, b: bytes | None) -> tuple[tuple[bytes, bytes], ...]:
    """Build directories from DW_AT_comp_dir, trimmed of their common tail (same project)."""
    if not a or not b or a == b:
        return ()
    while a and b and a[-1:] == b[-1:]:
        a, b = a[:-1], b[:-1]
    cut_a, cut_b = a.rfind(b"/"), b.rfind(b"/")
    return ((a, b),) if a and b and cut_a == cut_b else ()


def _comp_dir(elf: ELFFile) -> bytes | None:
    try:
        if not elf.has_dwarf_info():
            return None
        for unit in elf.get_dwarf_info().iter_CUs():
            value = unit.get_top_DIE().attributes.get("DW_AT_comp_dir")
            if value is not None and isinstance(value.value, bytes):
                return value.value
    except (ELFError, ValueError, KeyError, IndexError):
        return None
    return None
