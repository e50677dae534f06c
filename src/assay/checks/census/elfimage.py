"""One ELF file as the census reads it (System V gABI): header, segments and sections through
pyelftools; the dynamic array, symbol tables and relocations unpacked in bulk with `struct`
(pyelftools builds one object per entry, which dominates the run time on large libraries)."""

import io
import struct
from collections.abc import Iterator
from dataclasses import dataclass

from elftools.common.exceptions import ELFError
from elftools.construct import ConstructError
from elftools.elf.elffile import ELFFile
from elftools.elf.enums import ENUM_E_MACHINE

from assay.checks.census import dynamic as dt

ELF_ERRORS = (
    ELFError,
    ConstructError,
    struct.error,
    ValueError,
    IndexError,
    KeyError,
    OSError,
    OverflowError,
    AttributeError,
    TypeError,
)
PT_LOAD, PT_DYNAMIC, PT_INTERP = "PT_LOAD", "PT_DYNAMIC", "PT_INTERP"
PF_X = 1
SHF_ALLOC, SHF_EXECINSTR = 2, 4
STT_NOTYPE, STT_FUNC, STT_GNU_IFUNC = 0, 2, 10
EM_MIPS = 8
MAX_SYMBOLS = 4_000_000


@dataclass(frozen=True, slots=True)
class Section:
    """A section header: name, type (pyelftools' `SHT_*` name), address, file range, flags."""

    name: str
    type: str
    address: int
    offset: int
    size: int
    flags: int
    link: int


@dataclass(frozen=True, slots=True)
class Symbol:
    """A symbol table entry (type and binding split out of st_info)."""

    name: str
    value: int
    size: int
    type: int
    other: int
    shndx: int

    @property
    def defined(self) -> bool:
        """Defined in this file (not SHN_UNDEF)."""
        return self.shndx != 0


@dataclass(frozen=True, slots=True)
class Relocation:
    """A relocation: where it applies, its type, its symbol index, its addend (None for REL)."""

    offset: int
    type: int
    symbol: int
    addend: int | None


class ElfImage:
    """Parsed view over an ELF file's bytes; raises one of ELF_ERRORS when the headers are
    unusable. Sections are optional (sstrip removes them): the dynamic segment is read from the
    program headers, as the loader does."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        elf = ELFFile(io.BytesIO(data))
        self.bits = elf.elfclass
        self.little = elf.little_endian
        self.order = "<" if self.little else ">"
        self.word = self.bits // 8
        header = elf.header
        self.machine = int(_machine_number(header["e_machine"]))
        self.flags = int(header["e_flags"])
        self.entry = int(header["e_entry"])
        segments = list(elf.iter_segments())
        self.loads = [
            (int(s["p_vaddr"]), int(s["p_filesz"]), int(s["p_offset"]), int(s["p_flags"]))
            for s in segments
            if s["p_type"] == PT_LOAD
        ]
        self.has_interp = any(s["p_type"] == PT_INTERP for s in segments)
        dynamic = [s for s in segments if s["p_type"] == PT_DYNAMIC]
        self.has_dynamic = bool(dynamic)
        self.dynamic = (
            self._dynamic(int(dynamic[0]["p_offset"]), int(dynamic[0]["p_filesz"]))
            if dynamic
            else {}
        )
        self.sections = _sections(elf)
        self._symtab: list[Symbol] | None = None
        self._dynsym: list[Symbol] | None = None
        self._relocations_cache: list[Relocation] | None = None

    # --- bytes ------------------------------------------------------------------------------

    def file_bytes(self, offset: int, size: int) -> bytes:
        """Up to `size` bytes at a file offset (fewer at the end of the file)."""
        if offset < 0 or size <= 0 or offset >= len(self.data):
            return b""
        return self.data[offset : offset + size]

    def read(self, address: int, size: int) -> bytes:
        """Up to `size` bytes at a virtual address, from the PT_LOAD segment that maps it."""
        for vaddr, filesz, offset, _ in self.loads:
            if vaddr <= address < vaddr + filesz:
                return self.file_bytes(
                    offset + address - vaddr, min(size, vaddr + filesz - address)
                )
        return b""

    def read_word(self, address: int) -> int | None:
        """The pointer-sized word at a virtual address."""
        raw = self.read(address, self.word)
        if len(raw) != self.word:
            return None
        return int(struct.unpack(self.order + ("I" if self.word == 4 else "Q"), raw)[0])

    def section(self, name: str) -> Section | None:
        """The first section of that name."""
        return next((s for s in self.sections if s.name == name), None)

    def code_regions(self) -> Iterator[tuple[str, int, bytes]]:
        """(name, address, bytes) of every executable section, or of every executable PT_LOAD
        segment when there are no section headers."""
        executable = [
            s
            for s in self.sections
            if s.flags & SHF_EXECINSTR and s.type != "SHT_NOBITS" and s.size > 0
        ]
        if executable:
            for s in executable:
                yield s.name, s.address, self.file_bytes(s.offset, s.size)
            return
        for vaddr, filesz, offset, flags in self.loads:
            if flags & PF_X and filesz > 0:
                yield f"segment@{vaddr:#x}", vaddr, self.file_bytes(offset, filesz)

    # --- symbols ----------------------------------------------------------------------------

    @property
    def symtab(self) -> list[Symbol]:
        """The static symbol table (empty when stripped)."""
        if self._symtab is None:
            self._symtab = self._section_symbols("SHT_SYMTAB")
        return self._symtab

    @property
    def dynsym(self) -> list[Symbol]:
        """The dynamic symbol table, located through DT_SYMTAB (or `.dynsym`)."""
        if self._dynsym is None:
            self._dynsym = self._dynamic_symbols()
        return self._dynsym

    def _section_symbols(self, kind: str) -> list[Symbol]:
        table = next((s for s in self.sections if s.type == kind), None)
        if table is None or table.link >= len(self.sections):
            return []
        strings = self.sections[table.link]
        return self._symbols(
            self.file_bytes(table.offset, table.size),
            self.file_bytes(strings.offset, strings.size),
        )

    def _dynamic_symbols(self) -> list[Symbol]:
        address = self.dynamic.get(dt.SYMTAB)
        strtab = self.dynamic.get(dt.STRTAB)
        if address is None or strtab is None:
            return self._section_symbols("SHT_DYNSYM")
        entry = 16 if self.bits == 32 else 24
        count = self._dynamic_symbol_count(address, entry)
        return self._symbols(
            self.read(address, count * entry), self.read(strtab, self.dynamic.get(dt.STRSZ, 0))
        )

    def _dynamic_symbol_count(self, address: int, entry: int) -> int:
        """`.dynsym`'s size; else DT_HASH's or DT_MIPS_SYMTABNO's exact count; else the gap up
        to DT_STRTAB (linkers place .dynstr right after .dynsym), checked against the highest
        index DT_GNU_HASH and the relocations reach (GNU hash leaves imports out)."""
        section = next((s for s in self.sections if s.type == "SHT_DYNSYM"), None)
        if section is not None:
            return section.size // entry
        exact = dt.exact_symbol_count(self)
        if exact is not None:
            return min(exact, MAX_SYMBOLS)
        reached = max(
            dt.gnu_hash_count(self) or 0,
            max((r.symbol + 1 for r in self.relocations()), default=0),
        )
        strtab = self.dynamic.get(dt.STRTAB, 0)
        gap = (strtab - address) // entry if strtab > address else 0
        return min(gap if gap >= reached else reached, MAX_SYMBOLS)

    def _symbols(self, raw: bytes, strings: bytes) -> list[Symbol]:
        if self.bits == 32:
            layout, size = self.order + "IIIBBH", 16
            rows = (
                (name, value, sz, info, other, shndx)
                for name, value, sz, info, other, shndx in struct.iter_unpack(
                    layout, raw[: len(raw) - len(raw) % size]
                )
            )
        else:
            layout, size = self.order + "IBBHQQ", 24
            rows = (
                (name, value, sz, info, other, shndx)
                for name, info, other, shndx, value, sz in struct.iter_unpack(
                    layout, raw[: len(raw) - len(raw) % size]
                )
            )
        return [
            Symbol(_string(strings, name), value, sz, info & 0xF, other, shndx)
            for name, value, sz, info, other, shndx in rows
        ]

    # --- relocations ------------------------------------------------------------------------

    def relocations(self) -> list[Relocation]:
        """Dynamic relocations (cached)."""
        if self._relocations_cache is None:
            self._relocations_cache = self._read_relocations()
        return self._relocations_cache

    def _read_relocations(self) -> list[Relocation]:
        """Dynamic relocations (DT_JMPREL, DT_RELA, DT_REL), or for a static binary the allocated
        relocation sections (`.rela.plt`/`.rela.iplt` holding IRELATIVE entries)."""
        tables: list[tuple[bytes, bool]] = []
        if self.has_dynamic and self.dynamic:
            jmprel, size = self.dynamic.get(dt.JMPREL), self.dynamic.get(dt.PLTRELSZ, 0)
            if jmprel is not None:
                tables.append((self.read(jmprel, size), self.dynamic.get(dt.PLTREL) == dt.RELA))
            for start, length, rela in ((dt.RELA, dt.RELASZ, True), (dt.REL, dt.RELSZ, False)):
                if start in self.dynamic:
                    raw = self.read(self.dynamic[start], self.dynamic.get(length, 0))
                    tables.append((raw, rela))
        else:
            for s in self.sections:
                if s.type in ("SHT_RELA", "SHT_REL") and s.flags & SHF_ALLOC:
                    tables.append((self.file_bytes(s.offset, s.size), s.type == "SHT_RELA"))
        return [r for raw, rela in tables for r in self._relocations(raw, rela)]

    def _relocations(self, raw: bytes, rela: bool) -> Iterator[Relocation]:
        if self.bits == 64 and self.machine == EM_MIPS:
            layout = self.order + ("QIBBBBq" if rela else "QIBBBB")
            for fields in _unpack(layout, raw):
                yield Relocation(fields[0], fields[5], fields[1], fields[6] if rela else None)
            return
        shift, mask = (8, 0xFF) if self.bits == 32 else (32, 0xFFFFFFFF)
        word = "I" if self.bits == 32 else "Q"
        signed = "i" if self.bits == 32 else "q"
        layout = self.order + (word * 2 + signed if rela else word * 2)
        for fields in _unpack(layout, raw):
            info = fields[1]
            yield Relocation(fields[0], info & mask, info >> shift, fields[2] if rela else None)

    def _dynamic(self, offset: int, size: int) -> dict[int, int]:
        word = "i" if self.bits == 32 else "q"
        layout = self.order + word + word.upper()
        tags: dict[int, int] = {}
        for tag, value in _unpack(layout, self.file_bytes(offset, size)):
            if tag == dt.NULL:
                break
            tags.setdefault(tag, value)
            if tag == dt.NEEDED:
                tags[dt.NEEDED_COUNT] = tags.get(dt.NEEDED_COUNT, 0) + 1
        return tags


def _machine_number(machine: object) -> int:
    if isinstance(machine, int):
        return machine
    return int(ENUM_E_MACHINE.get(str(machine), -1))


def _sections(elf: ELFFile) -> list[Section]:
    try:
        return [
            Section(
                name=s.name,
                type=str(s["sh_type"]),
                address=int(s["sh_addr"]),
                offset=int(s["sh_offset"]),
                size=int(s["sh_size"]),
                flags=int(s["sh_flags"]),
                link=int(s["sh_link"]),
            )
            for s in elf.iter_sections()
        ]
    except ELF_ERRORS:
        return []


def _unpack(layout: str, raw: bytes) -> Iterator[tuple[int, ...]]:
    size = struct.calcsize(layout)
    return struct.iter_unpack(layout, raw[: len(raw) - len(raw) % size])


def _string(strings: bytes, offset: int) -> str:
    if offset >= len(strings):
        return ""
    end = strings.find(b"\x00", offset)
    return strings[offset : end if end >= 0 else len(strings)].decode("utf-8", "replace")
