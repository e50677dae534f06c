"""Unix ar archives (the common format of ar(5) in binutils' and FreeBSD's manuals: "!<arch>\\n",
then 60-byte member headers), with GNU long names (a "//" name table and "/N" references) and BSD
long names ("#1/N", the name leading the data). Parsed by hand; symbol tables are skipped. Members
of the same name, usual in static libraries, are all kept: later ones get a ".N" suffix."""

import mmap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from assay.extract.base import Blob, ExtractContext, ExtractionError, Extractor, Signature
from assay.extract.safefs import SafeFS
from assay.model.problem import ProblemKind, ProblemLevel

MAGIC = b"!<arch>\n"
HEADER_SIZE = 60
HEADER_END = b"`\n"
GNU_NAMES = b"//"
BSD_LONG = b"#1/"
SYMBOL_TABLES = frozenset(
    {b"/", b"/SYM64/", b"__.SYMDEF", b"__.SYMDEF SORTED", b"__.SYMDEF_64", b"__.SYMDEF_64 SORTED"}
)
CHUNK = 1024 * 1024


class ArCorrupt(Exception):
    """The bytes at an offset are not a valid ar member header."""

    def __init__(self, offset: int, reason: str) -> None:
        super().__init__(f"{reason} at offset {offset:#x}")


@dataclass(frozen=True, slots=True)
class Record:
    """One member header as stored: raw name field, mode, where the data lies, where it ends."""

    raw_name: bytes
    mode: int
    data_start: int
    size: int
    end: int


@dataclass(frozen=True, slots=True)
class Member:
    """A member with its real name and the span of its data."""

    name: bytes
    mode: int
    data_start: int
    size: int


def _number(field: bytes, base: int, offset: int) -> int:
    text = field.strip(b" ")
    if not text:
        return 0
    digits = b"01234567" if base == 8 else b"0123456789"
    if text.strip(digits):
        raise ArCorrupt(offset, f"invalid number {field!r} in member header")
    return int(text, base)


def records(data: Blob, start: int) -> Iterator[Record]:
    """Every member header from the archive at `start`; raise ArCorrupt at a bad one."""
    if bytes(data[start : start + len(MAGIC)]) != MAGIC:
        raise ArCorrupt(start, "no ar magic")
    position = start + len(MAGIC)
    while position < len(data):
        raw = bytes(data[position : position + HEADER_SIZE])
        if len(raw) < HEADER_SIZE or raw[58:60] != HEADER_END:
            raise ArCorrupt(position, "invalid member header")
        size = _number(raw[48:58], 10, position)
        mode = _number(raw[40:48], 8, position)
        data_start = position + HEADER_SIZE
        if data_start + size > len(data):
            raise ArCorrupt(position, f"member {raw[:16].rstrip()!r} runs past the end")
        position = data_start + size + (size & 1)
        yield Record(raw[:16].rstrip(b" "), mode, data_start, size, min(position, len(data)))


def members(data: Blob, start: int) -> Iterator[Member]:
    """Every member with its long name resolved; symbol tables and the name table left out."""
    names = b""
    for record in records(data, start):
        if record.raw_name == GNU_NAMES:
            names = bytes(data[record.data_start : record.data_start + record.size])
            continue
        if record.raw_name in SYMBOL_TABLES:
            continue
        member = _resolve(data, record, names)
        if member.name not in SYMBOL_TABLES:
            yield member


def _resolve(data: Blob, record: Record, names: bytes) -> Member:
    raw, start, size = record.raw_name, record.data_start, record.size
    if raw.startswith(BSD_LONG) and raw[3:].isdigit():
        length = int(raw[3:])
        if length > size:
            raise ArCorrupt(start, "BSD long name is longer than the member")
        name = bytes(data[start : start + length]).rstrip(b"\x00")
        return Member(name, record.mode, start + length, size - length)
    if raw.startswith(b"/") and raw[1:].isdigit():
        offset = int(raw[1:])
        if offset >= len(names):
            raise ArCorrupt(start, "long name reference outside the name table")
        end = names.find(b"\n", offset)
        name = names[offset : end if end >= 0 else len(names)].rstrip(b"/")
        return Member(name, record.mode, start, size)
    name = raw[:-1] if raw.endswith(b"/") else raw
    return Member(name, record.mode, start, size)


def first_name(data: Blob, start: int) -> bytes | None:
    """The name of the first member of the archive at `start`, or None when it has none."""
    try:
        return next(members(data, start)).name
    except (ArCorrupt, StopIteration):
        return None


def extract_members(src: Path, fs: SafeFS, ctx: ExtractContext) -> None:
    """Write every member of the ar archive `src` as a file."""
    if src.stat().st_size < len(MAGIC) + HEADER_SIZE:
        raise ExtractionError("too short for an ar archive")
    with open(src, "rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
        seen: dict[bytes, int] = {}
        count = 0
        try:
            for member in members(data, 0):
                ctx.deadline.check()
                name = _unique(member.name, seen, ctx)
                fs.write(name, _content(data, member), member.mode or 0o644)
                count += 1
        except ArCorrupt as err:
            if not count:
                raise ExtractionError(f"not a readable ar archive: {err}") from err
            message = f"ar archive is corrupt after {count} members: {err}"
            ctx.problem(ProblemKind.CORRUPT, message, level=ProblemLevel.ERROR)


def _unique(name: bytes, seen: dict[bytes, int], ctx: ExtractContext) -> bytes:
    earlier = seen.get(name, 0)
    seen[name] = earlier + 1
    if not earlier:
        return name
    renamed = name + b".%d" % earlier
    message = f"{earlier} earlier member(s) have this name; written as {renamed.decode('latin-1')}"
    ctx.problem(ProblemKind.DUPLICATE_MEMBER, message, name.decode("utf-8", "replace"))
    return renamed


def _content(data: mmap.mmap, member: Member) -> Iterator[bytes]:
    end = member.data_start + member.size
    for position in range(member.data_start, end, CHUNK):
        yield data[position : min(position + CHUNK, end)]


class ArExtractor(Extractor):
    """Unpacks Unix ar archives (static libraries and the outer layer of packages)."""

    name = "ar"
    description = "Unix ar archive (GNU and BSD long names)"
    signatures = (Signature(MAGIC),)
    suffixes = (".a", ".ar")

    def measure(self, data: Blob, start: int) -> int | None:
        end: int | None = None
        try:
            for record in records(data, start):
                end = record.end
        except ArCorrupt:
            pass
        return None if end is None else end - start

    def extract(self, src: Path, fs: SafeFS, ctx: ExtractContext) -> None:
        extract_members(src, fs, ctx)
