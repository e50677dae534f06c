"""bzip2 streams (the bzip2 file format as written by bzip2 1.0), concatenated streams included
(pbzip2 writes one per block); decompressed with the standard library's `bz2`."""

import bz2
from pathlib import Path

from assay.extract.base import Blob, ExtractContext, Extractor, Signature
from assay.extract.formats._chain import chain_length
from assay.extract.safefs import SafeFS
from assay.extract.streams import output_name, stream_length, write_stream

BLOCK_MAGIC = b"\x31\x41\x59\x26\x53\x59"
END_MAGIC = b"\x17\x72\x45\x38\x50\x90"
LEVELS = b"123456789"


def header_ok(header: bytes) -> bool:
    """True when `header` is "BZh", a block-size digit and a block or end-of-stream magic."""
    return (
        len(header) >= 10
        and header[:3] == b"BZh"
        and header[3] in LEVELS
        and header[4:10] in (BLOCK_MAGIC, END_MAGIC)
    )


def stream_size(data: Blob, start: int) -> int | None:
    """Bytes the bzip2 stream at `start` occupies, or None when there is no valid one."""
    if not header_ok(bytes(data[start : start + 10])):
        return None
    return stream_length(data, start, bz2.BZ2Decompressor)


class Bzip2Extractor(Extractor):
    """Decompresses a bzip2 file into one member named after the file."""

    name = "bzip2"
    description = "bzip2 stream"
    signatures = tuple(Signature(b"BZh" + bytes([level]) + BLOCK_MAGIC) for level in LEVELS)
    suffixes = (".bz2", ".tbz2", ".tbz", ".bz", ".bzip2")

    def identify(self, head: bytes, path: Path) -> bool:
        return header_ok(head)

    def measure(self, data: Blob, start: int) -> int | None:
        return chain_length(data, start, stream_size)

    def extract(self, src: Path, fs: SafeFS, ctx: ExtractContext) -> None:
        with open(src, "rb") as handle:
            header = handle.read(4)
        ctx.metadata["bzip2.block_size"] = f"{header[3:4].decode('latin-1')}00k"
        write_stream(
            src, fs, output_name(ctx.source_name, self.suffixes), bz2.BZ2Decompressor, multi=True
        )
