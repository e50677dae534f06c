"""cpio archives in the four header formats of GNU cpio's manual ("Archive Formats") and the Linux
kernel's initramfs buffer format: SVR4 "newc" (070701) and "crc" (070702), POSIX.1 "odc"
(070707), and the old binary format (0o070707 as a 16-bit word) in either byte order. Parsed by
hand, member by member, every write through the SafeFS."""

import mmap
import re
import stat
import struct
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from assay.extract.base import Blob, ExtractContext, ExtractionError, Extractor, Signature
from assay.extract.safefs import SafeFS
from assay.model.problem import ProblemKind, ProblemLevel

NEWC = b"070701"
CRC = b"070702"
ODC = b"070707"
BINARY_LE = b"\xc7\x71"
BINARY_BE = b"\x71\xc7"
TRAILER = b"TRAILER!!!"
NEWC_SIZE = 110
ODC_SIZE = 76
BINARY_SIZE = 26
ODC_WIDTHS = (6, 6, 6, 6, 6, 6, 6, 11, 6, 11)
BLOCK = 512
CHUNK = 1024 * 1024
MAX_NAME = 64 * 1024
MAX_LINK = 4096
FILE_TYPES = frozenset(
    {stat.S_IFREG, stat.S_IFDIR, stat.S_IFLNK, stat.S_IFCHR, stat.S_IFBLK, stat.S_IFIFO}
    | {stat.S_IFSOCK}
)
_HEX = re.compile(rb"[0-9A-Fa-f]{104}")
_OCTAL = re.compile(rb"[0-7]{70}")
_NOT_ZERO = re.compile(rb"[^\x00]")


class Corrupt(Exception):
    """The bytes at `offset` are not a valid cpio header."""

    def __init__(self, offset: int, reason: str) -> None:
        super().__init__(f"{reason} at offset {offset:#x}")


@dataclass(frozen=True, slots=True)
class Entry:
    """One member header: where its data lies and where the next header starts."""

    name: bytes
    mode: int
    size: int
    nlink: int
    inode: tuple[int, ...]
    rdev: tuple[int, int]
    check: int
    data_start: int
    end: int
    with_checksum: bool = False


def _align(value: int, to: int) -> int:
    return (value + to - 1) // to * to


def _name(data: Blob, position: int, size: int) -> bytes:
    if not 0 < size <= MAX_NAME:
        raise Corrupt(position, f"implausible name size {size}")
    raw = bytes(data[position : position + size])
    if len(raw) < size or raw[-1] != 0:
        raise Corrupt(position, "member name is not NUL-terminated")
    return raw[:-1]


def _checked(entry: Entry, position: int) -> Entry:
    if entry.name != TRAILER and stat.S_IFMT(entry.mode) not in FILE_TYPES:
        raise Corrupt(position, f"unknown file type in mode {entry.mode:#o}")
    return entry


def _newc(data: Blob, position: int, start: int) -> Entry:
    raw = bytes(data[position : position + NEWC_SIZE])
    if len(raw) < NEWC_SIZE or not _HEX.fullmatch(raw, 6):
        raise Corrupt(position, "invalid newc header")
    ino, mode, _, _, nlink, _, size, dmaj, dmin, rmaj, rmin, namesize, check = (
        int(raw[i : i + 8], 16) for i in range(6, NEWC_SIZE, 8)
    )
    name = _name(data, position + NEWC_SIZE, namesize)
    data_start = start + _align(position + NEWC_SIZE + namesize - start, 4)
    end = start + _align(data_start + size - start, 4)
    entry = Entry(name, mode, size, nlink, (dmaj, dmin, ino), (rmaj, rmin), check, data_start, end)
    return _checked(entry, position)


def _crc(data: Blob, position: int, start: int) -> Entry:
    return replace(_newc(data, position, start), with_checksum=True)


def _odc(data: Blob, position: int, start: int) -> Entry:
    raw = bytes(data[position : position + ODC_SIZE])
    if len(raw) < ODC_SIZE or not _OCTAL.fullmatch(raw, 6):
        raise Corrupt(position, "invalid odc header")
    fields, offset = [], 6
    for width in ODC_WIDTHS:
        fields.append(int(raw[offset : offset + width], 8))
        offset += width
    dev, ino, mode, _, _, nlink, rdev, _, namesize, size = fields
    name = _name(data, position + ODC_SIZE, namesize)
    data_start = position + ODC_SIZE + namesize
    entry = Entry(
        name, mode, size, nlink, (dev, ino), _split_dev(rdev), 0, data_start, data_start + size
    )
    return _checked(entry, position)


def _binary(data: Blob, position: int, start: int) -> Entry:
    raw = bytes(data[position : position + BINARY_SIZE])
    if len(raw) < BINARY_SIZE:
        raise Corrupt(position, "truncated binary header")
    order = "<" if raw[:2] == BINARY_LE else ">"
    fields = struct.unpack(order + "13H", raw)
    _, dev, ino, mode, _, _, nlink, rdev, _, _, namesize, size_high, size_low = fields
    size = size_high << 16 | size_low
    name = _name(data, position + BINARY_SIZE, namesize)
    data_start = start + _align(position + BINARY_SIZE + namesize - start, 2)
    end = start + _align(data_start + size - start, 2)
    entry = Entry(name, mode, size, nlink, (dev, ino), _split_dev(rdev), 0, data_start, end)
    return _checked(entry, position)


def _split_dev(rdev: int) -> tuple[int, int]:
    return rdev >> 8, rdev & 0xFF


_PARSERS = {NEWC: _newc, CRC: _crc, ODC: _odc, BINARY_LE: _binary, BINARY_BE: _binary}


def _magic(data: Blob, position: int) -> bytes | None:
    head = bytes(data[position : position + 6])
    if head in (NEWC, CRC, ODC):
        return head
    if head[:2] in (BINARY_LE, BINARY_BE):
        return head[:2]
    return None


def walk(data: Blob, start: int) -> Iterator[Entry]:
    """Every header from `start` up to and including the trailer; raise Corrupt at a bad one."""
    magic = _magic(data, start)
    if magic is None:
        raise Corrupt(start, "no cpio magic")
    parse = _PARSERS[magic]
    position = start
    while True:
        if _magic(data, position) != magic:
            raise Corrupt(position, "missing or different cpio header magic")
        entry = parse(data, position, start)
        if entry.data_start + entry.size > len(data):
            raise Corrupt(position, f"data of {entry.name!r} runs past the end of the input")
        yield entry
        if entry.name == TRAILER:
            return
        position = entry.end
        if position >= len(data):
            raise Corrupt(position, "archive ends without a TRAILER!!! entry")


def format_name(magic: bytes) -> str:
    """The name GNU cpio's -H option gives the header format starting with `magic`."""
    names = {NEWC: "newc", CRC: "crc", ODC: "odc", BINARY_LE: "bin (little-endian)"}
    return names.get(magic, "bin (big-endian)")


class CpioExtractor(Extractor):
    """Unpacks cpio archives of every header format, initramfs images included."""

    name = "cpio"
    description = "cpio archive (newc, crc, odc, old binary)"
    signatures = (Signature(NEWC), Signature(CRC), Signature(ODC))
    suffixes = (".cpio",)

    def identify(self, head: bytes, path: Path) -> bool:
        magic = _magic(head, 0)
        if magic is None:
            return False
        try:
            _PARSERS[magic](head, 0, 0)
        except Corrupt:
            return False
        return True

    def measure(self, data: Blob, start: int) -> int | None:
        end: int | None = None
        try:
            for entry in walk(data, start):
                end = min(entry.end, len(data))
        except Corrupt:
            return None if end is None else end - start
        if end is None:
            return None
        padded = start + _align(end - start, BLOCK)
        if end < padded <= len(data) and not bytes(data[end:padded]).strip(b"\x00"):
            end = padded
        return end - start

    def extract(self, src: Path, fs: SafeFS, ctx: ExtractContext) -> None:
        if src.stat().st_size == 0:
            raise ExtractionError("empty file")
        with (
            open(src, "rb") as handle,
            mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data,
        ):
            ctx.metadata["cpio_format"] = format_name(_magic(data, 0) or b"")
            start: int | None = 0
            while start is not None:
                end = _archive(data, start, fs, ctx)
                start = None if end is None else _next_archive(data, end, fs)


def _next_archive(data: mmap.mmap, end: int, fs: SafeFS) -> int | None:
    """Where the next of concatenated archives starts (initramfs images are often several,
    zero-padded); bytes after the last that are not padding are kept as one file for the
    recursion (e.g. a compressed main archive after an uncompressed microcode one)."""
    found = _NOT_ZERO.search(data, end)
    if found is None:
        return None
    if _magic(data, found.start()) is not None:
        return found.start()
    fs.write(f"0x{found.start():x}.appended", _slices(data, found.start(), len(data)))
    return None


def _archive(data: mmap.mmap, start: int, fs: SafeFS, ctx: ExtractContext) -> int | None:
    """Unpack the archive at `start`; the offset after its trailer, or None when it has none."""
    links = _HardLinks()
    count = 0
    end = None
    try:
        for entry in walk(data, start):
            ctx.deadline.check()
            if entry.name == TRAILER:
                end = entry.end
                break
            _member(data, entry, fs, ctx, links)
            count += 1
    except Corrupt as err:
        if not count and not start:
            raise ExtractionError(f"not a cpio archive: {err}") from err
        message = f"cpio archive is corrupt after {count} members: {err}"
        ctx.problem(ProblemKind.CORRUPT, message, level=ProblemLevel.ERROR)
    links.finish(fs)
    return end


def _member(
    data: mmap.mmap, entry: Entry, fs: SafeFS, ctx: ExtractContext, links: "_HardLinks"
) -> None:
    kind = stat.S_IFMT(entry.mode)
    if kind == stat.S_IFREG:
        links.regular(entry, data, fs)
    elif kind == stat.S_IFDIR:
        fs.mkdir(entry.name, entry.mode)
    elif kind == stat.S_IFLNK:
        if entry.size > MAX_LINK:
            ctx.problem(
                ProblemKind.INVALID_NAME,
                "symlink target is too long; not created",
                entry.name.decode("utf-8", "replace"),
            )
            return
        fs.symlink(entry.name, data[entry.data_start : entry.data_start + entry.size])
    else:
        fs.special(entry.name, _special(entry))


def _special(entry: Entry) -> str:
    kind = stat.S_IFMT(entry.mode)
    if kind in (stat.S_IFCHR, stat.S_IFBLK):
        what = "character device" if kind == stat.S_IFCHR else "block device"
        return f"{what} {entry.rdev[0]},{entry.rdev[1]}"
    return "FIFO" if kind == stat.S_IFIFO else "socket"


def _slices(data: mmap.mmap, start: int, end: int) -> Iterator[bytes]:
    for position in range(start, end, CHUNK):
        yield data[position : min(position + CHUNK, end)]


def _content(data: mmap.mmap, entry: Entry, fs: SafeFS) -> Iterator[bytes]:
    """The member's data in chunks; checks the crc format's byte sum once all is read."""
    total = 0
    for chunk in _slices(data, entry.data_start, entry.data_start + entry.size):
        if entry.with_checksum:
            total += sum(chunk)
        yield chunk
    if entry.with_checksum and total & 0xFFFFFFFF != entry.check:
        fs.report(
            ProblemKind.CORRUPT,
            ProblemLevel.ERROR,
            "crc format checksum mismatch",
            entry.name.decode("utf-8", "replace"),
        )


class _HardLinks:
    """newc and crc store a hard-linked file's data once, with its last name (GNU cpio) or its
    first; the names without data are linked to the name with it."""

    def __init__(self) -> None:
        self.with_data: dict[tuple[int, ...], bytes] = {}
        self.waiting: dict[tuple[int, ...], list[Entry]] = {}

    def regular(self, entry: Entry, data: mmap.mmap, fs: SafeFS) -> None:
        key = entry.inode
        if entry.nlink > 1 and entry.size == 0:
            first = self.with_data.get(key)
            if first is None:
                self.waiting.setdefault(key, []).append(entry)
            else:
                fs.hardlink(entry.name, first)
            return
        fs.write(entry.name, _content(data, entry, fs), entry.mode)
        if entry.nlink > 1:
            self.with_data.setdefault(key, entry.name)
            for other in self.waiting.pop(key, []):
                fs.hardlink(other.name, entry.name)

    def finish(self, fs: SafeFS) -> None:
        """Write the hard-linked names whose data never came: the file was empty."""
        for entries in self.waiting.values():
            for entry in entries:
                fs.write(entry.name, b"", entry.mode)
