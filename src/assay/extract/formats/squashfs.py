"""SquashFS images (superblock layouts of squashfs-tools 1.x-3.x and of the 4.0 format described in
the Linux kernel's Documentation/filesystems/squashfs.rst), unpacked with unsquashfs."""

import re
import struct
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from assay.extract.base import Blob, ExtractContext, ExtractionError, Extractor, Signature
from assay.extract.safefs import SafeFS
from assay.model.problem import ProblemKind

SUPERBLOCK = 120
PAD = 4096
STANDARD = {b"hsqs": "<", b"sqsh": ">"}
VENDOR = (b"shsq", b"qshs", b"hsqt", b"tqsh", b"sqlz")
COMPRESSORS = {1: "gzip", 2: "lzma", 3: "lzo", 4: "xz", 5: "lz4", 6: "zstd"}
NO_TABLE = 0xFFFF_FFFF_FFFF_FFFF
SPECIAL_KINDS = {"b": "block device", "c": "character device", "p": "FIFO", "s": "socket"}
LISTING = re.compile(
    rb"^([bcps])\S{9} +\d+/\d+ +(?:(\d+), *(\d+)|\d+) +\d+-\d\d-\d\d \d\d:\d\d /(.+)$"
)
SASQUATCH = "vendor variants need sasquatch, which is not available"


@dataclass(frozen=True, slots=True)
class SquashInfo:
    """What a squashfs superblock says about its image."""

    magic: bytes
    endian: str
    major: int
    minor: int
    inodes: int
    mkfs_time: int
    block_size: int
    compression: str
    bytes_used: int

    @property
    def vendor(self) -> bool:
        """True for magics that only vendor-patched squashfs-tools write."""
        return self.magic not in STANDARD

    def describe(self) -> str:
        """e.g. 'squashfs 3.0 big-endian' or 'squashfs 4.0 little-endian, vendor magic shsq'."""
        endian = "little-endian" if self.endian == "<" else "big-endian"
        text = f"squashfs {self.major}.{self.minor} {endian}"
        return f"{text}, vendor magic {self.magic.decode()!r}" if self.vendor else text

    def readable(self) -> bool:
        """Whether unsquashfs 4.x can be expected to read this variant."""
        return not self.vendor and (self.major < 4 or self.endian == "<")


def parse_superblock(head: bytes) -> SquashInfo | None:
    """The superblock at the start of `head`, or None when it is not a plausible one."""
    if len(head) < SUPERBLOCK:
        return None
    magic = head[:4]
    endian = STANDARD.get(magic) or (_vendor_endian(head) if magic in VENDOR else None)
    if endian is None:
        return None
    major, minor = struct.unpack_from(endian + "HH", head, 28)
    if major == 4 and minor == 0:
        return _parse_v4(head, magic, endian)
    if major in (1, 2, 3) and minor <= 1:
        return _parse_v3(head, magic, endian, major, minor)
    return None


def _vendor_endian(head: bytes) -> str | None:
    """Vendor magics do not tell the byte order; the version field does."""
    for endian in ("<", ">"):
        major, minor = struct.unpack_from(endian + "HH", head, 28)
        if 1 <= major <= 4 and minor <= 1:
            return endian
    return None


def _parse_v4(head: bytes, magic: bytes, endian: str) -> SquashInfo | None:
    inodes, mkfs_time, block_size, _, comp, block_log = struct.unpack_from(
        endian + "IIIIHH", head, 4
    )
    tables = struct.unpack_from(endian + "8Q", head, 32)
    root_ref, bytes_used, id_table, _, inode_table, dir_table, *optional = tables
    if comp not in COMPRESSORS or not _block_size_ok(block_size, block_log, 4096):
        return None
    if not 96 <= bytes_used < 1 << 42 or not inode_table < dir_table < bytes_used:
        return None
    if id_table >= bytes_used or root_ref >> 48:
        return None
    if any(table != NO_TABLE and table >= bytes_used for table in (tables[3], *optional)):
        return None
    return SquashInfo(
        magic, endian, 4, 0, inodes, mkfs_time, block_size, COMPRESSORS[comp], bytes_used
    )


def _parse_v3(head: bytes, magic: bytes, endian: str, major: int, minor: int) -> SquashInfo | None:
    inodes = struct.unpack_from(endian + "I", head, 4)[0]
    block_size_1, block_log = struct.unpack_from(endian + "HH", head, 32)
    mkfs_time, block_size = struct.unpack_from(endian + "I8xI", head, 39)
    if major == 1:
        block_size = block_size_1
    used_format, used_offset = ("Q", 63) if major == 3 else ("I", 8)
    bytes_used = struct.unpack_from(endian + used_format, head, used_offset)[0]
    if not _block_size_ok(block_size, block_log, 512) or not 64 <= bytes_used < 1 << 42:
        return None
    compression = "lzma (vendor)" if magic in VENDOR else "gzip"
    return SquashInfo(
        magic, endian, major, minor, inodes, mkfs_time, block_size, compression, bytes_used
    )


def _block_size_ok(block_size: int, block_log: int, smallest: int) -> bool:
    return smallest <= block_size <= 1 << 20 and block_size == 1 << block_log


class SquashfsExtractor(Extractor):
    """Unpacks squashfs images with unsquashfs; device nodes are listed, never created."""

    name = "squashfs"
    description = "SquashFS image (v4 any compressor; v1-v3 as far as unsquashfs reads them)"
    signatures = tuple(Signature(magic) for magic in (*STANDARD, *VENDOR))
    requires_tools = ("unsquashfs",)
    suffixes = (".sqfs", ".squashfs", ".sqsh")

    def identify(self, head: bytes, path: Path) -> bool:
        return parse_superblock(head[:SUPERBLOCK]) is not None

    def measure(self, data: Blob, start: int) -> int | None:
        info = parse_superblock(bytes(data[start : start + SUPERBLOCK]))
        if info is None:
            return None
        end = start + info.bytes_used
        padded = start + (info.bytes_used + PAD - 1) // PAD * PAD
        if padded <= len(data) and not any(data[end:padded]):
            return padded - start
        return info.bytes_used

    def extract(self, src: Path, fs: SafeFS, ctx: ExtractContext) -> None:
        with open(src, "rb") as handle:
            info = parse_superblock(handle.read(SUPERBLOCK))
        if info is None:
            raise ExtractionError("no valid squashfs superblock")
        _record(info, ctx)
        if not info.readable():
            raise ExtractionError(f"{info.describe()}: unsquashfs cannot read it; {SASQUATCH}")
        size = src.stat().st_size
        if size < info.bytes_used:
            ctx.problem(
                ProblemKind.CORRUPT, f"image is truncated: {size} of {info.bytes_used} bytes"
            )
        staging = ctx.staging()
        specials = _list_specials(src, info, staging, ctx)
        _unsquash(src, info, staging, specials, ctx)
        for name, what in specials:
            fs.special(name, what)
        if (staging / "root").is_dir():
            fs.import_tree(staging / "root")


def _record(info: SquashInfo, ctx: ExtractContext) -> None:
    created = datetime.fromtimestamp(info.mkfs_time, UTC).isoformat()
    ctx.metadata.update(
        {
            "version": f"{info.major}.{info.minor}",
            "endianness": "little" if info.endian == "<" else "big",
            "compression": info.compression,
            "block_size": str(info.block_size),
            "inode_count": str(info.inodes),
            "mkfs_time": created,
            "bytes_used": str(info.bytes_used),
        }
    )
    if info.vendor:
        ctx.metadata["magic"] = info.magic.decode()


def _list_specials(
    src: Path, info: SquashInfo, staging: Path, ctx: ExtractContext
) -> list[tuple[str, str]]:
    """Device nodes, FIFOs and sockets in the image, from unsquashfs's listing; reading the
    directory tree also proves that unsquashfs understands the image at all."""
    listing = staging / "listing"
    result = ctx.run(["unsquashfs", "-lln", "-d", "", str(src)], stdout=listing)
    if result.returncode != 0 and listing.stat().st_size == 0:
        raise ExtractionError(_failure(info, result.stderr))
    specials = []
    with open(listing, "rb") as lines:
        for line in lines:
            ctx.deadline.check()
            match = LISTING.match(line.rstrip(b"\n"))
            if match is None:
                continue
            kind, major, minor, name = match.groups()
            what = SPECIAL_KINDS[kind.decode()]
            if major is not None:
                what += f" {int(major)},{int(minor)}"
            specials.append((name.decode("utf-8", "surrogateescape"), what))
    listing.unlink()
    return specials


def _unsquash(
    src: Path,
    info: SquashInfo,
    staging: Path,
    specials: list[tuple[str, str]],
    ctx: ExtractContext,
) -> None:
    exclude = staging / "exclude"
    names = (name.encode("utf-8", "surrogateescape") + b"\n" for name, _ in specials)
    exclude.write_bytes(b"".join(names))
    root = staging / "root"
    argv = ["unsquashfs", "-no-xattrs", "-no-progress", "-no-wildcards"]
    argv += ["-exclude-file", str(exclude), "-d", str(root), "-f", str(src)]
    result = ctx.run(argv, watch=staging)
    exclude.unlink()
    if result.returncode == 0:
        return
    message = _failure(info, result.stderr)
    if not root.is_dir() or not any(root.iterdir()):
        raise ExtractionError(message)
    ctx.problem(ProblemKind.CORRUPT, message)


def _failure(info: SquashInfo, stderr: str) -> str:
    message = f"{info.describe()}: unsquashfs failed: {_tail(stderr)}"
    if info.major < 4:
        message += "; unsquashfs reads only gzip before 4.0: LZMA " + SASQUATCH
    return message


def _tail(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    return " / ".join(lines[-3:]) or "no error message"
