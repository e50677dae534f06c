"""Legacy LZMA-alone streams (.lzma, the LZMA SDK's lzma.exe and `xz --format=lzma` format: a
13-byte header of properties, dictionary size and uncompressed size, then LZMA1 data);
decompressed with liblzma through the standard library's `lzma`.

The format has no magic number, so a header is accepted only when its properties and sizes are
plausible and the data after it really decodes."""

import lzma
from pathlib import Path

from assay.extract.base import Blob, ExtractContext, Extractor, Signature
from assay.extract.safefs import SafeFS
from assay.extract.streams import output_name, stream_length, write_stream

HEADER_SIZE = 13
MEMLIMIT = 1024**3
MIN_DICT = 4096
MAX_DICT = 1024**3
MAX_SIZE = 1 << 38
UNKNOWN_SIZE = 2**64 - 1
PROBE_OUTPUT = 64 * 1024
COMMON_PROPS = (0x5D, 0x6D)
"""lc=3 lp=0 pb=2 (every lzma tool's default) and lc=1 lp=2 pb=2 (OpenWrt kernels)."""

COMMON_DICTS = tuple(
    size for bits in range(12, 30) for size in (1 << bits, (1 << bits) + (1 << (bits - 1)))
)


def decompressor() -> lzma.LZMADecompressor:
    """A decoder for one LZMA-alone stream, refusing dictionaries beyond MEMLIMIT."""
    return lzma.LZMADecompressor(lzma.FORMAT_ALONE, memlimit=MEMLIMIT)


def header_ok(header: bytes) -> bool:
    """True when the properties, dictionary size and uncompressed size of `header` are
    plausible and the first byte of the range coder is zero, as every encoder writes it."""
    if len(header) < HEADER_SIZE + 1 or header[0] >= 9 * 5 * 5:
        return False
    dict_size = int.from_bytes(header[1:5], "little")
    size = int.from_bytes(header[5:13], "little")
    if not MIN_DICT <= dict_size <= MAX_DICT:
        return False
    return (size == UNKNOWN_SIZE or size <= MAX_SIZE) and header[HEADER_SIZE] == 0


def decodes(head: bytes) -> bool:
    """True when the first bytes of the stream in `head` decode without error."""
    try:
        decoder = decompressor()
        out = decoder.decompress(head, PROBE_OUTPUT)
    except (lzma.LZMAError, EOFError, ValueError, MemoryError):
        return False
    return bool(out) or decoder.eof


def _common(header: bytes) -> bool:
    return header[0] in COMMON_PROPS and int.from_bytes(header[1:5], "little") in COMMON_DICTS


class LzmaExtractor(Extractor):
    """Decompresses an LZMA-alone file into one member named after the file."""

    name = "lzma"
    description = "LZMA-alone stream (legacy .lzma)"
    signatures = tuple(
        Signature(bytes([props]) + size.to_bytes(4, "little"))
        for props in COMMON_PROPS
        for size in COMMON_DICTS
    )
    suffixes = (".lzma", ".tlzma")

    def identify(self, head: bytes, path: Path) -> bool:
        if not header_ok(head):
            return False
        if not (_common(head) or path.name.lower().endswith(self.suffixes)):
            return False
        return decodes(head)

    def measure(self, data: Blob, start: int) -> int | None:
        if not header_ok(bytes(data[start : start + HEADER_SIZE + 1])):
            return None
        return stream_length(data, start, decompressor)

    def extract(self, src: Path, fs: SafeFS, ctx: ExtractContext) -> None:
        with open(src, "rb") as handle:
            header = handle.read(HEADER_SIZE)
        if len(header) == HEADER_SIZE:
            _describe(header, ctx)
        write_stream(src, fs, output_name(ctx.source_name, self.suffixes), decompressor)


def _describe(header: bytes, ctx: ExtractContext) -> None:
    props = header[0]
    pb, rest = divmod(props, 45)
    lp, lc = divmod(rest, 9)
    ctx.metadata["lzma.properties"] = f"lc={lc} lp={lp} pb={pb}"
    ctx.metadata["lzma.dict_size"] = str(int.from_bytes(header[1:5], "little"))
    size = int.from_bytes(header[5:13], "little")
    ctx.metadata["lzma.uncompressed_size"] = "unknown" if size == UNKNOWN_SIZE else str(size)
