"""tar archives (POSIX ustar/pax, GNU, v7), uncompressed; compressed tars are unpacked as a
compression stream first and then as tar. Read with the standard library's `tarfile`, member by
member, every write through the SafeFS."""

import tarfile
from pathlib import Path

from assay.extract.base import Blob, ExtractContext, ExtractionError, Extractor, Signature
from assay.extract.safefs import SafeFS

BLOCK = 512


def checksum_ok(header: bytes) -> bool:
    """True when `header` is a 512-byte tar header whose checksum field matches."""
    if len(header) < BLOCK:
        return False
    stored = header[148:156].replace(b"\x00", b" ").strip()
    try:
        expected = int(stored, 8)
    except ValueError:
        return False
    unsigned = sum(header[:148]) + 8 * 32 + sum(header[156:BLOCK])
    return expected == unsigned


class TarExtractor(Extractor):
    """Unpacks tar archives of every common dialect."""

    name = "tar"
    description = "tar archive (POSIX ustar/pax, GNU, v7)"
    signatures = (Signature(b"ustar", 257),)
    suffixes = (".tar",)

    def identify(self, head: bytes, path: Path) -> bool:
        if head[257:262] == b"ustar":
            return checksum_ok(head[:BLOCK])
        return path.name.lower().endswith(".tar") and checksum_ok(head[:BLOCK])

    def measure(self, data: Blob, start: int) -> int | None:
        position = start
        total = len(data)
        members = 0
        while position + BLOCK <= total:
            header = bytes(data[position : position + BLOCK])
            if header == b"\x00" * BLOCK:
                end = position + 2 * BLOCK
                return (min(end, total) - start) if members else None
            if not checksum_ok(header):
                return (position - start) if members else None
            size = _member_size(header)
            if size is None:
                return None
            members += 1
            position += BLOCK + (size + BLOCK - 1) // BLOCK * BLOCK
        return (min(position, total) - start) if members else None

    def extract(self, src: Path, fs: SafeFS, ctx: ExtractContext) -> None:
        try:
            archive = tarfile.open(src, mode="r:", errorlevel=1)  # noqa: SIM115 - closed below
        except (tarfile.TarError, OSError) as err:
            raise ExtractionError(f"not a readable tar archive: {err}") from err
        with archive:
            try:
                for member in archive:
                    ctx.deadline.check()
                    write_member(archive, member, fs)
            except tarfile.TarError as err:
                raise ExtractionError(f"tar archive is corrupt: {err}") from err


def write_member(archive: tarfile.TarFile, member: tarfile.TarInfo, fs: SafeFS) -> None:
    """Write one member of an open archive through `fs`; the archive may be read as a stream."""
    if member.isdir():
        fs.mkdir(member.name, member.mode)
    elif member.issym():
        fs.symlink(member.name, member.linkname)
    elif member.islnk():
        fs.hardlink(member.name, member.linkname)
    elif member.isreg():
        stream = archive.extractfile(member)
        if stream is not None:
            fs.write(member.name, stream, member.mode)
    elif member.ischr() or member.isblk():
        kind = "character device" if member.ischr() else "block device"
        fs.special(member.name, f"{kind} {member.devmajor},{member.devminor}")
    elif member.isfifo():
        fs.special(member.name, "FIFO")
    else:
        fs.special(member.name, f"tar member of type {member.type!r}")


def _member_size(header: bytes) -> int | None:
    field = header[124:136]
    if field[0] & 0x80:
        return int.from_bytes(field[1:], "big")
    text = field.replace(b"\x00", b" ").strip()
    try:
        return int(text, 8) if text else 0
    except ValueError:
        return None
