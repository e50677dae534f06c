"""ext2, ext3 and ext4 images (superblock as in the Linux kernel's
Documentation/filesystems/ext4/super.rst), read without mounting through e2fsprogs' debugfs.

debugfs's own `rdump` is not used: it follows symlinks it has just made when a directory holds
two entries of the same name, and it takes names containing '/' as paths, so a hostile image could
write outside the output folder. Instead the tree is listed directory by directory (`ls -p`),
regular files are dumped by inode number to fixed names, symlinks are re-created from `rdump` of
the single link inode, and the tree is laid out here from checked names."""

import os
import re
import stat
import struct
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from assay.extract.base import Blob, ExtractContext, ExtractionError, Extractor, Signature
from assay.extract.safefs import SafeFS
from assay.model.problem import ProblemKind

SUPERBLOCK_AT = 1024
SUPERBLOCK = 1024
MAGIC = b"\x53\xef"
ROOT_INODE = 2
INCOMPAT_64BIT = 0x80
EXT3_INCOMPAT = 0x1F
EXT3_RO_COMPAT = 0x7
ENTRY = re.compile(rb"^/(\d+)/([0-7]+)/\d+/\d+/(.*)/(\d*)/$")
MARKER = re.compile(rb"^debugfs: ls -p <(\d+)>$")
SPECIAL_KINDS = {
    stat.S_IFCHR: "character device",
    stat.S_IFBLK: "block device",
    stat.S_IFIFO: "FIFO",
    stat.S_IFSOCK: "socket",
}


@dataclass(frozen=True, slots=True)
class ExtInfo:
    """What an ext2/3/4 superblock says about its file system."""

    block_size: int
    blocks: int
    inodes: int
    revision: int
    features: tuple[int, int, int]
    uuid: str
    label: str
    mkfs_time: int

    @property
    def size(self) -> int:
        """Bytes the file system spans."""
        return self.blocks * self.block_size

    @property
    def flavour(self) -> str:
        """ext4 when it uses ext4-only features, ext3 with a journal, ext2 otherwise."""
        compat, incompat, ro_compat = self.features
        if incompat & ~EXT3_INCOMPAT or ro_compat & ~EXT3_RO_COMPAT:
            return "ext4"
        return "ext3" if compat & 0x4 else "ext2"


def parse_superblock(sb: bytes) -> ExtInfo | None:
    """The superblock `sb` (1024 bytes from offset 1024 of the image), or None if implausible."""
    if len(sb) < SUPERBLOCK or sb[56:58] != MAGIC:
        return None
    inodes, blocks_lo, _, _, _, first_data, log_block = struct.unpack_from("<7I", sb, 0)
    per_group, _, inodes_per_group = struct.unpack_from("<3I", sb, 32)
    state, errors = struct.unpack_from("<HH", sb, 58)
    revision = struct.unpack_from("<I", sb, 76)[0]
    features = struct.unpack_from("<3I", sb, 92)
    if log_block > 6 or state > 7 or errors > 3 or revision > 1:
        return None
    block_size = 1024 << log_block
    if first_data != (1 if block_size == 1024 else 0) or not inodes or not inodes_per_group:
        return None
    if not 0 < per_group <= 8 * block_size:
        return None
    blocks_hi = struct.unpack_from("<I", sb, 0x150)[0] if features[1] & INCOMPAT_64BIT else 0
    blocks = blocks_lo | blocks_hi << 32
    if not blocks:
        return None
    label = sb[120:136].split(b"\x00", 1)[0].decode("utf-8", "replace")
    mkfs_time = struct.unpack_from("<I", sb, 0x108)[0]
    volume_id = str(uuid.UUID(bytes=sb[104:120]))
    return ExtInfo(block_size, blocks, inodes, revision, features, volume_id, label, mkfs_time)


@dataclass(slots=True)
class _Tree:
    """The listed tree: where every member goes, by kind."""

    dirs: list[tuple[str, int]] = field(default_factory=list)
    files: list[tuple[str, int, int]] = field(default_factory=list)
    links: list[tuple[str, int]] = field(default_factory=list)
    specials: list[tuple[str, str]] = field(default_factory=list)


class ExtfsExtractor(Extractor):
    """Unpacks ext2/3/4 images through debugfs, keeping modes (setuid too) and symlinks."""

    name = "extfs"
    description = "ext2/ext3/ext4 file system image"
    signatures = tuple(Signature(MAGIC + bytes([state, 0]), 1080) for state in range(8))
    requires_tools = ("debugfs",)
    suffixes = (".ext2", ".ext3", ".ext4")

    def identify(self, head: bytes, path: Path) -> bool:
        return parse_superblock(head[SUPERBLOCK_AT : SUPERBLOCK_AT + SUPERBLOCK]) is not None

    def measure(self, data: Blob, start: int) -> int | None:
        at = start + SUPERBLOCK_AT
        info = parse_superblock(bytes(data[at : at + SUPERBLOCK]))
        return None if info is None else info.size

    def extract(self, src: Path, fs: SafeFS, ctx: ExtractContext) -> None:
        with open(src, "rb") as handle:
            handle.seek(SUPERBLOCK_AT)
            info = parse_superblock(handle.read(SUPERBLOCK))
        if info is None:
            raise ExtractionError("no valid ext2/3/4 superblock")
        _record(info, ctx)
        size = src.stat().st_size
        if size < info.size:
            ctx.problem(ProblemKind.CORRUPT, f"image is truncated: {size} of {info.size} bytes")
        staging = ctx.staging()
        tree = _list_tree(src, staging, ctx)
        _dump(src, staging, tree, ctx)
        _lay_out(staging, tree, ctx)
        fs.import_tree(staging / "root")
        for name, ino in tree.links:
            link = staging / "hold" / f"<{ino}>"
            if link.is_symlink():
                fs.symlink(name, os.readlink(link))
            else:
                ctx.problem(ProblemKind.CORRUPT, "symlink target could not be read", name)
        for name, what in tree.specials:
            fs.special(name, what)


def _record(info: ExtInfo, ctx: ExtractContext) -> None:
    ctx.metadata.update(
        {
            "flavour": info.flavour,
            "block_size": str(info.block_size),
            "blocks": str(info.blocks),
            "inode_count": str(info.inodes),
            "revision": str(info.revision),
            "features": "compat=0x{:x} incompat=0x{:x} ro_compat=0x{:x}".format(*info.features),
            "uuid": info.uuid,
            "label": info.label,
        }
    )
    if info.mkfs_time:
        ctx.metadata["mkfs_time"] = datetime.fromtimestamp(info.mkfs_time, UTC).isoformat()


def _debugfs(src: Path, staging: Path, commands: list[str], ctx: ExtractContext) -> Path:
    """Run debugfs commands over `src` in staging/hold; return the file holding its output."""
    hold = staging / "hold"
    hold.mkdir(exist_ok=True)
    script = staging / "commands"
    script.write_text("".join(line + "\n" for line in commands))
    output = staging / "output"
    result = ctx.run(["debugfs", "-f", str(script), str(src)], watch=hold, cwd=hold, stdout=output)
    if result.returncode != 0 or "while trying to open" in result.stderr:
        raise ExtractionError(f"debugfs cannot read the image: {_tail(result.stderr)}")
    return output


def _list_tree(src: Path, staging: Path, ctx: ExtractContext) -> _Tree:
    """Walk the directories breadth first, one debugfs run per level. Of several entries with
    one name only the first is kept, as a lookup by name would find."""
    tree = _Tree()
    level: dict[int, str] = {ROOT_INODE: ""}
    seen = {ROOT_INODE}
    taken: set[str] = set()
    while level:
        output = _debugfs(src, staging, [f"ls -p <{ino}>" for ino in level], ctx)
        following: dict[int, str] = {}
        for parent, ino, mode, name in _entries(output, ctx):
            path = _child(level.get(parent), name, ctx)
            if path is None or _taken(path, taken, ctx):
                continue
            if stat.S_ISDIR(mode):
                if ino in seen:
                    ctx.problem(ProblemKind.CORRUPT, "directory appears twice; skipped", path)
                    continue
                seen.add(ino)
                following[ino] = path
            _sort(tree, path, ino, mode)
        level = following
    return tree


def _taken(path: str, taken: set[str], ctx: ExtractContext) -> bool:
    if path in taken:
        ctx.problem(ProblemKind.DUPLICATE_MEMBER, "second entry of this name; skipped", path)
        return True
    taken.add(path)
    return False


def _entries(output: Path, ctx: ExtractContext) -> Iterator[tuple[int, int, int, str]]:
    """(directory inode, inode, mode, name) for each entry of `ls -p` output."""
    parent = 0
    with open(output, "rb") as lines:
        for raw in lines:
            ctx.deadline.check()
            line = raw.rstrip(b"\n")
            marker = MARKER.match(line)
            if marker is not None:
                parent = int(marker.group(1))
                continue
            entry = ENTRY.match(line)
            if entry is None or entry.group(1) == b"0" or entry.group(3) in (b".", b".."):
                continue
            name = entry.group(3).decode("utf-8", "surrogateescape")
            yield parent, int(entry.group(1)), int(entry.group(2), 8), name


def _child(parent: str | None, name: str, ctx: ExtractContext) -> str | None:
    if parent is None:
        return None
    if not name or "/" in name or "\x00" in name:
        ctx.problem(ProblemKind.INVALID_NAME, "unusable file name; skipped", f"{parent}/{name}")
        return None
    return f"{parent}/{name}" if parent else name


def _sort(tree: _Tree, path: str, ino: int, mode: int) -> None:
    kind = stat.S_IFMT(mode)
    if kind == stat.S_IFDIR:
        tree.dirs.append((path, mode))
    elif kind == stat.S_IFREG:
        tree.files.append((path, ino, mode))
    elif kind == stat.S_IFLNK:
        tree.links.append((path, ino))
    else:
        tree.specials.append((path, SPECIAL_KINDS.get(kind, f"file of type 0o{kind:o}")))


def _dump(src: Path, staging: Path, tree: _Tree, ctx: ExtractContext) -> None:
    """Dump each regular inode once to hold/f<ino> and each symlink inode to hold/<ino>."""
    inodes = sorted({ino for _, ino, _ in tree.files})
    commands = [f"dump <{ino}> f{ino}" for ino in inodes]
    commands += [f"rdump <{ino}> ." for ino in sorted({ino for _, ino in tree.links})]
    if commands:
        _debugfs(src, staging, commands, ctx)


def _lay_out(staging: Path, tree: _Tree, ctx: ExtractContext) -> None:
    """Build staging/root from the listing: directories, then files moved or linked in."""
    root = staging / "root"
    root.mkdir()
    for path, _ in tree.dirs:
        ctx.deadline.check()
        (root / path).mkdir()
    placed: dict[int, Path] = {}
    for path, ino, mode in tree.files:
        ctx.deadline.check()
        target = root / path
        if ino in placed:
            os.link(placed[ino], target)
            continue
        dumped = staging / "hold" / f"f{ino}"
        if not dumped.is_file():
            ctx.problem(ProblemKind.CORRUPT, "debugfs could not dump this file", path)
            continue
        dumped.rename(target)
        os.chmod(target, stat.S_IMODE(mode))
        placed[ino] = target
    for path, mode in reversed(tree.dirs):
        os.chmod(root / path, stat.S_IMODE(mode) | 0o700)


def _tail(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip() and "debugfs 1." not in line]
    return " / ".join(lines[-3:]) or "no error message"
