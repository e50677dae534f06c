"""Zstandard frames (RFC 8878), concatenated and skippable frames included; decompressed with the
`zstandard` library, one frame at a time.

Frames are delimited by walking their block headers, which is cheap and exact, so a carved frame
is sized without decompressing it and a truncated one is told from a complete one. Output is
read in bounded chunks so a bomb is stopped by the byte limits."""

import io
import mmap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, cast

import zstandard

from assay.extract.base import Blob, ExtractContext, ExtractionError, Extractor, Signature
from assay.extract.safefs import SafeFS
from assay.extract.streams import CHUNK, OUT_CHUNK, output_name

MAGIC = b"\x28\xb5\x2f\xfd"
SKIPPABLE = tuple(bytes([0x50 + n]) + b"\x2a\x4d\x18" for n in range(16))
BLOCK_MAX = 128 * 1024
MAX_WINDOW_LOG = 31
DICT_ID_SIZES = (0, 1, 2, 4)
CONTENT_SIZE_SIZES = (0, 2, 4, 8)
PROBE_OUTPUT = 64 * 1024


@dataclass(frozen=True, slots=True)
class Frame:
    """One frame: where it starts and ends (`end` lies past the data when it is truncated)."""

    start: int
    end: int
    skippable: bool = False


@dataclass(frozen=True, slots=True)
class _Header:
    size: int
    block_max: int
    checksum: bool


def _header(data: Blob, start: int) -> _Header | None:
    """The frame header after the magic at `start`, or None when its fields are invalid."""
    raw = bytes(data[start + 4 : start + 18])
    if not raw or raw[0] & 0x08:
        return None
    descriptor = raw[0]
    single = bool(descriptor & 0x20)
    fcs_size = CONTENT_SIZE_SIZES[descriptor >> 6] or (1 if single else 0)
    dict_size = DICT_ID_SIZES[descriptor & 0x03]
    size = 1 + (0 if single else 1) + dict_size + fcs_size
    if len(raw) < size:
        return None
    if single:
        window = int.from_bytes(raw[1 + dict_size : size], "little")
        window += 256 if fcs_size == 2 else 0
    else:
        exponent, mantissa = raw[1] >> 3, raw[1] & 0x07
        if 10 + exponent > MAX_WINDOW_LOG:
            return None
        base = 1 << (10 + exponent)
        window = base + base // 8 * mantissa
    return _Header(4 + size, min(window, BLOCK_MAX), bool(descriptor & 0x04))


def _zstd_frame(data: Blob, start: int) -> Frame | None:
    header = _header(data, start)
    if header is None:
        return None
    position = start + header.size
    total = len(data)
    while True:
        if position + 3 > total:
            return Frame(start, position + 3)
        raw = int.from_bytes(data[position : position + 3], "little")
        kind, size = (raw >> 1) & 0x03, raw >> 3
        if kind == 3 or size > header.block_max:
            return None
        position += 3 + (1 if kind == 1 else size)
        if raw & 0x01:
            return Frame(start, position + (4 if header.checksum else 0))


def frame_at(data: Blob, start: int) -> Frame | None:
    """The frame starting at `start`, or None when no valid frame header is there."""
    magic = bytes(data[start : start + 4])
    if magic == MAGIC:
        return _zstd_frame(data, start)
    if magic in SKIPPABLE and start + 8 <= len(data):
        return Frame(start, start + 8 + int.from_bytes(data[start + 4 : start + 8], "little"), True)
    return None


def frames(data: Blob, start: int) -> Iterator[Frame]:
    """Consecutive frames from `start`; the last one yielded may be truncated."""
    position = start
    while position < len(data):
        frame = frame_at(data, position)
        if frame is None:
            return
        yield frame
        position = frame.end


class _Slice(io.RawIOBase):
    """A read-only view of data[start:end] that copies only what is read."""

    def __init__(self, data: Blob, start: int, end: int) -> None:
        super().__init__()
        self.data = data
        self.position = start
        self.end = min(end, len(data))

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        stop = self.end if size < 0 else min(self.end, self.position + size)
        chunk = bytes(self.data[self.position : stop])
        self.position += len(chunk)
        return chunk


def frame_output(data: Blob, frame: Frame, size: int = OUT_CHUNK) -> Iterator[bytes]:
    """The decompressed content of a zstd frame in chunks of at most `size` bytes."""
    source = cast(IO[bytes], _Slice(data, frame.start, frame.end))
    reader = zstandard.ZstdDecompressor().stream_reader(
        source, read_size=CHUNK, read_across_frames=False, closefd=False
    )
    try:
        while chunk := reader.read(size):
            yield chunk
    except zstandard.ZstdError as err:
        raise ExtractionError(f"corrupt zstd frame at 0x{frame.start:x}: {err}") from err


class ZstdExtractor(Extractor):
    """Decompresses the frames of a zstd file into one member named after the file."""

    name = "zstd"
    requires_modules = ("zstandard",)
    description = "Zstandard frames (RFC 8878)"
    signatures = (Signature(MAGIC), *(Signature(magic) for magic in SKIPPABLE))
    suffixes = (".zst", ".tzst", ".zstd")

    def identify(self, head: bytes, path: Path) -> bool:
        return any(not frame.skippable for frame in frames(head, 0))

    def measure(self, data: Blob, start: int) -> int | None:
        end, first = start, None
        for frame in frames(data, start):
            if frame.end > len(data):
                break
            if first is None and not frame.skippable:
                first = frame
            end = frame.end
        if first is None or not _decodes(data, first):
            return None
        return end - start

    def extract(self, src: Path, fs: SafeFS, ctx: ExtractContext) -> None:
        if src.stat().st_size < len(MAGIC):
            raise ExtractionError("too short for a zstd frame")
        with (
            open(src, "rb") as handle,
            mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data,
        ):
            found = list(frames(data, 0))
            count = sum(not frame.skippable for frame in found)
            if not count:
                raise ExtractionError("no valid zstd frame")
            ctx.metadata["zstd.frames"] = str(count)
            fs.write(output_name(ctx.source_name, self.suffixes), _output(data, found, ctx))


def _output(data: Blob, found: list[Frame], ctx: ExtractContext) -> Iterator[bytes]:
    for frame in found:
        ctx.deadline.check()
        if not frame.skippable:
            yield from frame_output(data, frame)
        if frame.end > len(data):
            raise ExtractionError(f"zstd frame at 0x{frame.start:x} is truncated")


def _decodes(data: Blob, frame: Frame) -> bool:
    try:
        next(frame_output(data, frame, PROBE_OUTPUT), b"")
    except ExtractionError:
        return False
    return True
