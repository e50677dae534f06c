"""JFFS2 file systems, little- and big-endian (the Linux kernel's `include/uapi/linux/jffs2.h`): a
log of nodes, each starting with the magic 0x1985, a node type, a total length and a header CRC,
aligned to 4 bytes, with erase blocks padded by 0xFF. Nodes are found and checked here, parsed and
decompressed by the jefferson library (its compressors: zlib, rtime, lzo, lzma), and the newest
entry of every name is rebuilt into a tree written through the SafeFS. jefferson's own scan is
not used: it decompresses nodes before checking their CRC and trusts their sizes."""

import mmap
import re
import stat
import struct
import threading
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jefferson.jffs2 as jefferson

from assay.extract.base import Blob, ExtractContext, ExtractionError, Extractor, Signature
from assay.extract.formats._quiet import quiet
from assay.extract.safefs import SafeFS, special_name
from assay.model.problem import ProblemKind

MAGIC = 0x1985
NODE_HEADER = 12
ROOT_INO = 1
CHUNK = 1024 * 1024
INODE_HEADER = 68
DIRENT, INODE, CLEANMARKER = 0xE001, 0xE002, 0x2003
NODE_TYPES = (DIRENT, INODE, CLEANMARKER)
MAX_NODE_DATA = 128 * 1024
"""Twice the largest page a kernel writes per node: more is a hostile node, not a real one."""
ORDERS = {"<": "little", ">": "big"}
_NOT_FF = re.compile(rb"[^\xff]")
_JEFFERSON = threading.Lock()
"""jefferson keeps the byte order of the image being read in module globals."""


def _crc(data: bytes) -> int:
    return zlib.crc32(data, 0xFFFFFFFF) ^ 0xFFFFFFFF


def _node_length(data: Blob, position: int, order: str) -> int | None:
    """Total length of the node at `position`, or None when no valid node header is there."""
    raw = bytes(data[position : position + NODE_HEADER])
    if len(raw) < NODE_HEADER:
        return None
    magic, _, length, crc = struct.unpack(order + "HHII", raw)
    if magic != MAGIC or length < NODE_HEADER or crc != _crc(raw[:8]):
        return None
    return int(length)


def byte_order(data: Blob, start: int = 0) -> str | None:
    """'<' or '>' for the byte order of the node at `start`, or None when there is none."""
    for order in ORDERS:
        if _node_length(data, start, order) is not None:
            return order
    return None


def jffs2_length(data: Blob, start: int) -> int | None:
    """Bytes from `start` to the end of the last node reachable by walking nodes, skipping
    erased (0xFF) space between them; None when no node starts at `start`."""
    order = byte_order(data, start)
    if order is None:
        return None
    position = end = start
    while position + NODE_HEADER <= len(data):
        length = _node_length(data, position, order)
        if length is None:
            resumed = _after_erased(data, start, position)
            if resumed is None or _node_length(data, resumed, order) is None:
                break
            position = resumed
            continue
        position += (length + 3) & ~3
        end = min(position, len(data))
    return end - start


def _after_erased(data: Blob, start: int, position: int) -> int | None:
    """The aligned offset of the first byte that is not 0xFF from `position` on, if the bytes
    at `position` are erased flash."""
    if data[position] != 0xFF:
        return None
    found = _NOT_FF.search(data, position)
    if found is None:
        return None
    return start + ((found.start() - start) & ~3)


class Jffs2Extractor(Extractor):
    """Rebuilds the files of a JFFS2 image of either byte order."""

    name = "jffs2"
    requires_modules = ("jefferson",)
    description = "JFFS2 flash file system"
    signatures = tuple(
        Signature(struct.pack(order + "HH", MAGIC, kind)) for order in ORDERS for kind in NODE_TYPES
    )
    suffixes = (".jffs2",)

    def identify(self, head: bytes, path: Path) -> bool:
        return byte_order(head) is not None

    def measure(self, data: Blob, start: int) -> int | None:
        return jffs2_length(data, start)

    def extract(self, src: Path, fs: SafeFS, ctx: ExtractContext) -> None:
        with open(src, "rb") as handle:
            order = byte_order(handle.read(NODE_HEADER))
            if order is None:
                raise ExtractionError("not a JFFS2 image: no valid node at the start")
            with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
                log = _scan(data, order, ctx)
        ctx.metadata["endianness"] = ORDERS[order]
        if log.skipped:
            ctx.problem(
                ProblemKind.CORRUPT,
                f"{log.skipped} nodes failed their CRC, were cut short or were implausible; "
                "skipped",
            )
        _Tree(log, fs, ctx).write()


@dataclass(slots=True)
class _Log:
    """The nodes of an image that passed their checks: the newest entry of every name in every
    directory, and every data node of every inode."""

    order: str
    entries: dict[tuple[int, bytes], Any] = field(default_factory=dict)
    inodes: dict[int, list[Any]] = field(default_factory=dict)
    skipped: int = 0

    def add(self, node: bytes, position: int) -> None:
        (kind,) = struct.unpack_from(self.order + "H", node, 2)
        try:
            if kind == DIRENT:
                self.add_dirent(jefferson.parse_dirent(node, position))
            elif kind == INODE:
                self.add_inode(node)
        except Exception:  # jefferson's parser raises whatever a damaged node makes it meet
            self.skipped += 1

    def add_dirent(self, dirent: Any) -> None:
        if not dirent.node_crc_match or len(dirent.name) != dirent.nsize:
            self.skipped += 1
            return
        key = (int(dirent.pino), bytes(dirent.name))
        known = self.entries.get(key)
        if known is None or dirent.version > known.version:
            self.entries[key] = dirent

    def add_inode(self, node: bytes) -> None:
        """Decompress an inode node with jefferson, after checking its CRC and that its sizes
        are those of a real node, which jefferson does not."""
        csize, dsize = struct.unpack_from(self.order + "II", node, 48)
        (node_crc,) = struct.unpack_from(self.order + "I", node, 64)
        plausible = csize <= MAX_NODE_DATA and dsize <= MAX_NODE_DATA
        if not plausible or len(node) < INODE_HEADER + csize or node_crc != _crc(node[:60]):
            self.skipped += 1
            return
        inode = jefferson.parse_inode(node)
        inode.data = bytes(inode.data[:dsize])
        self.inodes.setdefault(int(inode.ino), []).append(inode)


def _scan(data: mmap.mmap, order: str, ctx: ExtractContext) -> _Log:
    """Every node with a valid header, found by its magic as the kernel's scan does."""
    log = _Log(order)
    magic = struct.pack(order + "H", MAGIC)
    position = 0
    with _JEFFERSON, quiet():
        jefferson.set_endianness(order)
        while (position := data.find(magic, position)) >= 0:
            ctx.deadline.check()
            length = _node_length(data, position, order)
            if length is None:
                position += 1
                continue
            node = data[position : position + length]
            if len(node) < length:
                log.skipped += 1
            else:
                log.add(node, position)
            position += (length + 3) & ~3
    return log


class _Tree:
    """The live entries of a scanned image, written out through the SafeFS."""

    def __init__(self, log: _Log, fs: SafeFS, ctx: ExtractContext) -> None:
        self.live = [entry for entry in log.entries.values() if entry.ino != 0]
        self.parents = {int(entry.ino): entry for entry in self.live}
        self.inodes = log.inodes
        self.fs = fs
        self.ctx = ctx
        self.first_links: dict[int, bytes] = {}

    def write(self) -> None:
        located = [(self.path(entry), entry) for entry in self.live]
        for path, entry in sorted(located, key=lambda item: item[0] or b""):
            self.ctx.deadline.check()
            if path is None:
                self.ctx.problem(ProblemKind.CORRUPT, f"directory loop at inode {entry.ino}")
                continue
            versions = sorted(self.inodes.get(int(entry.ino), []), key=lambda n: n.version)
            if not versions:
                self.problem("entry has no inode", path)
                continue
            if not all(n.data_crc_match and len(n.data) == n.dsize for n in versions):
                self.problem("data fails its CRC or does not decompress", path)
            self.entry(path, int(entry.ino), versions)

    def problem(self, message: str, path: bytes) -> None:
        self.ctx.problem(ProblemKind.CORRUPT, message, member=path.decode("utf-8", "replace"))

    def path(self, entry: Any) -> bytes | None:
        """The entry's path from the root; None on a directory loop. An entry whose parent is
        missing is placed under the deepest ancestor that is known."""
        names = [bytes(entry.name)]
        seen: set[int] = set()
        parent = int(entry.pino)
        while parent != ROOT_INO and parent in self.parents:
            if parent in seen:
                return None
            seen.add(parent)
            names.append(bytes(self.parents[parent].name))
            parent = int(self.parents[parent].pino)
        return b"/".join(reversed(names))

    def entry(self, path: bytes, ino: int, versions: list[Any]) -> None:
        newest = versions[-1]
        mode = int(newest.mode)
        if stat.S_ISDIR(mode):
            self.fs.mkdir(path, mode)
        elif stat.S_ISLNK(mode):
            self.fs.symlink(path, bytes(newest.data))
        elif stat.S_ISREG(mode) and ino in self.first_links:
            self.fs.hardlink(path, self.first_links[ino])
        elif stat.S_ISREG(mode):
            self.first_links[ino] = path
            self.fs.write(path, _content(versions, int(newest.isize)), mode)
        else:
            self.fs.special(path, special_name(mode))


def _content(versions: list[Any], size: int) -> Iterator[bytes]:
    """A file's bytes from its data nodes, later versions overwriting earlier ones; holes are
    zeros. Each node's data is placed in the 1 MiB chunks it covers."""
    buckets: dict[int, list[tuple[int, bytes]]] = {}
    for node in versions:
        data, offset = bytes(node.data), int(node.offset)
        if not data or offset >= size:
            continue
        for index in range(offset // CHUNK, (min(offset + len(data), size) - 1) // CHUNK + 1):
            buckets.setdefault(index, []).append((offset, data))
    for index in range(0, (size + CHUNK - 1) // CHUNK):
        low, high = index * CHUNK, min((index + 1) * CHUNK, size)
        chunk = bytearray(high - low)
        for offset, data in buckets.get(index, ()):
            first, last = max(offset, low), min(offset + len(data), high)
            chunk[first - low : last - low] = data[first - offset : last - offset]
        yield bytes(chunk)
