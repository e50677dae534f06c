"""LZ4 streams: the LZ4 frame format (lz4_Frame_format.md 1.6), concatenated frames included,
decompressed with the `lz4` library; and the legacy format (magic 0x184C2102) of `lz4 -l` and
Linux kernel images, whose blocks are delimited by hand and decompressed with `lz4.block`.

A legacy stream is a magic number and blocks, each a 32-bit little-endian compressed size and an
LZ4 block holding 8 MiB of output, the last one less; it has no end mark, and the kernel's build
appends the uncompressed size after it."""

import mmap
from collections.abc import Generator
from pathlib import Path

import lz4.block
import lz4.frame

from assay.extract.base import Blob, ExtractContext, ExtractionError, Extractor, Signature
from assay.extract.formats._chain import chain_length
from assay.extract.safefs import SafeFS
from assay.extract.streams import output_name, stream_length, write_stream

FRAME_MAGIC = b"\x04\x22\x4d\x18"
LEGACY_MAGIC = b"\x02\x21\x4c\x18"
LEGACY_BLOCK = 8 * 1024 * 1024
LEGACY_BOUND = LEGACY_BLOCK + LEGACY_BLOCK // 255 + 16
SIZE_FIELD = 4


def descriptor_ok(header: bytes) -> bool:
    """True when `header` starts with a frame magic and a descriptor of version 01 whose
    reserved bits are clear and whose block size code is one of 4-7."""
    if len(header) < 7 or header[:4] != FRAME_MAGIC:
        return False
    flags, block = header[4], header[5]
    if flags >> 6 != 0b01 or flags & 0x02:
        return False
    return not block & 0x8F and 4 <= block >> 4 <= 7


class FrameDecompressor:
    """`lz4.frame.LZ4FrameDecompressor` with `unused_data` always bytes, as `streams` expects."""

    def __init__(self) -> None:
        self._inner = lz4.frame.LZ4FrameDecompressor()

    @property
    def eof(self) -> bool:
        return bool(self._inner.eof)

    @property
    def needs_input(self) -> bool:
        return bool(self._inner.needs_input)

    @property
    def unused_data(self) -> bytes:
        return bytes(self._inner.unused_data or b"")

    def decompress(self, data: bytes, max_length: int = -1) -> bytes:
        return bytes(self._inner.decompress(data, max_length))


def frame_length(data: Blob, start: int) -> int | None:
    """Bytes the frame at `start` occupies, or None when there is no valid one."""
    if not descriptor_ok(bytes(data[start : start + 7])):
        return None
    return stream_length(data, start, FrameDecompressor)


def _first_size_ok(data: Blob, start: int) -> bool:
    if bytes(data[start : start + 4]) != LEGACY_MAGIC:
        return False
    size = int.from_bytes(data[start + 4 : start + 8], "little")
    return 0 < size <= LEGACY_BOUND


def legacy_blocks(data: Blob, start: int, strict: bool) -> Generator[bytes, None, int]:
    """Yield the output of each block of the legacy stream at `start`; return where the stream
    ends. With `strict`, a block that is cut short or does not decode raises ExtractionError;
    otherwise it ends the stream."""
    position = start + SIZE_FIELD
    total = len(data)
    while position + SIZE_FIELD <= total:
        size = int.from_bytes(data[position : position + SIZE_FIELD], "little")
        body = position + SIZE_FIELD
        if not 0 < size <= LEGACY_BOUND:
            break
        if body + size > total:
            if strict and total - position > SIZE_FIELD:
                raise ExtractionError(f"lz4 block at 0x{position:x} is truncated")
            break
        try:
            out = lz4.block.decompress(bytes(data[body : body + size]), LEGACY_BLOCK)
        except lz4.block.LZ4BlockError as err:
            if strict:
                raise ExtractionError(f"corrupt lz4 block at 0x{position:x}: {err}") from err
            break
        position = body + size
        yield out
        if len(out) < LEGACY_BLOCK:
            break
    return position


def legacy_length(data: Blob, start: int) -> int | None:
    """Bytes the legacy stream at `start` occupies, or None when its first block is invalid."""
    if not _first_size_ok(data, start):
        return None
    blocks = legacy_blocks(data, start, strict=False)
    try:
        while True:
            next(blocks)
    except StopIteration as stop:
        end: int = stop.value
    return end - start if end > start + SIZE_FIELD else None


class Lz4Extractor(Extractor):
    """Decompresses an LZ4 frame or legacy file into one member named after the file."""

    name = "lz4"
    requires_modules = ("lz4",)
    description = "LZ4 stream (frame format and legacy format)"
    signatures = (Signature(FRAME_MAGIC), Signature(LEGACY_MAGIC))
    suffixes = (".lz4",)

    def identify(self, head: bytes, path: Path) -> bool:
        return descriptor_ok(head) or _first_size_ok(head, 0)

    def measure(self, data: Blob, start: int) -> int | None:
        if descriptor_ok(bytes(data[start : start + 7])):
            return chain_length(data, start, frame_length)
        return legacy_length(data, start)

    def extract(self, src: Path, fs: SafeFS, ctx: ExtractContext) -> None:
        with open(src, "rb") as handle:
            magic = handle.read(4)
        name = output_name(ctx.source_name, self.suffixes)
        if magic == FRAME_MAGIC:
            ctx.metadata["lz4.format"] = "frame"
            write_stream(src, fs, name, FrameDecompressor, multi=True)
        elif magic == LEGACY_MAGIC:
            ctx.metadata["lz4.format"] = "legacy"
            _extract_legacy(src, fs, name, ctx)
        else:
            raise ExtractionError("no lz4 magic number")


def _extract_legacy(src: Path, fs: SafeFS, name: str, ctx: ExtractContext) -> None:
    with (
        open(src, "rb") as handle,
        mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data,
    ):
        if not _first_size_ok(data, 0):
            raise ExtractionError("the first lz4 block size is invalid")
        ends: list[int] = []
        fs.write(name, _recording_end(legacy_blocks(data, 0, strict=True), ends))
        if ends and len(data) - ends[0] == SIZE_FIELD:
            appended = int.from_bytes(data[ends[0] :], "little")
            ctx.metadata["lz4.appended_size"] = str(appended)


def _recording_end(
    blocks: Generator[bytes, None, int], ends: list[int]
) -> Generator[bytes, None, None]:
    ends.append((yield from blocks))
