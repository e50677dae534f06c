"""cramfs images of either byte order (Linux include/uapi/linux/cramfs_fs.h, read as
fs/cramfs/inode.c does), unpacked member by member through the SafeFS.

util-linux's `fsck.cramfs --extract` is not used: it joins member names into paths unchecked, so
an image holding a name such as "../x" makes it write outside its output folder, and when not run
as root it stops at the first device node, leaving the rest of the image unextracted."""

import mmap
import stat
import struct
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from assay.extract.base import Blob, ExtractContext, ExtractionError, Extractor, Signature
from assay.extract.safefs import SPECIAL_KINDS, SafeFS
from assay.model.problem import ProblemKind

MAGIC = 0x28CD3D45
SIGNATURE = b"Compressed ROMFS"
SUPERBLOCK = 76
SHIFTED = 512
PAGE = 4096
INODE = 12
FLAG_FSID_VERSION_2 = 0x1
FLAG_EXT_BLOCK_POINTERS = 0x800
KNOWN_FLAGS = 0xFFF


@dataclass(frozen=True, slots=True)
class CramfsInfo:
    """What a cramfs superblock says about its image."""

    endian: str
    size: int
    flags: int
    crc: int
    edition: int
    blocks: int
    files: int
    name: str


@dataclass(frozen=True, slots=True)
class Inode:
    """One cramfs inode: `offset` is where its data or directory entries start."""

    mode: int
    size: int
    name_length: int
    offset: int


def parse_superblock(data: bytes) -> CramfsInfo | None:
    """The superblock at the start of `data`, or None when it is not a plausible one."""
    if len(data) < SUPERBLOCK or data[16:32] != SIGNATURE:
        return None
    endian = next((e for e in "<>" if struct.unpack_from(e + "I", data)[0] == MAGIC), None)
    if endian is None:
        return None
    size, flags = struct.unpack_from(endian + "II", data, 4)
    crc, edition, blocks, files = struct.unpack_from(endian + "4I", data, 32)
    if flags & ~KNOWN_FLAGS or files < 1:
        return None
    if flags & FLAG_FSID_VERSION_2 and size < SUPERBLOCK:
        return None
    name = data[48:64].split(b"\x00", 1)[0].decode("latin-1")
    return CramfsInfo(endian, size, flags, crc, edition, blocks, files, name)


def parse_inode(raw: bytes, endian: str) -> Inode:
    """A 12-byte inode; its bit fields are packed from the low bits on little-endian images and
    from the high bits on big-endian ones."""
    first, second, third = struct.unpack(endian + "3I", raw)
    if endian == "<":
        return Inode(first & 0xFFFF, second & 0xFFFFFF, (third & 0x3F) * 4, (third >> 6) * 4)
    return Inode(first >> 16, second >> 8, (third >> 26) * 4, (third & 0x3FFFFFF) * 4)


class CramfsExtractor(Extractor):
    """Unpacks cramfs images of either byte order; device nodes are reported, never made."""

    name = "cramfs"
    description = "cramfs compressed ROM file system (little- and big-endian)"
    signatures = (Signature(SIGNATURE, 16),)
    suffixes = (".cramfs",)

    def identify(self, head: bytes, path: Path) -> bool:
        return any(parse_superblock(head[at : at + SUPERBLOCK]) for at in (0, SHIFTED))

    def measure(self, data: Blob, start: int) -> int | None:
        info = parse_superblock(bytes(data[start : start + SUPERBLOCK]))
        if info is None or not info.flags & FLAG_FSID_VERSION_2:
            return None
        return info.size

    def extract(self, src: Path, fs: SafeFS, ctx: ExtractContext) -> None:
        with open(src, "rb") as handle:
            head = handle.read(SHIFTED + SUPERBLOCK)
            at = 0 if parse_superblock(head) else SHIFTED
            info = parse_superblock(head[at:])
            if info is None:
                raise ExtractionError("no valid cramfs superblock")
            _record(info, ctx)
            if info.flags & FLAG_EXT_BLOCK_POINTERS:
                raise ExtractionError("cramfs with extended block pointers is not supported")
            with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
                _check_size_and_crc(data, at, info, ctx)
                _Reader(data, info.endian, fs, ctx).unpack(at + SUPERBLOCK - INODE)


def _record(info: CramfsInfo, ctx: ExtractContext) -> None:
    ctx.metadata.update(
        {
            "endianness": "little" if info.endian == "<" else "big",
            "size": str(info.size),
            "flags": f"0x{info.flags:x}",
            "edition": str(info.edition),
            "blocks": str(info.blocks),
            "files": str(info.files),
            "name": info.name,
        }
    )


def _check_size_and_crc(data: mmap.mmap, at: int, info: CramfsInfo, ctx: ExtractContext) -> None:
    """Record a truncated image or a CRC that does not match; unpacking goes on either way."""
    if not info.flags & FLAG_FSID_VERSION_2:
        return
    if len(data) < info.size:
        ctx.problem(ProblemKind.CORRUPT, f"image is truncated: {len(data)} of {info.size} bytes")
        return
    crc = zlib.crc32(data[at : at + 32])
    crc = zlib.crc32(b"\x00" * 4, crc)
    crc = zlib.crc32(memoryview(data)[at + 36 : info.size], crc)
    if crc != info.crc:
        ctx.problem(ProblemKind.CORRUPT, f"CRC mismatch: 0x{crc:08x}, header says 0x{info.crc:08x}")


class _Reader:
    """Walks the directory tree of one image and writes every member through the SafeFS."""

    def __init__(self, data: mmap.mmap, endian: str, fs: SafeFS, ctx: ExtractContext) -> None:
        self.data = data
        self.endian = endian
        self.fs = fs
        self.ctx = ctx

    def unpack(self, root_at: int) -> None:
        root = parse_inode(self.data[root_at : root_at + INODE], self.endian)
        if not stat.S_ISDIR(root.mode):
            raise ExtractionError("the root inode is not a directory")
        pending: list[tuple[str, Inode]] = [("", root)]
        seen = {root.offset}
        while pending:
            folder, directory = pending.pop()
            for inode, name in self.entries(folder, directory):
                self.ctx.deadline.check()
                path = f"{folder}/{name}" if folder else name
                if stat.S_ISDIR(inode.mode) and inode.size:
                    if inode.offset in seen:
                        self.ctx.problem(ProblemKind.CORRUPT, "directory loop; skipped", path)
                        continue
                    seen.add(inode.offset)
                    pending.append((path, inode))
                self.member(path, inode)

    def entries(self, folder: str, directory: Inode) -> Iterator[tuple[Inode, str]]:
        """The (inode, name) entries of a directory, as far as they are intact."""
        position, end = directory.offset, directory.offset + directory.size
        names: set[str] = set()
        while position < end:
            raw = self.data[position : position + INODE]
            inode = parse_inode(raw, self.endian) if len(raw) == INODE else None
            name_end = position + INODE + (inode.name_length if inode else 0)
            if inode is None or not inode.name_length or name_end > min(end, len(self.data)):
                self.ctx.problem(ProblemKind.CORRUPT, "directory entries are cut off", folder)
                return
            name = (
                self.data[position + INODE : name_end]
                .rstrip(b"\x00")
                .decode("utf-8", "surrogateescape")
            )
            position = name_end
            if self.valid_name(folder, name, names):
                yield inode, name

    def valid_name(self, folder: str, name: str, names: set[str]) -> bool:
        member = f"{folder}/{name}" if folder else name
        if not name or name in (".", "..") or "/" in name or "\x00" in name:
            self.ctx.problem(ProblemKind.INVALID_NAME, "unusable file name; skipped", member)
            return False
        if name in names:
            self.ctx.problem(ProblemKind.DUPLICATE_MEMBER, "second entry of this name", member)
            return False
        names.add(name)
        return True

    def member(self, path: str, inode: Inode) -> None:
        kind = stat.S_IFMT(inode.mode)
        if kind == stat.S_IFDIR:
            self.fs.mkdir(path, inode.mode)
        elif kind == stat.S_IFREG:
            self.guarded(path, lambda: self.fs.write(path, self.content(inode), inode.mode))
        elif kind == stat.S_IFLNK:
            self.guarded(path, lambda: self.fs.symlink(path, b"".join(self.content(inode))))
        elif kind in (stat.S_IFCHR, stat.S_IFBLK):
            device = f"{SPECIAL_KINDS[kind]} {inode.size >> 8},{inode.size & 0xFF}"
            self.fs.special(path, device)
        else:
            self.fs.special(path, SPECIAL_KINDS.get(kind, f"file of type 0o{kind:o}"))

    def guarded(self, path: str, write: Callable[[], object]) -> None:
        try:
            write()
        except (ValueError, zlib.error) as err:
            self.ctx.problem(ProblemKind.CORRUPT, f"data is corrupt: {err}", path)

    def content(self, inode: Inode) -> Iterator[bytes]:
        """The data of a file or symlink, page by page; raise ValueError where it is corrupt."""
        pages = (inode.size + PAGE - 1) // PAGE
        table = inode.offset
        start = table + 4 * pages
        if start > len(self.data):
            raise ValueError("block table lies past the end of the image")
        remaining = inode.size
        for index in range(pages):
            (end,) = struct.unpack_from(self.endian + "I", self.data, table + 4 * index)
            if not start <= end <= len(self.data):
                raise ValueError(f"block {index} lies outside the image")
            length = min(PAGE, remaining)
            page = _inflate(self.data[start:end], length) if end > start else bytes(length)
            yield page
            start, remaining = end, remaining - length


def _inflate(block: bytes, length: int) -> bytes:
    page = zlib.decompressobj().decompress(block, PAGE)
    if len(page) != length:
        raise ValueError(f"a block holds {len(page)} bytes instead of {length}")
    return page
