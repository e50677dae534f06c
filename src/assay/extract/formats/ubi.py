"""UBI images (the Linux kernel's `drivers/mtd/ubi/ubi-media.h`: physical erase blocks, each
starting with an erase-counter header, magic "UBI#", and a volume-identifier header) and raw
UBIFS images (`fs/ubifs/ubifs-media.h`: a superblock node, magic 0x06101831, first).

Both are read with the ubireader library. A UBI image is written out one member per volume, so
that the recursion unpacks what each volume holds (UBIFS, squashfs, a kernel); a UBIFS image's
index is walked by ubireader and its files are written one by one through the SafeFS."""

import mmap
import re
import stat
import struct
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

from ubireader.ubi import ubi as UbiImage
from ubireader.ubi_io import ubi_file as UbiFile
from ubireader.ubifs import ubifs as Ubifs
from ubireader.ubifs import walk
from ubireader.ubifs.defines import (
    UBIFS_BLOCK_SIZE,
    UBIFS_DATA_KEY,
    UBIFS_ITYPE_DIR,
    UBIFS_ITYPE_LNK,
    UBIFS_ITYPE_REG,
    UBIFS_S_KEY_BLOCK_BITS,
)
from ubireader.ubifs.misc import decompress

from assay.extract.base import Blob, ExtractContext, ExtractionError, Extractor, Signature
from assay.extract.formats._quiet import quiet
from assay.extract.safefs import SafeFS
from assay.model.problem import ProblemKind, ProblemLevel

T = TypeVar("T")

UBI_MAGIC = b"UBI#"
EC_HEADER = struct.Struct(">4sB3xQIII32xI")
UBIFS_MAGIC = b"\x31\x18\x10\x06"
UBIFS_HEADER = struct.Struct("<4sIQIBB2x")
UBIFS_SB = struct.Struct("<2xBBIIII")
SB_NODE = 6
FLAG_ENCRYPTION = 16
MIN_BLOCK_SHIFT, MAX_BLOCK_SHIFT = 12, 24
ROOT_INO = 1
CHUNK = 1024 * 1024
FIRST_DATA_KEY = UBIFS_DATA_KEY << UBIFS_S_KEY_BLOCK_BITS
SPECIAL_TYPES = {3: "block device", 4: "character device", 5: "FIFO", 6: "socket"}
_NOT_FF = re.compile(rb"[^\xff]")


def _ec_data_offset(data: Blob, position: int) -> int | None:
    """The data offset of a valid erase-counter header at `position`, else None."""
    raw = bytes(data[position : position + EC_HEADER.size])
    if len(raw) < EC_HEADER.size or raw[:4] != UBI_MAGIC:
        return None
    _, _, _, _, data_offset, _, crc = EC_HEADER.unpack(raw)
    if zlib.crc32(raw[:-4]) ^ 0xFFFFFFFF != crc:
        return None
    return int(data_offset)


def peb_size(data: Blob, start: int) -> int | None:
    """The erase block size: the smallest power of two at which the next erase-counter header
    follows the one at `start`."""
    data_offset = _ec_data_offset(data, start)
    if data_offset is None:
        return None
    for shift in range(MIN_BLOCK_SHIFT, MAX_BLOCK_SHIFT + 1):
        size = 1 << shift
        if size > data_offset and _ec_data_offset(data, start + size) is not None:
            return size
    return None


def ubi_length(data: Blob, start: int) -> int | None:
    """Bytes spanned by the UBI erase blocks that follow each other from `start`; erased blocks
    between them count, trailing ones do not."""
    size = peb_size(data, start)
    if size is None:
        return None
    position = end = start
    blocks = 0
    while position < len(data):
        if _ec_data_offset(data, position) is not None:
            blocks += 1
            position += size
            end = position
        elif _NOT_FF.search(data, position, min(position + size, len(data))) is None:
            position += size
        else:
            break
    return end - start if blocks >= 2 else None


def ubifs_geometry(data: Blob, start: int) -> tuple[int, int, int] | None:
    """(LEB size, LEB count, flags) of a UBIFS superblock node at `start` whose CRC is right."""
    raw = bytes(data[start : start + UBIFS_HEADER.size + UBIFS_SB.size])
    if len(raw) < UBIFS_HEADER.size + UBIFS_SB.size or raw[:4] != UBIFS_MAGIC:
        return None
    _, crc, _, length, node_type, _ = UBIFS_HEADER.unpack_from(raw)
    if node_type != SB_NODE or not len(raw) <= length <= 64 * 1024:
        return None
    node = bytes(data[start + 8 : start + length])
    if len(node) != length - 8 or zlib.crc32(node) ^ 0xFFFFFFFF != crc:
        return None
    _, _, flags, _, leb_size, leb_count = UBIFS_SB.unpack_from(raw, UBIFS_HEADER.size)
    if not 1 << MIN_BLOCK_SHIFT <= leb_size <= 1 << MAX_BLOCK_SHIFT or leb_count < 1:
        return None
    return int(leb_size), int(leb_count), int(flags)


def _quietly(action: Callable[[], T], what: str) -> T:
    """Run a ubireader call, which prints as it goes and exits the process on fatal errors."""
    try:
        with quiet() as printed:
            return action()
    except SystemExit:
        lines = printed.getvalue().strip().splitlines()
        raise ExtractionError(f"{what}: {lines[-1] if lines else 'ubireader gave up'}") from None
    except Exception as err:  # ubireader raises bare Exception and whatever its parsers meet
        raise ExtractionError(f"{what}: {type(err).__name__}: {err}") from err


class UbiExtractor(Extractor):
    """Writes every volume of a UBI image as a member named after the volume."""

    name = "ubi"
    requires_modules = ("ubireader",)
    description = "UBI flash image"
    signatures = (Signature(UBI_MAGIC),)
    suffixes = (".ubi",)

    def identify(self, head: bytes, path: Path) -> bool:
        return _ec_data_offset(head, 0) is not None

    def measure(self, data: Blob, start: int) -> int | None:
        return ubi_length(data, start)

    def extract(self, src: Path, fs: SafeFS, ctx: ExtractContext) -> None:
        size, whole = _whole_blocks(src, ctx)
        source = _quietly(lambda: UbiFile(str(src), size, 0, whole), "cannot open UBI image")
        try:
            image = _quietly(lambda: UbiImage(source), "cannot read UBI image")
            ctx.metadata["peb_size"] = str(size)
            ctx.metadata["leb_size"] = str(image.leb_size)
            ctx.metadata["min_io_size"] = str(image.min_io_size)
            for layout in image.images:
                prefix = "" if len(image.images) == 1 else f"image-{layout.image_seq}/"
                for name, volume in sorted(layout.volumes.items()):
                    ctx.deadline.check()
                    _write_volume(image, volume, prefix + name, fs, ctx)
        finally:
            source.close()


def _whole_blocks(src: Path, ctx: ExtractContext) -> tuple[int, int]:
    """The erase block size, and the bytes of the file that make whole erase blocks."""
    with (
        open(src, "rb") as handle,
        mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data,
    ):
        size, total = peb_size(data, 0), len(data)
    if size is None:
        raise ExtractionError("not a UBI image: no second erase-counter header")
    if total % size:
        ctx.problem(
            ProblemKind.CORRUPT,
            f"UBI image is truncated: its last erase block has {total % size} of {size} bytes",
            level=ProblemLevel.ERROR,
        )
    return size, total - total % size


def _write_volume(image: Any, volume: Any, name: str, fs: SafeFS, ctx: ExtractContext) -> None:
    blocks = volume.get_blocks(image.blocks)
    kind = "static" if volume.vol_rec.vol_type == 2 else "dynamic"
    ctx.metadata[f"volume.{name}"] = f"id {volume.vol_id}, {kind}, {len(blocks)} LEBs"
    if blocks:
        fs.write(name, _volume_data(image, blocks))


def _volume_data(image: Any, blocks: dict[int, Any]) -> Iterator[bytes]:
    """A volume's LEBs in order; LEBs that were never written read as erased flash."""
    by_leb: dict[int, Any] = {}
    for block in blocks.values():
        by_leb.setdefault(int(block.leb_num), block)
    for leb in range(max(by_leb) + 1):
        block = by_leb.get(leb)
        yield b"\xff" * image.leb_size if block is None else image.file.read_block_data(block)


class UbifsExtractor(Extractor):
    """Writes the files of a UBIFS image."""

    name = "ubifs"
    requires_modules = ("ubireader",)
    description = "UBIFS file system image"
    signatures = (Signature(UBIFS_MAGIC),)
    suffixes = (".ubifs",)

    def identify(self, head: bytes, path: Path) -> bool:
        return ubifs_geometry(head, 0) is not None

    def measure(self, data: Blob, start: int) -> int | None:
        geometry = ubifs_geometry(data, start)
        return None if geometry is None else geometry[0] * geometry[1]

    def extract(self, src: Path, fs: SafeFS, ctx: ExtractContext) -> None:
        with open(src, "rb") as handle:
            geometry = ubifs_geometry(handle.read(64 * 1024), 0)
        if geometry is None:
            raise ExtractionError("not a UBIFS image: no valid superblock node")
        leb_size, leb_count, flags = geometry
        ctx.metadata["leb_size"] = str(leb_size)
        ctx.metadata["leb_count"] = str(leb_count)
        if flags & FLAG_ENCRYPTION:
            ctx.problem(ProblemKind.CORRUPT, "UBIFS is encrypted; names and data are unreadable")
        source = _quietly(lambda: UbiFile(str(src), leb_size), "cannot open UBIFS image")
        try:
            volume = _quietly(lambda: Ubifs(source), "cannot read UBIFS image")
            inodes = _index(volume, ctx)
            with quiet():  # ubireader prints its decompression errors
                _UbifsTree(volume, inodes, fs, ctx).write()
        finally:
            source.close()


def _index(volume: Any, ctx: ExtractContext) -> dict[int, Any]:
    """Every inode, entry and data node reachable from the master node's index root."""
    inodes: dict[int, Any] = {}
    master = volume.master_node
    try:
        _quietly(
            lambda: walk.index(volume, master.root_lnum, master.root_offs, inodes, []),
            "UBIFS index is damaged",
        )
    except ExtractionError as err:
        if ROOT_INO not in inodes:
            raise
        ctx.problem(ProblemKind.CORRUPT, f"{err}; files found before the damage are kept")
    if ROOT_INO not in inodes:
        raise ExtractionError("UBIFS index has no root directory")
    return inodes


class _UbifsTree:
    """Writes the directory tree under the root inode, one entry at a time."""

    def __init__(
        self, volume: Any, inodes: dict[int, Any], fs: SafeFS, ctx: ExtractContext
    ) -> None:
        self.volume = volume
        self.inodes = inodes
        self.fs = fs
        self.ctx = ctx
        self.first_links: dict[int, bytes] = {}

    def write(self) -> None:
        stack: list[tuple[int, bytes]] = [(ROOT_INO, b"")]
        visited = {ROOT_INO}
        while stack:
            ino, prefix = stack.pop()
            for dent in self.inodes[ino].get("dent", []):
                self.ctx.deadline.check()
                path = prefix + b"/" + bytes(dent.raw_name) if prefix else bytes(dent.raw_name)
                if dent.type == UBIFS_ITYPE_DIR:
                    if dent.inum in visited:
                        self.problem("directory loop", path)
                        continue
                    visited.add(dent.inum)
                    stack.append((dent.inum, path))
                self.entry(dent, path)

    def problem(self, message: str, path: bytes) -> None:
        self.ctx.problem(ProblemKind.CORRUPT, message, member=path.decode("utf-8", "replace"))

    def entry(self, dent: Any, path: bytes) -> None:
        inode = self.inodes.get(dent.inum, {}).get("ino")
        if inode is None:
            self.problem(f"entry points at missing inode {dent.inum}", path)
            return
        mode = stat.S_IMODE(inode.mode)
        if dent.type == UBIFS_ITYPE_DIR:
            self.fs.mkdir(path, mode)
        elif dent.type == UBIFS_ITYPE_LNK:
            self.fs.symlink(path, bytes(inode.data[: inode.data_len]))
        elif dent.type == UBIFS_ITYPE_REG:
            self.regular(dent.inum, inode, path, mode)
        else:
            self.fs.special(path, SPECIAL_TYPES.get(dent.type, f"entry of type {dent.type}"))

    def regular(self, inum: int, inode: Any, path: bytes, mode: int) -> None:
        first = self.first_links.get(inum)
        if first is not None:
            self.fs.hardlink(path, first)
            return
        self.first_links[inum] = path
        self.fs.write(path, self.content(self.inodes[inum], int(inode.size), path), mode)

    def content(self, entry: dict[str, Any], size: int, path: bytes) -> Iterator[bytes]:
        """The file's data nodes in block order, decompressed; holes read as zeros."""
        written = 0
        for node in sorted(entry.get("data", []), key=lambda n: n.key["khash"]):
            offset = (node.key["khash"] - FIRST_DATA_KEY) * UBIFS_BLOCK_SIZE
            if offset >= size:
                break
            if offset < written:
                continue
            yield from _zeros(offset - written)
            self.volume.file.seek(node.offset)
            raw = self.volume.file.read(node.compr_len)
            out = decompress(node.compr_type, node.size, raw)
            if out is None:
                self.problem(f"data block at {offset} does not decompress", path)
                out = b""
            out = out[: min(UBIFS_BLOCK_SIZE, size - offset)]
            yield out
            written = offset + len(out)
        yield from _zeros(size - written)


def _zeros(count: int) -> Iterator[bytes]:
    while count > 0:
        yield bytes(min(count, CHUNK))
        count -= CHUNK
