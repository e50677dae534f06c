"""7z archives (7-Zip's DOC/7zFormat.txt); unpacked by the `7z` tool of p7zip-full into a staging
folder that the SafeFS then checks entry by entry.

7-Zip refuses symlinks that climb above their own folder unless given `-snld`, which is never
passed: the refused ones are read back (from 7-Zip's messages, and with py7zr for 7z archives) and
made by the SafeFS, which refuses only those that really leave the root. 7-Zip re-roots absolute
targets into its output folder; that is undone so that the SafeFS sees the archive's own targets.
"""

import os
import stat
import struct
import zlib
from pathlib import Path

import py7zr
import py7zr.io

from assay.extract.base import Blob, ExtractContext, ExtractionError, Extractor, Signature
from assay.extract.safefs import SafeFS
from assay.extract.tools import OUTPUT_TAIL
from assay.model.problem import ProblemKind, ProblemLevel

MAGIC = b"7z\xbc\xaf\x27\x1c"
START_HEADER_SIZE = 32
MAX_CHECKED_HEADER = 64 * 1024 * 1024
DANGEROUS_LINK = "Dangerous link path was ignored : "
MAX_LINK = 4096


class SevenZipExtractor(Extractor):
    """Unpacks 7z archives with the 7-Zip command-line tool."""

    name = "7z"
    description = "7z archive (7-Zip 7zFormat.txt)"
    signatures = (Signature(MAGIC),)
    requires_tools = ("7z",)
    suffixes = (".7z",)

    def identify(self, head: bytes, path: Path) -> bool:
        return _start_header(head, 0) is not None

    def measure(self, data: Blob, start: int) -> int | None:
        header = _start_header(data, start)
        if header is None:
            return None
        next_offset, next_size, next_crc = header
        end = start + START_HEADER_SIZE + next_offset + next_size
        if next_size == 0 or end > len(data):
            return None
        if next_size <= MAX_CHECKED_HEADER and zlib.crc32(data[end - next_size : end]) != next_crc:
            return None
        return end - start

    def extract(self, src: Path, fs: SafeFS, ctx: ExtractContext) -> None:
        unpack_with_7z(src, fs, ctx, "7z")


def _start_header(data: Blob, start: int) -> tuple[int, int, int] | None:
    """(next header offset, size, CRC) from a valid signature header at `start`."""
    raw = bytes(data[start : start + START_HEADER_SIZE])
    if len(raw) < START_HEADER_SIZE or raw[:6] != MAGIC or raw[6] != 0:
        return None
    stored_crc, next_offset, next_size, next_crc = struct.unpack_from("<IQQI", raw, 8)
    if zlib.crc32(raw[12:]) != stored_crc:
        return None
    return next_offset, next_size, next_crc


def unpack_with_7z(src: Path, fs: SafeFS, ctx: ExtractContext, archive_type: str) -> None:
    """Unpack `src`, an archive of 7-Zip type `archive_type`, into `fs` through a staging folder.
    An empty password is given so that encrypted members fail instead of prompting."""
    staging = ctx.staging()
    argv = ["7z", "x", f"-t{archive_type}", "-y", "-p", "-bd", f"-o{staging.absolute()}"]
    result = ctx.run([*argv, "--", str(src.absolute())], watch=staging)
    lines = [line.strip() for line in result.stderr.splitlines() if line.strip()]
    cut = len(result.stderr.encode()) >= OUTPUT_TAIL - 8
    if cut:
        lines = lines[1:]  # the first line kept may be the end of a longer one
    refused = dict(_refused_link(line) for line in lines if DANGEROUS_LINK in line)
    if refused and cut and archive_type == "7z":
        refused.update(_missing_links(src, staging, ctx))
    for name in refused:
        _drop_placeholder(staging, name)
    _restore_absolute_links(staging)
    unexplained = [line for line in lines if DANGEROUS_LINK not in line]
    unexplained = [line for line in unexplained if not _encrypted(line, ctx)]
    if result.returncode != 0:
        errors = unexplained if lines else ["7-Zip printed no error message"]
        _failed(f"7z exited with status {result.returncode}", errors, result.stderr, staging, ctx)
    fs.import_tree(staging)
    for name, target in sorted(refused.items()):
        fs.symlink(name, target)


def _failed(what: str, errors: list[str], stderr: str, staging: Path, ctx: ExtractContext) -> None:
    """Raise when 7-Zip failed and wrote nothing; record its unexplained errors otherwise."""
    message = f"{what}: {'; '.join(errors) or stderr[-500:]}"
    if not any(staging.iterdir()):
        raise ExtractionError(message)
    if errors:
        ctx.problem(ProblemKind.CORRUPT, message, level=ProblemLevel.ERROR)


def _refused_link(line: str) -> tuple[str, str]:
    """(name, target) of a symlink 7-Zip refused: it refuses every relative link that climbs
    above its own folder, even inside the archive; the SafeFS judges them instead."""
    name, _, target = line.partition(DANGEROUS_LINK)[2].partition(" : ")
    return name, target


def _missing_links(src: Path, staging: Path, ctx: ExtractContext) -> dict[str, str]:
    """Name → target of the archive's symlinks that 7-Zip did not create, read with py7zr: the
    tail of 7-Zip's messages that is kept names only the last of the links it refused."""
    try:
        with py7zr.SevenZipFile(src) as archive:
            names = [entry.filename for entry in archive.files if entry.is_symlink]
            targets = py7zr.io.BytesIOFactory(MAX_LINK)
            archive.extract(targets=names, factory=targets)
    except Exception as err:  # py7zr cannot read every archive 7-Zip can (e.g. BCJ2)
        message = f"symlinks refused by 7-Zip and not named in its messages are missing: {err}"
        ctx.problem(ProblemKind.TOOL_FAILED, message, level=ProblemLevel.ERROR)
        return {}
    found: dict[str, str] = {}
    for name, product in targets.products.items():
        rel = os.path.normpath(name)
        if not rel.startswith(("/", "..")) and not (staging / rel).is_symlink():
            found[rel] = os.fsdecode(product.read())
    return found


def _restore_absolute_links(staging: Path) -> None:
    """Turn targets 7-Zip re-rooted into the staging folder back into the archive's absolute
    targets."""
    prefixes = {os.path.abspath(staging), os.path.realpath(staging)}
    for folder, dirs, files in os.walk(staging):
        for name in dirs + files:
            path = os.path.join(folder, name)
            if not os.path.islink(path):
                continue
            target = os.readlink(path)
            for prefix in prefixes:
                if target == prefix or target.startswith(prefix + "/"):
                    os.unlink(path)
                    os.symlink("/" + target[len(prefix) :].lstrip("/"), path)
                    break


def _encrypted(line: str, ctx: ExtractContext) -> bool:
    """Record a 7-Zip error line about an encrypted member; False for other lines."""
    if "Wrong password" not in line:
        return False
    member = line.rpartition(" : ")[2] if " : " in line else None
    ctx.problem(ProblemKind.UNREADABLE, "encrypted; not extracted", member, ProblemLevel.ERROR)
    return True


def _drop_placeholder(staging: Path, name: str) -> None:
    """Remove the empty file 7-Zip leaves in place of a refused symlink. Runs before absolute
    links are restored, while every link in the staging folder still points inside it."""
    rel = os.path.normpath(name)
    if rel.startswith(("/", "..")):
        return
    placeholder = staging / rel
    try:
        info = placeholder.lstat()
    except OSError:
        return
    if stat.S_ISREG(info.st_mode) and info.st_size == 0:
        placeholder.unlink()
