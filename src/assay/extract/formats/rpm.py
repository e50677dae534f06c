"""RPM packages (rpm's docs/manual/format.md: a 96-byte lead, a signature header padded to 8
bytes, the main header, then the payload, a compressed cpio archive). The lead and both headers are
parsed by hand; the payload is written out whole as `<name>-<version>-<release>.<arch>.cpio.<ext>`
for the recursion to decompress and unpack, and the package's identity becomes metadata."""

import mmap
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from assay.extract.base import Blob, ExtractContext, ExtractionError, Extractor, Signature
from assay.extract.safefs import SafeFS
from assay.model.problem import ProblemKind, ProblemLevel

LEAD_MAGIC = b"\xed\xab\xee\xdb"
HEADER_MAGIC = b"\x8e\xad\xe8\x01"
LEAD_SIZE = 96
INTRO_SIZE = 16
INDEX_ENTRY_SIZE = 16
MAX_ENTRIES = 0x10000
MAX_STORE = 256 * 1024 * 1024
CHUNK = 1024 * 1024

SIGTAG_SIZE = 1000
SIGTAG_LONGSIZE = 270
TAG_NAME = 1000
TAG_VERSION = 1001
TAG_RELEASE = 1002
TAG_ARCH = 1022
TAG_PAYLOAD_FORMAT = 1124
TAG_PAYLOAD_COMPRESSOR = 1125
METADATA_TAGS = (
    ("name", TAG_NAME),
    ("version", TAG_VERSION),
    ("release", TAG_RELEASE),
    ("arch", TAG_ARCH),
    ("payload_format", TAG_PAYLOAD_FORMAT),
    ("payload_compressor", TAG_PAYLOAD_COMPRESSOR),
)
TYPE_INT32 = 4
TYPE_INT64 = 5
STRING_TYPES = frozenset({6, 8, 9})
COMPRESSOR_SUFFIXES = {
    "gzip": ".gz",
    "bzip2": ".bz2",
    "xz": ".xz",
    "lzma": ".lzma",
    "zstd": ".zst",
    "identity": "",
}
PAYLOAD_MAGICS = (
    (b"\x1f\x8b", ".gz"),
    (b"\xfd7zXZ\x00", ".xz"),
    (b"\x28\xb5\x2f\xfd", ".zst"),
    (b"BZh", ".bz2"),
    (b"\x5d\x00\x00", ".lzma"),
    (b"0707", ""),
)


@dataclass(frozen=True, slots=True)
class Header:
    """One header structure: its index (tag → type, offset, count) and its data store."""

    start: int
    end: int
    index: dict[int, tuple[int, int, int]]
    store: bytes

    def string(self, tag: int) -> str | None:
        """The (first) string value of `tag`."""
        entry = self.index.get(tag)
        if entry is None or entry[0] not in STRING_TYPES:
            return None
        end = self.store.find(b"\x00", entry[1])
        return None if end < 0 else self.store[entry[1] : end].decode("utf-8", "replace")

    def integer(self, tag: int) -> int | None:
        """The (first) integer value of `tag`."""
        entry = self.index.get(tag)
        if entry is None or entry[0] not in (TYPE_INT32, TYPE_INT64):
            return None
        layout = ">I" if entry[0] == TYPE_INT32 else ">Q"
        if entry[1] + struct.calcsize(layout) > len(self.store):
            return None
        value: int = struct.unpack_from(layout, self.store, entry[1])[0]
        return value


@dataclass(frozen=True, slots=True)
class Package:
    """The two headers of a package; the payload starts where the main header ends."""

    signature: Header
    header: Header


def read_header(data: Blob, position: int) -> Header | None:
    """The header structure at `position`, or None when there is none."""
    intro = bytes(data[position : position + INTRO_SIZE])
    if len(intro) < INTRO_SIZE or intro[:4] != HEADER_MAGIC:
        return None
    count, size = struct.unpack_from(">II", intro, 8)
    if count > MAX_ENTRIES or size > MAX_STORE:
        return None
    store_start = position + INTRO_SIZE + count * INDEX_ENTRY_SIZE
    end = store_start + size
    if end > len(data):
        return None
    raw_index = bytes(data[position + INTRO_SIZE : store_start])
    index: dict[int, tuple[int, int, int]] = {}
    for tag, kind, offset, number in struct.iter_unpack(">IIII", raw_index):
        index.setdefault(tag, (kind, offset, number))
    return Header(position, end, index, bytes(data[store_start:end]))


def parse(data: Blob, start: int) -> Package | None:
    """The lead and headers of a package at `start`, or None when they are not valid."""
    lead = bytes(data[start : start + LEAD_SIZE])
    if len(lead) < LEAD_SIZE or lead[:4] != LEAD_MAGIC or lead[4] not in (3, 4):
        return None
    signature = read_header(data, start + LEAD_SIZE)
    if signature is None:
        return None
    header_start = signature.end + (-(signature.end - start) % 8)
    header = read_header(data, header_start)
    return None if header is None else Package(signature, header)


def payload_name(package: Package, data: Blob, fallback: str) -> str:
    """`<name>-<version>-<release>.<arch>.<format><compression suffix>` of the payload."""
    header = package.header
    parts = [header.string(tag) for tag in (TAG_NAME, TAG_VERSION, TAG_RELEASE)]
    stem = "-".join(part for part in parts if part) or fallback
    arch = header.string(TAG_ARCH)
    if arch:
        stem += "." + arch
    payload_format = header.string(TAG_PAYLOAD_FORMAT) or "cpio"
    name = f"{stem}.{payload_format}{_suffix(package, data)}"
    return name.replace("/", "_")


def _suffix(package: Package, data: Blob) -> str:
    head = bytes(data[package.header.end : package.header.end + 8])
    for magic, suffix in PAYLOAD_MAGICS:
        if head.startswith(magic):
            return suffix
    compressor = package.header.string(TAG_PAYLOAD_COMPRESSOR) or "gzip"
    return COMPRESSOR_SUFFIXES.get(compressor, "." + compressor)


class RpmExtractor(Extractor):
    """Writes out the payload of RPM packages and records their identity."""

    name = "rpm"
    description = "RPM package (lead, signature and main headers, compressed cpio payload)"
    signatures = (Signature(LEAD_MAGIC + b"\x03"), Signature(LEAD_MAGIC + b"\x04"))
    suffixes = (".rpm",)

    def identify(self, head: bytes, path: Path) -> bool:
        return head[:4] == LEAD_MAGIC and head[4] in (3, 4)

    def measure(self, data: Blob, start: int) -> int | None:
        package = parse(data, start)
        if package is None:
            return None
        signature = package.signature
        size = signature.integer(SIGTAG_LONGSIZE) or signature.integer(SIGTAG_SIZE)
        if size is None or package.header.start + size < package.header.end:
            return None
        return min(package.header.start + size, len(data)) - start

    def extract(self, src: Path, fs: SafeFS, ctx: ExtractContext) -> None:
        if src.stat().st_size < LEAD_SIZE:
            raise ExtractionError("too short for an RPM package")
        with (
            open(src, "rb") as handle,
            mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data,
        ):
            package = parse(data, 0)
            if package is None:
                raise ExtractionError("not an RPM package: invalid lead or header structure")
            for key, tag in METADATA_TAGS:
                value = package.header.string(tag)
                if value:
                    ctx.metadata[key] = value
            if package.header.end >= len(data):
                ctx.problem(ProblemKind.CORRUPT, "package has no payload", level=ProblemLevel.ERROR)
                return
            name = payload_name(package, data, Path(ctx.source_name).stem)
            fs.write(name, _slices(data, package.header.end))


def _slices(data: mmap.mmap, start: int) -> Iterator[bytes]:
    for position in range(start, len(data), CHUNK):
        yield data[position : position + CHUNK]
