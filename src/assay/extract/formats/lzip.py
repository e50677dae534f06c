"""lzip files (the lzip format 1.x: members of a 6-byte header, an LZMA stream with an end
marker and a 20-byte trailer of CRC-32, data size and member size), multimember files included;
the LZMA data is decompressed with liblzma's raw LZMA1 decoder through the standard `lzma`."""

import lzma
import zlib
from collections.abc import Callable, Generator, Iterator
from pathlib import Path

from assay.extract.base import Blob, ExtractContext, ExtractionError, Extractor, Signature
from assay.extract.formats._chain import chain_length
from assay.extract.safefs import SafeFS
from assay.extract.streams import decompress_chunks, output_name, stream_length

MAGIC = b"LZIP\x01"
HEADER_SIZE = 6
TRAILER_SIZE = 20
MIN_DICT = 4096
MAX_DICT = 512 * 1024 * 1024


def dict_size(header: bytes) -> int | None:
    """The dictionary size coded in a member header, or None when it is not a valid one."""
    if len(header) < HEADER_SIZE or header[:5] != MAGIC:
        return None
    code = header[5]
    base = 1 << (code & 0x1F)
    size = base - base // 16 * (code >> 5)
    return size if MIN_DICT <= size <= MAX_DICT else None


def decompressor(size: int) -> Callable[[], lzma.LZMADecompressor]:
    """A factory of decoders for the LZMA data of a member with dictionary `size`."""
    lzma1 = {"id": lzma.FILTER_LZMA1, "dict_size": size, "lc": 3, "lp": 0, "pb": 2}
    return lambda: lzma.LZMADecompressor(lzma.FORMAT_RAW, filters=[lzma1])


def member_length(data: Blob, start: int) -> int | None:
    """Bytes the member at `start` occupies, checked against the size in its trailer."""
    size = dict_size(bytes(data[start : start + HEADER_SIZE]))
    if size is None:
        return None
    body = stream_length(data, start + HEADER_SIZE, decompressor(size))
    if body is None:
        return None
    length = HEADER_SIZE + body + TRAILER_SIZE
    trailer = bytes(data[start + length - TRAILER_SIZE : start + length])
    if len(trailer) < TRAILER_SIZE or int.from_bytes(trailer[12:], "little") != length:
        return None
    return length


class _Feed:
    """Reads a file through a buffer that leftover input can be pushed back into."""

    def __init__(self, read: Callable[[int], bytes]) -> None:
        self.raw = read
        self.pending = b""

    def read(self, size: int) -> bytes:
        if not self.pending:
            return self.raw(size)
        chunk, self.pending = self.pending[:size], self.pending[size:]
        return chunk

    def take(self, size: int) -> bytes:
        data = b""
        while len(data) < size and (chunk := self.read(size - len(data))):
            data += chunk
        return data

    def unread(self, data: bytes) -> None:
        self.pending = data + self.pending


class LzipExtractor(Extractor):
    """Decompresses an lzip file into one member named after the file."""

    name = "lzip"
    description = "lzip file"
    signatures = (Signature(MAGIC),)
    suffixes = (".lz", ".tlz", ".lzip")

    def identify(self, head: bytes, path: Path) -> bool:
        return dict_size(head) is not None

    def measure(self, data: Blob, start: int) -> int | None:
        return chain_length(data, start, member_length)

    def extract(self, src: Path, fs: SafeFS, ctx: ExtractContext) -> None:
        with open(src, "rb") as handle:
            feed = _Feed(handle.read)
            header = feed.take(HEADER_SIZE)
            size = dict_size(header)
            if size is None:
                raise ExtractionError("not a valid lzip header")
            ctx.metadata["lzip.dict_size"] = str(size)
            feed.unread(header)
            fs.write(output_name(ctx.source_name, self.suffixes), _members(feed))


def _members(feed: _Feed) -> Iterator[bytes]:
    header = feed.take(HEADER_SIZE)
    while (size := dict_size(header)) is not None:
        tally = [0, 0]
        rest = yield from _tallied(decompress_chunks(feed.read, decompressor(size)), tally)
        feed.unread(rest)
        _check_trailer(feed.take(TRAILER_SIZE), tally)
        header = feed.take(HEADER_SIZE)
    if header.startswith(b"LZIP"):
        raise ExtractionError("invalid lzip member header")


def _tallied(
    chunks: Generator[bytes, None, bytes], tally: list[int]
) -> Generator[bytes, None, bytes]:
    """Pass `chunks` through, keeping their CRC-32 and total size in `tally`."""
    try:
        while True:
            chunk = next(chunks)
            tally[0] = zlib.crc32(chunk, tally[0])
            tally[1] += len(chunk)
            yield chunk
    except StopIteration as stop:
        rest: bytes = stop.value
        return rest


def _check_trailer(trailer: bytes, tally: list[int]) -> None:
    if len(trailer) < TRAILER_SIZE:
        raise ExtractionError("lzip member is truncated before its trailer")
    crc, size = int.from_bytes(trailer[:4], "little"), int.from_bytes(trailer[4:12], "little")
    if (crc, size) != (tally[0], tally[1]):
        raise ExtractionError("lzip member fails its CRC-32 or size check")
