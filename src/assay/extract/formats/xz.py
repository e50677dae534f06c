"""xz streams (The .xz File Format, version 1.2.1), concatenated streams included; decompressed
with liblzma through the standard library's `lzma`."""

import lzma
import zlib
from pathlib import Path

from assay.extract.base import Blob, ExtractContext, Extractor, Signature
from assay.extract.formats._chain import chain_length
from assay.extract.safefs import SafeFS
from assay.extract.streams import output_name, stream_length, write_stream

MAGIC = b"\xfd7zXZ\x00"
HEADER_SIZE = 12
MEMLIMIT = 1024**3
CHECKS = {0x00: "none", 0x01: "crc32", 0x04: "crc64", 0x0A: "sha256"}


def decompressor() -> lzma.LZMADecompressor:
    """A decoder for one xz stream, refusing streams that need more than MEMLIMIT of memory."""
    return lzma.LZMADecompressor(lzma.FORMAT_XZ, memlimit=MEMLIMIT)


def header_ok(header: bytes) -> bool:
    """True when `header` starts with a stream header whose flags and CRC32 are valid."""
    if len(header) < HEADER_SIZE or header[:6] != MAGIC:
        return False
    flags = header[6:8]
    if flags[0] != 0 or flags[1] & 0xF0:
        return False
    return zlib.crc32(flags) == int.from_bytes(header[8:12], "little")


def stream_size(data: Blob, start: int) -> int | None:
    """Bytes the xz stream at `start` occupies, or None when there is no valid one."""
    if not header_ok(bytes(data[start : start + HEADER_SIZE])):
        return None
    return stream_length(data, start, decompressor)


class XzExtractor(Extractor):
    """Decompresses an xz file into one member named after the file."""

    name = "xz"
    description = "xz stream (.xz file format 1.2)"
    signatures = (Signature(MAGIC),)
    suffixes = (".xz", ".txz")

    def identify(self, head: bytes, path: Path) -> bool:
        return header_ok(head)

    def measure(self, data: Blob, start: int) -> int | None:
        return chain_length(data, start, stream_size)

    def extract(self, src: Path, fs: SafeFS, ctx: ExtractContext) -> None:
        with open(src, "rb") as handle:
            header = handle.read(HEADER_SIZE)
        if header_ok(header):
            ctx.metadata["xz.check"] = CHECKS.get(header[7], f"0x{header[7]:x}")
        write_stream(src, fs, output_name(ctx.source_name, self.suffixes), decompressor, multi=True)
