"""Android sparse images (AOSP system/core/libsparse/sparse_format.h), expanded by hand into the
raw image they describe, written as one member so that the file system inside is unpacked next."""

import mmap
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from assay.extract.base import Blob, ExtractContext, ExtractionError, Extractor, Signature
from assay.extract.safefs import SafeFS
from assay.model.problem import ProblemKind

MAGIC = b"\x3a\xff\x26\xed"
HEADER = struct.Struct("<IHHHHIIII")
CHUNK_HEADER = struct.Struct("<HHII")
RAW, FILL, DONT_CARE, CRC32 = 0xCAC1, 0xCAC2, 0xCAC3, 0xCAC4
PAYLOAD = {FILL: 4, DONT_CARE: 0, CRC32: 4}
PIECE = 1024 * 1024
SUFFIXES = (".simg", ".img", ".sparse")


@dataclass(frozen=True, slots=True)
class SparseHeader:
    """The file header of a sparse image."""

    header_size: int
    chunk_header_size: int
    block_size: int
    total_blocks: int
    total_chunks: int
    version: str


@dataclass(frozen=True, slots=True)
class Chunk:
    """One chunk: its type, the blocks it covers and where its payload sits in the file."""

    kind: int
    blocks: int
    payload: int
    length: int


def parse_header(data: bytes) -> SparseHeader | None:
    """The sparse header at the start of `data`, or None when it is not a plausible one."""
    if len(data) < HEADER.size or data[:4] != MAGIC:
        return None
    _, major, minor, header_size, chunk_size, block_size, blocks, chunks, _ = HEADER.unpack_from(
        data
    )
    if major != 1 or header_size < HEADER.size or chunk_size < CHUNK_HEADER.size:
        return None
    if block_size < 1024 or block_size % 4 or block_size > 1 << 26:
        return None
    return SparseHeader(header_size, chunk_size, block_size, blocks, chunks, f"{major}.{minor}")


def chunks(data: Blob, start: int, header: SparseHeader) -> Iterator[Chunk]:
    """Every chunk of the image at `start`, checked against the spec; raise ValueError at the
    first chunk that is not valid (or lies past the end of `data`)."""
    position = start + header.header_size
    covered = 0
    for _ in range(header.total_chunks):
        raw = bytes(data[position : position + CHUNK_HEADER.size])
        if len(raw) < CHUNK_HEADER.size:
            raise ValueError(f"chunk header at {position - start} is cut off")
        kind, _, blocks, total = CHUNK_HEADER.unpack(raw)
        length = total - header.chunk_header_size
        expected = blocks * header.block_size if kind == RAW else PAYLOAD.get(kind)
        if expected is None or length != expected:
            raise ValueError(f"invalid chunk of type 0x{kind:04x} at {position - start}")
        covered += 0 if kind == CRC32 else blocks
        if covered > header.total_blocks:
            raise ValueError("chunks cover more blocks than the header declares")
        yield Chunk(kind, blocks, position + header.chunk_header_size, length)
        position += total


class AndroidSparseExtractor(Extractor):
    """Expands an Android sparse image into the raw image `<name>.raw`."""

    name = "android-sparse"
    description = "Android sparse image (libsparse)"
    signatures = (Signature(MAGIC),)
    suffixes = SUFFIXES

    def identify(self, head: bytes, path: Path) -> bool:
        return parse_header(head) is not None

    def measure(self, data: Blob, start: int) -> int | None:
        header = parse_header(bytes(data[start : start + HEADER.size]))
        if header is None:
            return None
        end = None
        try:
            for chunk in chunks(data, start, header):
                end = chunk.payload + chunk.length
        except ValueError:
            pass
        return None if end is None else end - start

    def extract(self, src: Path, fs: SafeFS, ctx: ExtractContext) -> None:
        with open(src, "rb") as handle:
            head = handle.read(HEADER.size)
            header = parse_header(head)
            if header is None:
                raise ExtractionError("no valid Android sparse header")
            _record(header, ctx)
            with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
                listing = _listing(data, header, ctx)
                fs.write(_raw_name(ctx.source_name), _expand(data, header, listing, ctx))


def _listing(data: mmap.mmap, header: SparseHeader, ctx: ExtractContext) -> list[Chunk]:
    """All valid chunks; trouble after the first is recorded and the image cut there."""
    listed: list[Chunk] = []
    try:
        for chunk in chunks(data, 0, header):
            ctx.deadline.check()
            if chunk.payload + chunk.length > len(data):
                raise ValueError(f"chunk at {chunk.payload} runs past the end of the file")
            listed.append(chunk)
    except ValueError as err:
        if not listed:
            raise ExtractionError(f"sparse image is corrupt: {err}") from err
        ctx.problem(ProblemKind.CORRUPT, f"sparse image is cut short: {err}")
        return listed
    covered = sum(chunk.blocks for chunk in listed if chunk.kind != CRC32)
    if covered != header.total_blocks:
        message = f"chunks cover {covered} of the {header.total_blocks} blocks declared"
        ctx.problem(ProblemKind.CORRUPT, message)
    return listed


def _expand(
    data: mmap.mmap, header: SparseHeader, listing: list[Chunk], ctx: ExtractContext
) -> Iterator[bytes]:
    """The raw image in pieces. DON'T CARE blocks come out as zeros, as simg2img writes them;
    they count against the byte budget like any other output, which keeps sparse bombs bounded."""
    for chunk in listing:
        ctx.deadline.check()
        size = chunk.blocks * header.block_size
        if chunk.kind == RAW:
            for offset in range(0, size, PIECE):
                start = chunk.payload + offset
                yield data[start : start + min(PIECE, size - offset)]
        elif chunk.kind == FILL:
            yield from _repeat(data[chunk.payload : chunk.payload + 4], size)
        elif chunk.kind == DONT_CARE:
            yield from _repeat(b"\x00" * 4, size)


def _repeat(pattern: bytes, size: int) -> Iterator[bytes]:
    block = pattern * (PIECE // len(pattern))
    while size > 0:
        yield block[: min(size, PIECE)]
        size -= PIECE


def _raw_name(source_name: str) -> str:
    lower = source_name.lower()
    for suffix in SUFFIXES:
        if lower.endswith(suffix) and len(source_name) > len(suffix):
            return source_name[: -len(suffix)] + ".raw"
    return source_name.rsplit(".", 1)[0] + ".raw" if "." in source_name else source_name + ".raw"


def _record(header: SparseHeader, ctx: ExtractContext) -> None:
    ctx.metadata.update(
        {
            "version": header.version,
            "block_size": str(header.block_size),
            "total_blocks": str(header.total_blocks),
            "total_chunks": str(header.total_chunks),
            "expanded_size": str(header.total_blocks * header.block_size),
        }
    )
