"""gzip streams (RFC 1952), including concatenated members; decompressed with zlib."""

import struct
import zlib
from pathlib import Path

from assay.extract.base import Blob, ExtractContext, Extractor, Signature
from assay.extract.safefs import SafeFS
from assay.extract.streams import output_name, stream_length, write_stream

FLAG_NAME = 0x08
FLAG_EXTRA = 0x04
FLAG_COMMENT = 0x10
FLAG_HCRC = 0x02


class GzipExtractor(Extractor):
    """Decompresses a gzip file into one member named after the stored or the file name."""

    name = "gzip"
    description = "gzip stream (RFC 1952)"
    signatures = (Signature(b"\x1f\x8b\x08"),)
    suffixes = (".gz", ".tgz")

    def identify(self, head: bytes, path: Path) -> bool:
        return head[:3] == b"\x1f\x8b\x08" and head[3] & 0xE0 == 0

    def measure(self, data: Blob, start: int) -> int | None:
        if data[start + 3] & 0xE0:
            return None
        return stream_length(data, start, lambda: zlib.decompressobj(16 + zlib.MAX_WBITS))

    def extract(self, src: Path, fs: SafeFS, ctx: ExtractContext) -> None:
        with open(src, "rb") as handle:
            header = handle.read(4096)
        stored = _stored_name(header)
        if stored and not stored.lower().endswith(self.suffixes):
            name = stored
        else:
            name = output_name(stored or ctx.source_name, self.suffixes)
        write_stream(src, fs, name, lambda: zlib.decompressobj(16 + zlib.MAX_WBITS), multi=True)


def _stored_name(header: bytes) -> str | None:
    """The FNAME field of a gzip header, when present and readable."""
    if len(header) < 10 or not header[3] & FLAG_NAME:
        return None
    position = 10
    if header[3] & FLAG_EXTRA:
        if len(header) < 12:
            return None
        (extra,) = struct.unpack_from("<H", header, 10)
        position += 2 + extra
    end = header.find(b"\x00", position)
    if end < 0:
        return None
    raw = header[position:end]
    if not raw:
        return None
    return raw.decode("latin-1").rsplit("/", 1)[-1]
