"""U-Boot legacy uImage, as specified by U-Boot's `include/image.h`: a 64-byte big-endian header
(magic 0x27051956, header CRC, timestamp, data size, load and entry address, data CRC, OS, arch,
type, compression, 32-byte name) followed by the payload; a multi-file image (type 4) starts its
payload with a zero-terminated table of part sizes, each part padded to 4 bytes."""

import os
import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from assay.extract.base import Blob, ExtractContext, ExtractionError, Extractor, Signature
from assay.extract.safefs import SafeFS
from assay.model.problem import ProblemKind, ProblemLevel

MAGIC = 0x27051956
HEADER = struct.Struct(">7I4B32s")
HEADER_SIZE = HEADER.size
CHUNK = 1024 * 1024
MULTI = 4
MAX_PARTS = 1024

OS_NAMES = (
    "invalid", "openbsd", "netbsd", "freebsd", "4_4bsd", "linux", "svr4", "esix", "solaris",
    "irix", "sco", "dell", "ncr", "lynxos", "vxworks", "psos", "qnx", "u-boot", "rtems", "artos",
    "unity", "integrity", "ose", "plan9", "openrtos", "arm-trusted-firmware", "tee", "opensbi",
    "efi",
)  # fmt: skip
ARCH_NAMES = (
    "invalid", "alpha", "arm", "x86", "ia64", "mips", "mips64", "powerpc", "s390", "sh", "sparc",
    "sparc64", "m68k", "nios", "microblaze", "nios2", "blackfin", "avr32", "st200", "sandbox",
    "nds32", "or1k", "arm64", "arc", "x86_64", "xtensa", "riscv",
)  # fmt: skip
TYPE_NAMES = (
    "invalid", "standalone", "kernel", "ramdisk", "multi", "firmware", "script", "filesystem",
    "flat_dt", "kwbimage", "imximage", "ublimage", "omapimage", "aisimage", "kernel_noload",
    "pblimage", "mxsimage", "gpimage", "atmelimage", "socfpgaimage", "x86_setup", "lpc32xximage",
    "loadable", "rkimage", "rksd", "rkspi", "zynqimage", "zynqmpimage", "zynqmpbif", "fpga",
    "vybridimage", "tee", "firmware_ivt", "pmmc", "stm32image", "socfpgaimage_v1", "mtk_image",
    "imx8mimage", "imx8image", "copro", "sunxi_egon",
)  # fmt: skip
COMPRESSION_NAMES = ("none", "gzip", "bzip2", "lzma", "lzo", "lz4", "zstd")
COMPRESSION_SUFFIXES = {
    "gzip": ".gz",
    "bzip2": ".bz2",
    "lzma": ".lzma",
    "lzo": ".lzo",
    "lz4": ".lz4",
    "zstd": ".zst",
}
MEMBER_STEMS = {"filesystem": "rootfs", "flat_dt": "devicetree", "invalid": "payload"}


def _name(table: tuple[str, ...], value: int) -> str:
    return table[value] if value < len(table) else f"unknown-{value}"


@dataclass(frozen=True, slots=True)
class UImageHeader:
    """The fields of a legacy uImage header whose CRC checked out."""

    timestamp: int
    size: int
    load: int
    entry: int
    data_crc: int
    os: str
    arch: str
    type: str
    compression: str
    name: str

    @property
    def suffix(self) -> str:
        """The file-name suffix of the payload's compression ('' when uncompressed)."""
        return COMPRESSION_SUFFIXES.get(self.compression, "")

    def metadata(self) -> dict[str, str]:
        """The header as inventory metadata."""
        return {
            "name": self.name,
            "os": self.os,
            "arch": self.arch,
            "type": self.type,
            "compression": self.compression,
            "load_address": f"0x{self.load:08x}",
            "entry_address": f"0x{self.entry:08x}",
            "timestamp": datetime.fromtimestamp(self.timestamp, UTC).isoformat(),
            "data_size": str(self.size),
        }


def parse_header(raw: bytes) -> UImageHeader | None:
    """The header at the start of `raw`, or None when the magic or the header CRC is wrong."""
    if len(raw) < HEADER_SIZE:
        return None
    magic, hcrc, stamp, size, load, entry, dcrc, os_, arch, kind, comp, name = HEADER.unpack_from(
        raw
    )
    if magic != MAGIC or zlib.crc32(raw[:4] + bytes(4) + raw[8:HEADER_SIZE]) != hcrc:
        return None
    return UImageHeader(
        timestamp=stamp,
        size=size,
        load=load,
        entry=entry,
        data_crc=dcrc,
        os=_name(OS_NAMES, os_),
        arch=_name(ARCH_NAMES, arch),
        type=_name(TYPE_NAMES, kind),
        compression=_name(COMPRESSION_NAMES, comp),
        name=name.split(b"\x00", 1)[0].decode("utf-8", "replace"),
    )


def _read_range(handle: BinaryIO, offset: int, length: int) -> Iterator[bytes]:
    handle.seek(offset)
    while length > 0:
        chunk = handle.read(min(CHUNK, length))
        if not chunk:
            return
        length -= len(chunk)
        yield chunk


class UImageExtractor(Extractor):
    """Writes the payload of a legacy uImage (each part of a multi-file image) as a member
    named after the image type with its compression's suffix, so the recursion unpacks it."""

    name = "uimage"
    description = "U-Boot legacy uImage"
    signatures = (Signature(b"\x27\x05\x19\x56"),)
    suffixes = (".uimage", ".uimg", ".ub")

    def identify(self, head: bytes, path: Path) -> bool:
        return parse_header(head[:HEADER_SIZE]) is not None

    def measure(self, data: Blob, start: int) -> int | None:
        header = parse_header(bytes(data[start : start + HEADER_SIZE]))
        return None if header is None else HEADER_SIZE + header.size

    def extract(self, src: Path, fs: SafeFS, ctx: ExtractContext) -> None:
        with open(src, "rb") as handle:
            header = parse_header(handle.read(HEADER_SIZE))
            if header is None:
                raise ExtractionError("not a uImage: bad magic or header CRC")
            ctx.metadata.update(header.metadata())
            length = _checked_length(handle, header, ctx)
            if header.type == TYPE_NAMES[MULTI]:
                _write_parts(handle, header, length, fs, ctx)
            else:
                stem = MEMBER_STEMS.get(header.type, header.type)
                fs.write(stem + header.suffix, _read_range(handle, HEADER_SIZE, length))


def _checked_length(handle: BinaryIO, header: UImageHeader, ctx: ExtractContext) -> int:
    """Bytes of payload present; records truncation or a data CRC mismatch."""
    available = max(os.fstat(handle.fileno()).st_size - HEADER_SIZE, 0)
    if available < header.size:
        ctx.metadata["data_crc"] = "truncated"
        ctx.problem(
            ProblemKind.CORRUPT,
            f"uImage data is truncated: {available} of {header.size} bytes present",
            level=ProblemLevel.ERROR,
        )
        return available
    crc = 0
    for chunk in _read_range(handle, HEADER_SIZE, header.size):
        ctx.deadline.check()
        crc = zlib.crc32(chunk, crc)
    matches = crc == header.data_crc
    ctx.metadata["data_crc"] = "ok" if matches else "mismatch"
    if not matches:
        ctx.problem(
            ProblemKind.CORRUPT,
            f"uImage data CRC mismatch: header says 0x{header.data_crc:08x}, data is 0x{crc:08x}",
        )
    return header.size


def _write_parts(
    handle: BinaryIO, header: UImageHeader, length: int, fs: SafeFS, ctx: ExtractContext
) -> None:
    """Split a multi-file payload by its size table; the first part (the kernel) carries the
    image's compression."""
    sizes = _part_sizes(handle, length)
    if sizes is None:
        ctx.problem(ProblemKind.CORRUPT, "multi-file uImage has no valid size table")
        fs.write("multi" + header.suffix, _read_range(handle, HEADER_SIZE, length))
        return
    ctx.metadata["parts"] = str(len(sizes))
    offset = HEADER_SIZE + 4 * (len(sizes) + 1)
    end = HEADER_SIZE + length
    for index, size in enumerate(sizes):
        ctx.deadline.check()
        if offset + size > end:
            ctx.problem(ProblemKind.CORRUPT, f"part {index} runs past the end of the data")
        suffix = header.suffix if index == 0 else ""
        fs.write(f"part-{index}{suffix}", _read_range(handle, offset, min(size, end - offset)))
        offset += (size + 3) & ~3
        if offset >= end:
            break


def _part_sizes(handle: BinaryIO, length: int) -> list[int] | None:
    handle.seek(HEADER_SIZE)
    table = handle.read(min(length, 4 * (MAX_PARTS + 1)))
    sizes: list[int] = []
    for (size,) in struct.iter_unpack(">I", table[: len(table) // 4 * 4]):
        if size == 0:
            return sizes or None
        sizes.append(size)
    return None
