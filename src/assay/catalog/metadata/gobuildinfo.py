"""Go build information embedded in executables, read as Go's src/debug/buildinfo/buildinfo.go
does: a 32-byte header (16-byte aligned, within the first 64 KiB of the `.go.buildinfo` section or
the first writable data segment) of the magic `\\xff Go buildinf:`, the pointer size and a flags
byte; with flag bit 2 (Go ≥ 1.18) two uvarint-length-prefixed strings follow the header, otherwise
(older Go) two pointers to Go string headers {data pointer, length} hold the Go version and the
module info. The module info, framed by 16-byte sentinels, is runtime/debug.ParseBuildInfo's text:
tab-separated `path`, `mod`, `dep`, `=>` (replacement of the preceding module) and `build` lines.
No Python library reads it."""

from dataclasses import dataclass
from typing import Literal

from assay.catalog.metadata.elfdata import ElfData

MAGIC = b"\xff Go buildinf:"
SECTION = ".go.buildinfo"
SEARCH_SIZE = 64 * 1024
ALIGN = 16
HEADER_SIZE = 32
FLAG_INLINE = 2
MAX_STRING = 16 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Module:
    """One module compiled into the binary (after any replacement)."""

    path: str
    version: str
    main: bool = False


@dataclass(frozen=True, slots=True)
class BuildInfo:
    """The Go toolchain version and the modules of a binary."""

    go_version: str
    modules: tuple[Module, ...]


def read_build_info(elf: ElfData) -> BuildInfo | None:
    """The build info of a Go ELF binary, or None if it has none."""
    start = elf.section_address(SECTION)
    if start is None:
        start = elf.first_writable_data()
    if start is None:
        return None
    header = _find_header(elf.read(start, SEARCH_SIZE))
    if header is None:
        return None
    if header[15] & FLAG_INLINE:
        version, rest = decode_string(header[HEADER_SIZE:])
        modinfo, _ = decode_string(rest)
    else:
        version, modinfo = _pointed_strings(elf, header)
    if not version:
        return None
    text = _unframe(modinfo).decode("utf-8", "replace")
    return BuildInfo(version.decode("utf-8", "replace"), parse_modinfo(text))


def _find_header(data: bytes) -> bytes | None:
    """The data from the first 16-byte aligned magic with a whole header after it."""
    position = 0
    while True:
        found = data.find(MAGIC, position)
        if found < 0 or len(data) - found < HEADER_SIZE:
            return None
        if found % ALIGN == 0:
            return data[found:]
        position = found + 1


def decode_string(data: bytes) -> tuple[bytes, bytes]:
    """A uvarint-length-prefixed string and the bytes after it (empty if malformed)."""
    length, shift, used = 0, 0, 0
    for byte in data[:10]:
        used += 1
        length |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            break
    else:
        return b"", b""
    if length >= len(data) - used:
        return b"", b""
    return data[used : used + length], data[used + length :]


def _pointed_strings(elf: ElfData, header: bytes) -> tuple[bytes, bytes]:
    """The two strings the pre-1.18 header points at."""
    size = header[14]
    if size not in (4, 8):
        return b"", b""
    order: Literal["big", "little"] = "big" if header[15] else "little"

    def pointer(data: bytes, at: int) -> int:
        return int.from_bytes(data[at : at + size], order)

    def string_at(address: int) -> bytes:
        string_header = elf.read(address, 2 * size)
        if len(string_header) < 2 * size:
            return b""
        data_address, length = pointer(string_header, 0), pointer(string_header, size)
        if length > MAX_STRING:
            return b""
        data = elf.read(data_address, length)
        return data if len(data) == length else b""

    return string_at(pointer(header, 16)), string_at(pointer(header, 16 + size))


def _unframe(modinfo: bytes) -> bytes:
    """The module info without its 16-byte sentinels (empty if not framed)."""
    if len(modinfo) >= 33 and modinfo[-17:-16] == b"\n":
        return modinfo[16:-16]
    return b""


def parse_modinfo(text: str) -> tuple[Module, ...]:
    """The main module and dependencies, each replaced by its `=>` line where one follows."""
    modules: list[Module] = []
    for line in text.splitlines():
        fields = line.split("\t")
        if fields[0] in ("mod", "dep") and len(fields) >= 3:
            modules.append(Module(fields[1], fields[2], main=fields[0] == "mod"))
        elif fields[0] == "=>" and len(fields) >= 3 and modules:
            modules[-1] = Module(fields[1], fields[2], main=modules[-1].main)
    return tuple(modules)
