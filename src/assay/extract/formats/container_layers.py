"""Container image layers applied to a SafeFS as the OCI Image Format Specification's "Image Layer
Filesystem Changeset" says: each layer is a tar (plain, gzip or zstd) unpacked over the layers
before it, a later entry replaces an earlier one of the same path, `.wh.<name>` deletes `<name>`
from the lower layers and `.wh..wh..opq` hides everything the lower layers had in its directory.
Whiteouts only ever hide lower layers, never entries of their own layer, and are never written."""

import gzip
import io
import os
import shutil
import stat
import tarfile
import zlib
from typing import BinaryIO

import zstandard

from assay.extract.base import ExtractContext
from assay.extract.formats.tar import write_member
from assay.extract.safefs import SafeFS
from assay.model.problem import ProblemKind, ProblemLevel

WHITEOUT = ".wh."
OPAQUE = ".wh..wh..opq"
AUFS_META = ".wh..wh."
GZIP_MAGIC = b"\x1f\x8b"
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
LAYER_ERRORS = (tarfile.TarError, OSError, EOFError, zlib.error, zstandard.ZstdError)


def apply_layer(stream: io.BufferedReader, fs: SafeFS, ctx: ExtractContext, what: str) -> None:
    """Unpack one layer on top of what `fs` holds; a broken layer is recorded as a Problem after
    what could be read of it has been applied."""
    written: set[str] = set()
    try:
        with tarfile.open(fileobj=_plain(stream), mode="r|", errorlevel=1) as archive:
            for member in archive:
                ctx.deadline.check()
                _apply_member(archive, member, fs, written)
    except LAYER_ERRORS as err:
        message = f"{what} is unreadable or cut short: {err}"
        ctx.problem(ProblemKind.CORRUPT, message, level=ProblemLevel.ERROR)


def _plain(stream: io.BufferedReader) -> io.BufferedIOBase | BinaryIO:
    """The layer's tar stream, decompressed as its first bytes say (media types may lie)."""
    magic = stream.peek(len(ZSTD_MAGIC))[: len(ZSTD_MAGIC)]
    if magic.startswith(GZIP_MAGIC):
        return gzip.GzipFile(fileobj=stream, mode="rb")
    if magic == ZSTD_MAGIC:
        return zstandard.ZstdDecompressor().stream_reader(stream, read_across_frames=True)
    return stream


def _apply_member(
    archive: tarfile.TarFile, member: tarfile.TarInfo, fs: SafeFS, written: set[str]
) -> None:
    rel = fs.clean(member.name)
    if rel is None:
        return
    parent, _, base = rel.rpartition("/")
    if base == OPAQUE:
        _make_opaque(fs, parent, written)
    elif base.startswith(AUFS_META):
        return
    elif base.startswith(WHITEOUT):
        _whiteout(fs, parent, base[len(WHITEOUT) :], written, rel)
    else:
        _make_room(fs, rel, member.isdir())
        write_member(archive, member, fs)
        _remember(written, rel)


def _remember(written: set[str], rel: str) -> None:
    """Note `rel` and its parent directories as entries of the current layer."""
    while rel and rel not in written:
        written.add(rel)
        rel = rel.rpartition("/")[0]


def _whiteout(fs: SafeFS, parent: str, name: str, written: set[str], member: str) -> None:
    if name in ("", ".", ".."):
        fs.report(ProblemKind.INVALID_NAME, ProblemLevel.WARNING, "invalid whiteout name", member)
        return
    target = f"{parent}/{name}" if parent else name
    if target not in written:
        remove(fs, target)


def _make_opaque(fs: SafeFS, folder: str, written: set[str]) -> None:
    """Delete what lower layers put under `folder`, keeping this layer's own entries."""
    if folder:
        _make_room(fs, folder, is_dir=True)
        if lstat_inside(fs, folder) is None:
            fs.mkdir(folder)
        _remember(written, folder)
    info = lstat_inside(fs, folder) if folder else os.lstat(fs.root)
    if info is None or not stat.S_ISDIR(info.st_mode):
        return
    pending = [folder]
    while pending:
        current = pending.pop()
        with os.scandir(fs.root / current) as entries:
            children = [(entry.name, entry.is_dir(follow_symlinks=False)) for entry in entries]
        for name, is_dir in children:
            child = f"{current}/{name}" if current else name
            if child not in written:
                remove(fs, child)
            elif is_dir:
                pending.append(child)


def _make_room(fs: SafeFS, rel: str, is_dir: bool) -> None:
    """Remove a lower entry of another type (a file where a directory comes, or the reverse);
    a file replacing a file is left to the SafeFS."""
    info = lstat_inside(fs, rel)
    if info is not None and stat.S_ISDIR(info.st_mode) != is_dir:
        remove(fs, rel)


def lstat_inside(fs: SafeFS, rel: str) -> os.stat_result | None:
    """lstat of a cleaned relative path, or None when it or a parent is missing, or a parent
    is not a real directory (a symlink is never followed)."""
    current = fs.root
    info: os.stat_result | None = None
    for part in rel.split("/"):
        if info is not None and not stat.S_ISDIR(info.st_mode):
            return None
        current = current / part
        try:
            info = os.lstat(current)
        except (FileNotFoundError, NotADirectoryError):
            return None
    return info


def remove(fs: SafeFS, rel: str) -> bool:
    """Delete the entry at the cleaned relative path `rel` inside the root, a directory with all
    it holds, and forget its recorded modes and link targets. Nothing outside the root or
    beneath a symlink is ever touched."""
    if not rel or any(part in ("", ".", "..") for part in rel.split("/")):
        return False
    info = lstat_inside(fs, rel)
    if info is None:
        return False
    path = fs.root / rel
    is_dir = stat.S_ISDIR(info.st_mode)
    if is_dir:
        shutil.rmtree(path)
    else:
        os.unlink(path)
    _forget(fs, rel, is_dir)
    return True


def _forget(fs: SafeFS, rel: str, tree: bool) -> None:
    prefix = rel + "/"
    for table in (fs.modes, fs.link_targets):
        table.pop(rel, None)
        if tree:
            for key in [key for key in table if key.startswith(prefix)]:
                del table[key]
