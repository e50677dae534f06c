"""Bulk decoding of the large ELF tables — section headers, dynamic entries, symbol tables and
the hash tables that size a dynamic symbol table — with `struct`, every offset bounds-checked
(System V gABI chapter 4; GNU hash as in glibc's dl-lookup.c)."""

import mmap
import struct
from collections.abc import Iterator
from dataclasses import dataclass

SHT_SYMTAB = 2
SHT_STRTAB = 3
SHT_DYNSYM = 11
SHN_UNDEF = 0
MAX_STRING = 4096
MAX_DYNAMIC_ENTRIES = 65536
MAX_SECTIONS = 65536

Data = bytes | mmap.mmap


class TableError(Exception):
    """A table lies outside the file or has an impossible shape."""


@dataclass(frozen=True, slots=True)
class Layout:
    """The word size and byte order of one ELF file, and the struct formats that follow."""

    bits: int
    little: bool

    def fmt(self, fields32: str, fields64: str) -> struct.Struct:
        """The struct for a record whose fields differ between ELFCLASS32 and ELFCLASS64."""
        return struct.Struct(
            ("<" if self.little else ">") + (fields64 if self.bits == 64 else fields32)
        )

    @property
    def word(self) -> int:
        """Bytes in an address-sized word."""
        return 8 if self.bits == 64 else 4


@dataclass(frozen=True, slots=True)
class SectionHeader:
    """The fields of a section header the hardening check uses."""

    name: int
    type: int
    offset: int
    size: int
    link: int
    info: int
    entsize: int


@dataclass(frozen=True, slots=True)
class SymbolNames:
    """Names in one symbol table: all of them, and those undefined here (imports)."""

    names: frozenset[str] = frozenset()
    undefined: frozenset[str] = frozenset()


def window(data: Data, offset: int, size: int) -> bytes:
    """`size` bytes at `offset`; TableError when any of them lies outside the file."""
    if offset < 0 or size < 0 or offset + size > len(data):
        raise TableError(f"{size} bytes at offset {offset:#x} lie outside the file")
    return data[offset : offset + size]


def c_string(data: Data, offset: int, end: int | None = None) -> str:
    """The NUL-terminated string at `offset` (at most MAX_STRING bytes, never past `end`)."""
    stop = min(len(data), offset + MAX_STRING, len(data) if end is None else end)
    if offset < 0 or offset >= stop:
        raise TableError(f"string offset {offset:#x} lies outside its table")
    nul = data.find(b"\0", offset, stop)
    return data[offset : stop if nul < 0 else nul].decode("utf-8", "surrogateescape")


def section_headers(data: Data, layout: Layout, offset: int, count: int) -> list[SectionHeader]:
    """The section header table, `count` entries at `offset`."""
    record = layout.fmt("10I", "2I4Q2I2Q")
    if count > MAX_SECTIONS:
        raise TableError(f"{count} section headers")
    headers = []
    for fields in record.iter_unpack(window(data, offset, count * record.size)):
        name, kind, _flags, _addr, off, size, link, info, _align, entsize = fields
        headers.append(SectionHeader(name, kind, off, size, link, info, entsize))
    return headers


def dynamic_entries(data: Data, layout: Layout, offset: int, size: int) -> list[tuple[int, int]]:
    """(d_tag, d_val) pairs of a dynamic array, up to and without DT_NULL."""
    record = layout.fmt("iI", "qQ")
    usable = min(size, len(data) - offset, MAX_DYNAMIC_ENTRIES * record.size)
    usable -= usable % record.size
    entries = []
    for tag, value in record.iter_unpack(window(data, offset, max(usable, 0))):
        if tag == 0:
            break
        entries.append((tag, value))
    return entries


def symbol_names(
    data: Data, layout: Layout, table: tuple[int, int], strings: tuple[int, int]
) -> SymbolNames:
    """Names in the symbol table at (offset, size) whose names are in the string table at
    (offset, size); the first, null symbol is skipped."""
    record = layout.fmt("3I2BH", "I2BH2Q")
    size = table[1] - table[1] % record.size
    raw = window(data, table[0], size)
    strtab = window(data, strings[0], strings[1])
    names: set[str] = set()
    undefined: set[str] = set()
    for name_at, shndx in _name_and_section(record, raw, layout.bits):
        if name_at == 0:
            continue
        try:
            name = c_string(strtab, name_at)
        except TableError:
            continue
        names.add(name)
        if shndx == SHN_UNDEF:
            undefined.add(name)
    return SymbolNames(frozenset(names), frozenset(undefined))


def _name_and_section(record: struct.Struct, raw: bytes, bits: int) -> Iterator[tuple[int, int]]:
    entries = record.iter_unpack(raw)
    next(entries, None)
    if bits == 64:
        for name_at, _info, _other, shndx, _value, _size in entries:
            yield name_at, shndx
    else:
        for name_at, _value, _size, _info, _other, shndx in entries:
            yield name_at, shndx


def sysv_hash_count(data: Data, layout: Layout, offset: int) -> int:
    """Symbols in a dynamic symbol table sized by its DT_HASH table (nchain)."""
    _nbucket, nchain = layout.fmt("2I", "2I").unpack(window(data, offset, 8))
    return int(nchain)


def gnu_hash_count(data: Data, layout: Layout, offset: int) -> int:
    """Symbols in a dynamic symbol table sized by its DT_GNU_HASH table: one past the last
    chain's end, the chain entry whose low bit is set."""
    word = layout.fmt("I", "I")
    nbuckets, symoffset, bloom_size, _shift = layout.fmt("4I", "4I").unpack(
        window(data, offset, 16)
    )
    buckets_at = offset + 16 + bloom_size * layout.word
    buckets = [b for (b,) in word.iter_unpack(window(data, buckets_at, nbuckets * 4))]
    last = max(buckets, default=0)
    if last < symoffset:
        return int(symoffset)
    chains_at = buckets_at + nbuckets * 4
    index = last
    while True:
        (value,) = word.unpack(window(data, chains_at + (index - symoffset) * 4, 4))
        if value & 1:
            return index + 1
        index += 1
