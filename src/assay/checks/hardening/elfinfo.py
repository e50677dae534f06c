"""What the hardening properties are computed from, read from one ELF file: the ELF header and
program headers (pyelftools), the dynamic entries, section names and symbol names (elftables).
Nothing else of the file is decoded."""

import io
import struct
from dataclasses import dataclass

from elftools.common.exceptions import ELFError
from elftools.construct import ConstructError
from elftools.elf.elffile import ELFFile

from assay.checks.hardening.elftables import (
    SHT_DYNSYM,
    SHT_STRTAB,
    SHT_SYMTAB,
    Data,
    Layout,
    SectionHeader,
    SymbolNames,
    TableError,
    c_string,
    dynamic_entries,
    gnu_hash_count,
    section_headers,
    symbol_names,
    sysv_hash_count,
    window,
)
from assay.inventory.elf import elf_facts

PT_LOAD, PT_DYNAMIC, PT_INTERP = "PT_LOAD", "PT_DYNAMIC", "PT_INTERP"
PT_GNU_STACK, PT_GNU_RELRO = "PT_GNU_STACK", "PT_GNU_RELRO"
DT_NEEDED, DT_HASH, DT_STRTAB, DT_SYMTAB, DT_STRSZ = 1, 4, 5, 6, 10
DT_SONAME, DT_RPATH, DT_BIND_NOW, DT_RUNPATH, DT_FLAGS = 14, 15, 24, 29, 30
DT_GNU_HASH, DT_FLAGS_1, DT_MIPS_SYMTABNO = 0x6FFFFEF5, 0x6FFFFFFB, 0x70000011
PN_XNUM, SHN_XINDEX = 0xFFFF, 0xFFFF
HEADER_BYTES = 64
LOADABLE = frozenset({"ET_EXEC", "ET_DYN"})


class ElfReadError(Exception):
    """The file's ELF or program headers, or its dynamic array, cannot be read."""


@dataclass(frozen=True, slots=True)
class Segment:
    """One program header, as far as the hardening check needs it; `type` is pyelftools' name
    (`PT_GNU_STACK`), or the number as text for a type it does not know."""

    type: str
    flags: int
    offset: int
    vaddr: int
    filesz: int


@dataclass(frozen=True, slots=True)
class DynamicInfo:
    """The dynamic array's entries that bear on hardening."""

    entries: tuple[tuple[int, int], ...]
    needed: tuple[str, ...]
    soname: str | None
    rpath: str | None
    runpath: str | None

    def value(self, tag: int) -> int | None:
        """The value of the first entry with `tag`."""
        return next((value for t, value in self.entries if t == tag), None)

    def has(self, tag: int) -> bool:
        """True when an entry with `tag` is present."""
        return any(t == tag for t, _ in self.entries)


@dataclass(frozen=True, slots=True)
class ElfInfo:
    """The facts of one ELF file. `notes` says what could not be read (the file was assessed
    without it): e.g. a section header table outside the file."""

    machine: str
    bits: int
    endian: str
    elf_type: str
    interpreter: str | None
    gnu_stack_flags: int | None
    gnu_relro: bool
    dynamic: DynamicInfo | None
    section_names: frozenset[str]
    has_symtab: bool
    dynamic_symbols: SymbolNames
    static_symbols: SymbolNames
    notes: tuple[str, ...] = ()


def read_elf(data: Data) -> ElfInfo:
    """Read an ELF file's hardening facts from its bytes (or an mmap of them); ElfReadError when
    the headers the loader needs are missing or out of bounds."""
    facts = elf_facts(data[:HEADER_BYTES])
    if facts is None:
        raise ElfReadError("not an ELF file (bad magic, class or byte order)")
    try:
        return _Reader(data, facts.bits, facts.endian == "little").read(
            facts.machine, facts.elf_type
        )
    except (ELFError, ConstructError, TableError, struct.error, ValueError) as err:
        raise ElfReadError(str(err)) from err


class _Reader:
    """One pass over one file's tables."""

    def __init__(self, data: Data, bits: int, little: bool) -> None:
        self.data = data
        self.layout = Layout(bits, little)
        self.elf = ELFFile(io.BytesIO(bytes(data[:HEADER_BYTES]).ljust(HEADER_BYTES, b"\0")))
        self.header = self.elf.header
        self.notes: list[str] = []

    def read(self, machine: str, elf_type: str) -> ElfInfo:
        sections = self._sections()
        segments = self._segments(sections)
        dynamic = self._dynamic(segments, sections)
        by_type = {s.type: s for s in reversed(segments)}
        stack = by_type.get(PT_GNU_STACK)
        symtab = self._symbols_from_sections(sections, SHT_SYMTAB)
        dynsym = self._symbols_from_sections(sections, SHT_DYNSYM)
        if dynsym is None and dynamic is not None:
            dynsym = self._symbols_from_dynamic(dynamic, segments)
        return ElfInfo(
            machine=machine,
            bits=self.layout.bits,
            endian="little" if self.layout.little else "big",
            elf_type=elf_type,
            interpreter=self._interpreter(by_type.get(PT_INTERP)),
            gnu_stack_flags=stack.flags if stack is not None else None,
            gnu_relro=PT_GNU_RELRO in by_type,
            dynamic=dynamic,
            section_names=self._section_names(sections),
            has_symtab=symtab is not None,
            dynamic_symbols=dynsym or SymbolNames(),
            static_symbols=symtab or SymbolNames(),
            notes=tuple(self.notes),
        )

    def _sections(self) -> list[SectionHeader]:
        """The section header table, or none (with a note) when it cannot be used: the loader
        never reads it, so a bad table does not stop the assessment."""
        offset, size = self.header["e_shoff"], self.header["e_shentsize"]
        if offset == 0:
            return []
        expected = self.elf.structs.Elf_Shdr.sizeof()
        try:
            if size != expected:
                raise TableError(f"section header size {size}, expected {expected}")
            count = self.header["e_shnum"]
            if count == 0:
                count = section_headers(self.data, self.layout, offset, 1)[0].size
            return section_headers(self.data, self.layout, offset, count)
        except TableError as err:
            self.notes.append(f"section headers ignored: {err}")
            return []

    def _segments(self, sections: list[SectionHeader]) -> list[Segment]:
        count, size = self.header["e_phnum"], self.header["e_phentsize"]
        if count == PN_XNUM:
            count = sections[0].info if sections else 0
        if count == 0:
            if self.header["e_type"] in LOADABLE:
                raise ElfReadError("a program or library without program headers")
            return []
        record = self.elf.structs.Elf_Phdr
        if size != record.sizeof():
            raise ElfReadError(f"program header size {size}, expected {record.sizeof()}")
        table = window(self.data, self.header["e_phoff"], count * size)
        segments = []
        for at in range(0, len(table), size):
            entry = record.parse(table[at : at + size])
            segments.append(
                Segment(
                    type=str(entry["p_type"]),
                    flags=entry["p_flags"],
                    offset=entry["p_offset"],
                    vaddr=entry["p_vaddr"],
                    filesz=entry["p_filesz"],
                )
            )
        return segments

    def _interpreter(self, segment: Segment | None) -> str | None:
        if segment is None:
            return None
        return c_string(window(self.data, segment.offset, min(segment.filesz, 4096)), 0)

    def _dynamic(
        self, segments: list[Segment], sections: list[SectionHeader]
    ) -> DynamicInfo | None:
        segment = next((s for s in segments if s.type == PT_DYNAMIC), None)
        if segment is None:
            return None
        entries = dynamic_entries(self.data, self.layout, segment.offset, segment.filesz)
        strtab = self._dynamic_strings(entries, segments, sections)

        def strings(tag: int) -> tuple[str, ...]:
            found = []
            for t, value in entries:
                if t != tag:
                    continue
                if strtab is None:
                    raise ElfReadError("dynamic string table not found")
                found.append(c_string(self.data, strtab[0] + value, strtab[0] + strtab[1]))
            return tuple(found)

        soname, rpath, runpath = strings(DT_SONAME), strings(DT_RPATH), strings(DT_RUNPATH)
        return DynamicInfo(
            entries=tuple(entries),
            needed=strings(DT_NEEDED),
            soname=soname[0] if soname else None,
            rpath=rpath[0] if rpath else None,
            runpath=runpath[0] if runpath else None,
        )

    def _dynamic_strings(
        self,
        entries: list[tuple[int, int]],
        segments: list[Segment],
        sections: list[SectionHeader],
    ) -> tuple[int, int] | None:
        """(offset, size) of the dynamic string table: DT_STRTAB mapped through PT_LOAD, else
        the string table linked from the .dynsym section."""
        values = dict(reversed(entries))
        address, size = values.get(DT_STRTAB), values.get(DT_STRSZ)
        offset = _file_offset(segments, address) if address is not None else None
        if offset is not None:
            return offset, min(size or len(self.data), len(self.data) - offset)
        dynsym = next((s for s in sections if s.type == SHT_DYNSYM), None)
        if dynsym is not None and dynsym.link < len(sections):
            linked = sections[dynsym.link]
            return linked.offset, linked.size
        return None

    def _symbols_from_sections(
        self, sections: list[SectionHeader], kind: int
    ) -> SymbolNames | None:
        table = next((s for s in sections if s.type == kind), None)
        if table is None:
            return None
        try:
            if table.link >= len(sections) or sections[table.link].type != SHT_STRTAB:
                raise TableError(f"symbol table links to section {table.link}, not strings")
            strings = sections[table.link]
            return symbol_names(
                self.data, self.layout, (table.offset, table.size), (strings.offset, strings.size)
            )
        except TableError as err:
            self.notes.append(f"symbol table ignored: {err}")
            return None

    def _symbols_from_dynamic(
        self, dynamic: DynamicInfo, segments: list[Segment]
    ) -> SymbolNames | None:
        """The dynamic symbol table of a file without section headers, located and sized
        through the dynamic array (DT_SYMTAB, DT_STRTAB and a hash table)."""
        try:
            symtab = _file_offset(segments, dynamic.value(DT_SYMTAB))
            strtab = _file_offset(segments, dynamic.value(DT_STRTAB))
            if symtab is None or strtab is None:
                return None
            count = self._dynamic_symbol_count(dynamic, segments)
            entry = self.elf.structs.Elf_Sym.sizeof()
            strsz = dynamic.value(DT_STRSZ) or len(self.data) - strtab
            size = min(count * entry, len(self.data) - symtab)
            return symbol_names(self.data, self.layout, (symtab, size), (strtab, strsz))
        except TableError as err:
            self.notes.append(f"dynamic symbol table ignored: {err}")
            return SymbolNames()

    def _dynamic_symbol_count(self, dynamic: DynamicInfo, segments: list[Segment]) -> int:
        mips_count = dynamic.value(DT_MIPS_SYMTABNO)
        if mips_count is not None:
            return mips_count
        sysv = _file_offset(segments, dynamic.value(DT_HASH))
        if sysv is not None:
            return sysv_hash_count(self.data, self.layout, sysv)
        gnu = _file_offset(segments, dynamic.value(DT_GNU_HASH))
        if gnu is not None:
            return gnu_hash_count(self.data, self.layout, gnu)
        raise TableError("no hash table sizes the dynamic symbol table")

    def _section_names(self, sections: list[SectionHeader]) -> frozenset[str]:
        index = self.header["e_shstrndx"]
        if index == SHN_XINDEX and sections:
            index = sections[0].link
        if not sections or index >= len(sections):
            return frozenset()
        names = sections[index]
        try:
            table = window(self.data, names.offset, names.size)
        except TableError as err:
            self.notes.append(f"section names ignored: {err}")
            return frozenset()
        found = set()
        for section in sections[1:]:
            try:
                found.add(c_string(table, section.name))
            except TableError:
                continue
        return frozenset(found)


def _file_offset(segments: list[Segment], address: int | None) -> int | None:
    """Where the byte at virtual `address` sits in the file, through the PT_LOAD segments."""
    if address is None:
        return None
    for segment in segments:
        if segment.type == PT_LOAD and segment.vaddr <= address < segment.vaddr + segment.filesz:
            return segment.offset + (address - segment.vaddr)
    return None
