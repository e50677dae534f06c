"""lzop files (the lzop 1.x file format: header, then blocks of LZO1X data with Adler-32/CRC-32
checksums, as read by lzop's p_lzo.c), concatenated files included. Header and blocks are parsed
here; each block is decompressed with python-lzo (lzo1x_decompress_safe)."""

import mmap
import zlib
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from pathlib import Path

import lzo

from assay.extract.base import Blob, ExtractContext, ExtractionError, Extractor, Signature
from assay.extract.formats._chain import chain_length
from assay.extract.safefs import SafeFS
from assay.extract.streams import output_name

MAGIC = b"\x89LZO\x00\r\n\x1a\n"
F_ADLER32_D = 0x0001
F_ADLER32_C = 0x0002
F_H_EXTRA_FIELD = 0x0040
F_CRC32_D = 0x0100
F_CRC32_C = 0x0200
F_H_FILTER = 0x0800
F_H_CRC32 = 0x1000
F_RESERVED = 0x000FC000
NEW_HEADER_VERSION = 0x0940
MIN_VERSION = 0x0900
LZO1X_METHODS = {1: "LZO1X-1", 2: "LZO1X-1(15)", 3: "LZO1X-999"}
MAX_BLOCK = 64 * 1024 * 1024
Checksum = Callable[[bytes], int]
CHECKSUM_FIELDS: tuple[tuple[int, Checksum, bool], ...] = (
    (F_ADLER32_D, zlib.adler32, False),
    (F_CRC32_D, zlib.crc32, False),
    (F_ADLER32_C, zlib.adler32, True),
    (F_CRC32_C, zlib.crc32, True),
)
"""The optional checksum fields of a block, in the order lzop writes them; a checksum of the
compressed data is present only when the block is compressed."""


class _Short(Exception):
    """The bytes end inside a header or block."""


class _Reader:
    """Reads big-endian fields from `data` at a moving position."""

    def __init__(self, data: Blob, position: int) -> None:
        self.data = data
        self.position = position

    def take(self, size: int) -> bytes:
        if self.position + size > len(self.data):
            raise _Short
        chunk = bytes(self.data[self.position : self.position + size])
        self.position += size
        return chunk

    def number(self, size: int) -> int:
        return int.from_bytes(self.take(size), "big")


@dataclass(frozen=True, slots=True)
class Header:
    """The fields of an lzop file header that decompression and the inventory need."""

    end: int
    method: int
    flags: int
    name: str
    mtime: int


@dataclass(frozen=True, slots=True)
class Block:
    """One block: its data's place and size, its uncompressed size, and its checksums as
    (algorithm, stored value, covers the compressed data) triples."""

    body: int
    stored: int
    size: int
    checksums: tuple[tuple[Checksum, int, bool], ...]


def parse_header(data: Blob, start: int) -> Header | None:
    """The header of the lzop file at `start`, or None when it is invalid or cut short."""
    if bytes(data[start : start + len(MAGIC)]) != MAGIC:
        return None
    try:
        return _header(data, start + len(MAGIC))
    except _Short:
        return None


def _header(data: Blob, start: int) -> Header | None:
    reader = _Reader(data, start)
    version = reader.number(2)
    reader.number(2)
    new = version >= NEW_HEADER_VERSION
    if version < MIN_VERSION or (new and reader.number(2) < MIN_VERSION):
        return None
    method = reader.number(1)
    level = reader.number(1) if new else 0
    flags = reader.number(4)
    if method not in LZO1X_METHODS or level > 9 or flags & F_RESERVED:
        return None
    reader.take((4 if flags & F_H_FILTER else 0) + 4)
    mtime = reader.number(4) | (reader.number(4) << 32 if new else 0)
    name = reader.take(reader.number(1))
    covered = bytes(data[start : reader.position])
    digest = zlib.crc32(covered) if flags & F_H_CRC32 else zlib.adler32(covered)
    if reader.number(4) != digest:
        return None
    if flags & F_H_EXTRA_FIELD:
        reader.take(reader.number(4) + 4)
    text = name.decode("utf-8", "replace").rsplit("/", 1)[-1]
    return Header(reader.position, method, flags, text, mtime)


def _block_at(reader: _Reader, flags: int) -> Block | None:
    """The block at the reader's position, or None at the end mark."""
    size = reader.number(4)
    if size == 0:
        return None
    stored = reader.number(4)
    if size > MAX_BLOCK or not 0 < stored <= size:
        raise ExtractionError(f"invalid lzop block sizes at 0x{reader.position - 8:x}")
    checksums = []
    for flag, algorithm, compressed in CHECKSUM_FIELDS:
        if flags & flag and (stored < size or not compressed):
            checksums.append((algorithm, reader.number(4), compressed))
    block = Block(reader.position, stored, size, tuple(checksums))
    reader.take(stored)
    return block


def blocks(data: Blob, header: Header) -> Generator[Block, None, int]:
    """Yield the blocks after `header`; return the offset past the end mark. Raise _Short when
    the data ends first and ExtractionError when a block header is invalid."""
    reader = _Reader(data, header.end)
    while (block := _block_at(reader, header.flags)) is not None:
        yield block
    return reader.position


def decode(data: Blob, block: Block) -> bytes:
    """The uncompressed content of `block`, its checksums verified."""
    raw = bytes(data[block.body : block.body + block.stored])
    out = raw
    if block.stored < block.size:
        try:
            out = lzo.decompress(raw, False, block.size)
        except lzo.error as err:
            raise ExtractionError(f"corrupt lzop block at 0x{block.body:x}: {err}") from err
    if len(out) != block.size:
        raise ExtractionError(f"lzop block at 0x{block.body:x} has the wrong size")
    for algorithm, value, compressed in block.checksums:
        if algorithm(raw if compressed else out) != value:
            raise ExtractionError(f"lzop block at 0x{block.body:x} fails its checksum")
    return out


def file_length(data: Blob, start: int) -> int | None:
    """Bytes the lzop file at `start` occupies, found from its block headers."""
    header = parse_header(data, start)
    if header is None:
        return None
    walk = blocks(data, header)
    try:
        while True:
            next(walk)
    except StopIteration as stop:
        end: int = stop.value
        return end - start
    except (_Short, ExtractionError):
        return None


class LzoExtractor(Extractor):
    """Decompresses an lzop file into one member named after the stored or the file name."""

    name = "lzo"
    requires_modules = ("lzo",)
    description = "lzop file (LZO1X)"
    signatures = (Signature(MAGIC),)
    suffixes = (".lzo", ".tzo")

    def identify(self, head: bytes, path: Path) -> bool:
        return parse_header(head, 0) is not None

    def measure(self, data: Blob, start: int) -> int | None:
        return chain_length(data, start, file_length)

    def extract(self, src: Path, fs: SafeFS, ctx: ExtractContext) -> None:
        with (
            open(src, "rb") as handle,
            mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data,
        ):
            header = parse_header(data, 0)
            if header is None:
                raise ExtractionError("not a valid lzop header")
            ctx.metadata["lzo.method"] = LZO1X_METHODS[header.method]
            ctx.metadata["lzo.mtime"] = str(header.mtime)
            if header.flags & F_H_FILTER:
                raise ExtractionError("lzop filters are not supported")
            fs.write(self._member_name(header, ctx), _files(data, header))

    def _member_name(self, header: Header, ctx: ExtractContext) -> str:
        if header.name not in ("", ".", "..") and not header.name.lower().endswith(self.suffixes):
            ctx.metadata["lzo.name"] = header.name
            return header.name
        return output_name(ctx.source_name, self.suffixes)


def _files(data: Blob, first: Header) -> Iterator[bytes]:
    header: Header | None = first
    while header is not None and not header.flags & F_H_FILTER:
        walk = blocks(data, header)
        try:
            while True:
                yield decode(data, next(walk))
        except StopIteration as stop:
            header = parse_header(data, stop.value)
        except _Short as short:
            raise ExtractionError("lzop file is truncated") from short
