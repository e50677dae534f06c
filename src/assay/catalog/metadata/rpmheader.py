"""RPM header blobs as the rpm database stores them (rpm's docs/manual/format.md, "Header
structure"): a big-endian index count and data length, that many 16-byte index entries (tag, type,
offset, count) and the data store; `rpmdb --exportdb` writes the same blobs each behind the 8-byte
header magic. Parsed by hand: no maintained Python library reads header blobs without librpm."""

import struct
from collections.abc import Iterator
from dataclasses import dataclass

HEADER_MAGIC = b"\x8e\xad\xe8\x01\x00\x00\x00\x00"
MAX_ENTRIES = 0xFFFF
MAX_DATA = 256 * 1024 * 1024
ENTRY = struct.Struct(">iiii")
TYPE_INT16 = 3
TYPE_INT32 = 4
TYPE_STRING = 6
STRING_ARRAY_TYPES = frozenset({8, 9})

TAG_NAME = 1000
TAG_VERSION = 1001
TAG_RELEASE = 1002
TAG_EPOCH = 1003
TAG_VENDOR = 1011
TAG_LICENSE = 1014
TAG_ARCH = 1022
TAG_OLDFILENAMES = 1027
TAG_SOURCERPM = 1044
TAG_DIRINDEXES = 1116
TAG_BASENAMES = 1117
TAG_DIRNAMES = 1118


class HeaderError(ValueError):
    """The blob is not a well-formed header."""


@dataclass(frozen=True, slots=True)
class RpmHeader:
    """One package header: tag → (type, offset, count) and the data store."""

    index: dict[int, tuple[int, int, int]]
    store: bytes

    def strings(self, tag: int) -> list[str]:
        """The string values of `tag` (one for a STRING, `count` for a STRING_ARRAY)."""
        entry = self.index.get(tag)
        if entry is None:
            return []
        kind, offset, count = entry
        if kind != TYPE_STRING and kind not in STRING_ARRAY_TYPES:
            return []
        if count > len(self.store) - offset:
            raise HeaderError(f"tag {tag}: {count} strings cannot fit in the data store")
        values = []
        for _ in range(1 if kind == TYPE_STRING else count):
            end = self.store.find(b"\x00", offset)
            if end < 0:
                raise HeaderError(f"tag {tag}: string runs past the data store")
            values.append(self.store[offset:end].decode("utf-8", "replace"))
            offset = end + 1
        return values

    def string(self, tag: int) -> str | None:
        """The first string value of `tag`."""
        values = self.strings(tag)
        return values[0] if values else None

    def integers(self, tag: int) -> list[int]:
        """The INT32 or INT16 values of `tag`."""
        entry = self.index.get(tag)
        if entry is None or entry[0] not in (TYPE_INT16, TYPE_INT32):
            return []
        kind, offset, count = entry
        code = ">h" if kind == TYPE_INT16 else ">i"
        size = struct.calcsize(code)
        if offset + size * count > len(self.store):
            raise HeaderError(f"tag {tag}: {count} integers run past the data store")
        return [v for (v,) in struct.iter_unpack(code, self.store[offset : offset + size * count])]

    def files(self) -> list[str]:
        """The package's file paths: DIRNAMES[DIRINDEXES[i]] + BASENAMES[i], or OLDFILENAMES."""
        basenames = self.strings(TAG_BASENAMES)
        if not basenames:
            return self.strings(TAG_OLDFILENAMES)
        dirnames = self.strings(TAG_DIRNAMES)
        indexes = self.integers(TAG_DIRINDEXES)
        if len(indexes) != len(basenames) or any(not 0 <= i < len(dirnames) for i in indexes):
            raise HeaderError("file list: DIRINDEXES do not match BASENAMES and DIRNAMES")
        return [dirnames[i] + base for i, base in zip(indexes, basenames, strict=True)]


def parse_header(blob: bytes) -> RpmHeader:
    """A header from a database blob (no magic), or HeaderError."""
    if len(blob) < 8:
        raise HeaderError("shorter than the 8-byte header intro")
    entries, size = struct.unpack_from(">ii", blob)
    if not 0 < entries <= MAX_ENTRIES or not 0 <= size <= MAX_DATA:
        raise HeaderError(f"implausible index count {entries} or data length {size}")
    start = 8 + entries * ENTRY.size
    if len(blob) < start + size:
        raise HeaderError("cut short: the index and data store need more bytes than the blob has")
    store = blob[start : start + size]
    index: dict[int, tuple[int, int, int]] = {}
    for tag, kind, offset, count in ENTRY.iter_unpack(blob[8:start]):
        if not 0 <= offset < size or count < 0:
            raise HeaderError(f"tag {tag}: offset {offset} outside the data store")
        index.setdefault(tag, (kind, offset, count))
    return RpmHeader(index, store)


def blob_length(data: bytes, offset: int) -> int:
    """The length of the header blob (without magic) starting at `offset`."""
    entries, size = struct.unpack_from(">ii", data, offset)
    if not 0 < entries <= MAX_ENTRIES or not 0 <= size <= MAX_DATA:
        raise HeaderError(f"implausible index count {entries} or data length {size}")
    return int(8 + entries * ENTRY.size + size)


def exported_headers(data: bytes) -> Iterator[bytes]:
    """The blobs of an `rpmdb --exportdb` stream, each behind the header magic."""
    offset = 0
    while offset < len(data):
        if data[offset : offset + len(HEADER_MAGIC)] != HEADER_MAGIC:
            raise HeaderError(f"no header magic at byte {offset} of the exported database")
        offset += len(HEADER_MAGIC)
        if offset + 8 > len(data):
            raise HeaderError("exported database ends inside a header")
        length = blob_length(data, offset)
        yield data[offset : offset + length]
        offset += length
