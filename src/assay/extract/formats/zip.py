"""ZIP archives (PKWARE APPNOTE.TXT 6.3.10), including zip64; read member by member with the
standard library's `zipfile`, every write through the SafeFS. An archive whose central directory
cannot be read (e.g. cut short) is handed to 7-Zip, which recovers members from local headers."""

import lzma
import stat
import struct
import zipfile
import zlib
from pathlib import Path

from assay.extract.base import Blob, ExtractContext, ExtractionError, Extractor, Signature
from assay.extract.formats.sevenzip import unpack_with_7z
from assay.extract.safefs import SafeFS
from assay.model.problem import ProblemKind, ProblemLevel

LOCAL = b"PK\x03\x04"
CENTRAL = b"PK\x01\x02"
END = b"PK\x05\x06"
ZIP64_LOCATOR = b"PK\x06\x07"
ZIP64_END = b"PK\x06\x06"
LOCAL_SIZE = 30
END_SIZE = 22
LOCATOR_SIZE = 20
ZIP64_END_SIZE = 56
UNIX = 3
FLAG_ENCRYPTED = 0x1
DOS_DIRECTORY = 0x10
MAX_LINK = 4096
MEMBER_ERRORS = (zipfile.BadZipFile, zlib.error, lzma.LZMAError, EOFError, OSError, RuntimeError)


def _numbers(layout: str, raw: bytes, offset: int) -> tuple[int, ...]:
    return tuple(int(value) for value in struct.unpack_from(layout, raw, offset))


def _method_known(method: int) -> bool:
    return method <= 20 or 93 <= method <= 99


def _local_header_ok(data: Blob, position: int) -> bool:
    raw = bytes(data[position : position + LOCAL_SIZE])
    if len(raw) < LOCAL_SIZE or raw[:4] != LOCAL:
        return False
    version, _, method = struct.unpack_from("<HHH", raw, 4)
    name_length = struct.unpack_from("<H", raw, 26)[0]
    return (version & 0xFF) <= 100 and _method_known(method) and name_length > 0


class ZipExtractor(Extractor):
    """Unpacks ZIP archives (and jar/apk and other zip-based files)."""

    name = "zip"
    description = "ZIP archive (PKWARE APPNOTE), including zip64"
    signatures = (Signature(LOCAL),)
    suffixes = (".zip", ".jar", ".apk")

    def identify(self, head: bytes, path: Path) -> bool:
        return _local_header_ok(head, 0)

    def measure(self, data: Blob, start: int) -> int | None:
        if not _local_header_ok(data, start):
            return None
        haystack = data if not isinstance(data, memoryview) else bytes(data)
        position = start
        while (found := haystack.find(END, position)) >= 0:
            end = _archive_end(data, start, found)
            if end is not None:
                return end - start
            position = found + 1
        return None

    def extract(self, src: Path, fs: SafeFS, ctx: ExtractContext) -> None:
        try:
            archive = zipfile.ZipFile(src)
        except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError) as err:
            _recover(src, fs, ctx, err)
            return
        with archive:
            for info in archive.infolist():
                ctx.deadline.check()
                _member(archive, info, fs, ctx)


def _recover(src: Path, fs: SafeFS, ctx: ExtractContext, err: Exception) -> None:
    """Unpack an archive whose central directory is unreadable from its local headers."""
    try:
        unpack_with_7z(src, fs, ctx, "zip")
    except ExtractionError as fallback:
        raise ExtractionError(f"not a readable zip archive: {err}; {fallback}") from err
    ctx.problem(
        ProblemKind.CORRUPT,
        f"central directory unreadable ({err}); members recovered from local headers by 7-Zip",
        level=ProblemLevel.ERROR,
    )


def _archive_end(data: Blob, start: int, end_at: int) -> int | None:
    """End of the archive starting at `start` whose end record sits at `end_at`, or None when
    that record does not belong to it."""
    record = bytes(data[end_at : end_at + END_SIZE])
    if len(record) < END_SIZE:
        return None
    entries, cd_size, cd_offset, comment = _numbers("<HIIH", record, 10)
    directory_end = end_at
    if entries == 0xFFFF or 0xFFFFFFFF in (cd_size, cd_offset):
        zip64 = _zip64_directory(data, start, end_at)
        if zip64 is None:
            return None
        cd_size, cd_offset, directory_end = zip64
    if start + cd_offset + cd_size != directory_end:
        return None
    if bytes(data[start + cd_offset : start + cd_offset + 4]) != CENTRAL:
        return None
    return min(end_at + END_SIZE + comment, len(data))


def _zip64_directory(data: Blob, start: int, end_at: int) -> tuple[int, int, int] | None:
    """(central directory size, offset, zip64 end record position) from the zip64 records."""
    if end_at - LOCATOR_SIZE < start:
        return None
    locator = bytes(data[end_at - LOCATOR_SIZE : end_at])
    if locator[:4] != ZIP64_LOCATOR:
        return None
    record_at = start + _numbers("<Q", locator, 8)[0]
    record = bytes(data[record_at : record_at + ZIP64_END_SIZE])
    if len(record) < ZIP64_END_SIZE or record[:4] != ZIP64_END:
        return None
    cd_size, cd_offset = _numbers("<QQ", record, 40)
    return cd_size, cd_offset, record_at


def _member(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, fs: SafeFS, ctx: ExtractContext
) -> None:
    name = info.filename.replace("\\", "/")
    mode = info.external_attr >> 16 if info.create_system == UNIX else 0
    if info.flag_bits & FLAG_ENCRYPTED:
        ctx.problem(ProblemKind.UNREADABLE, "encrypted; not extracted", name, ProblemLevel.ERROR)
        return
    try:
        if name.endswith("/") or stat.S_ISDIR(mode) or info.external_attr & DOS_DIRECTORY:
            fs.mkdir(name, mode or 0o755)
        elif stat.S_ISLNK(mode):
            _symlink(archive, info, name, fs, ctx)
        else:
            with archive.open(info) as stream:
                fs.write(name, stream, stat.S_IMODE(mode) or 0o644)
    except NotImplementedError as err:
        ctx.problem(ProblemKind.UNREADABLE, f"not extracted: {err}", name, ProblemLevel.ERROR)
    except MEMBER_ERRORS as err:
        ctx.problem(ProblemKind.CORRUPT, f"member is corrupt: {err}", name, ProblemLevel.ERROR)


def _symlink(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str, fs: SafeFS, ctx: ExtractContext
) -> None:
    if info.file_size > MAX_LINK:
        ctx.problem(ProblemKind.INVALID_NAME, "symlink target is too long; not created", name)
        return
    fs.symlink(name, archive.read(info))
