"""Debian binary packages (deb(5)): an ar archive whose first member is `debian-binary`, followed
by control.tar[.gz|.xz|.zst] and data.tar[.gz|.xz|.zst|.bz2|.lzma]. The members are written as
files so that the recursion unpacks the inner tars; the Package, Version and Architecture fields of
the control file (deb-control(5)) become metadata."""

import bz2
import gzip
import io
import lzma
import tarfile
import zlib
from collections.abc import Callable
from pathlib import Path

import zstandard

from assay.extract.base import Blob, ExtractContext, Extractor, Signature
from assay.extract.formats.ar import MAGIC, ArExtractor, extract_members, first_name
from assay.extract.safefs import SafeFS

FORMAT_MEMBER = b"debian-binary"
CONTROL_CAP = 4 * 1024 * 1024
CONTROL_FIELDS = ("Package", "Version", "Architecture")
READ_ERRORS = (
    OSError,
    EOFError,
    ValueError,
    zlib.error,
    lzma.LZMAError,
    zstandard.ZstdError,
    tarfile.TarError,
)
COMPRESSED_OPENERS: dict[str, Callable[[Path], io.BufferedIOBase]] = {
    ".gz": gzip.GzipFile,
    ".xz": lzma.LZMAFile,
    ".lzma": lzma.LZMAFile,
    ".bz2": bz2.BZ2File,
}


def _read_capped(read: Callable[[int], bytes]) -> bytes:
    chunks, total = [], 0
    while total < CONTROL_CAP and (chunk := read(CONTROL_CAP - total)):
        chunks.append(chunk)
        total += len(chunk)
    return b"".join(chunks)


def _decompressed(path: Path) -> bytes | None:
    """The first CONTROL_CAP bytes of a control.tar member, decompressed; None if unknown."""
    if path.suffix == ".tar":
        with open(path, "rb") as plain:
            return _read_capped(plain.read)
    if path.suffix == ".zst":
        with open(path, "rb") as raw, zstandard.ZstdDecompressor().stream_reader(raw) as stream:
            return _read_capped(stream.read)
    opener = COMPRESSED_OPENERS.get(path.suffix)
    if opener is None:
        return None
    with opener(path) as compressed:
        return _read_capped(compressed.read)


def read_control(path: Path) -> dict[str, str]:
    """The fields of the `control` file inside a control.tar[.*] member; empty when unreadable."""
    try:
        raw = _decompressed(path)
        if raw is None:
            return {}
        with tarfile.open(fileobj=io.BytesIO(raw), mode="r:") as archive:
            for member in archive:
                if member.isfile() and member.name.lstrip("./") == "control":
                    content = archive.extractfile(member)
                    return _fields(content.read(CONTROL_CAP)) if content else {}
    except READ_ERRORS:
        return {}
    return {}


def _fields(text: bytes) -> dict[str, str]:
    fields: dict[str, str] = {}
    for line in text.decode("utf-8", "replace").splitlines():
        if line[:1] in (" ", "\t") or ":" not in line:
            continue
        key, _, value = line.partition(":")
        fields[key.strip()] = value.strip()
    return fields


def add_package_metadata(fs: SafeFS, ctx: ExtractContext) -> None:
    """Put the format version and the control file's main fields of an unpacked package into the
    metadata."""
    version = fs.path_of(FORMAT_MEMBER.decode())
    if version.is_file() and not version.is_symlink():
        with open(version, "rb") as handle:
            ctx.metadata["format_version"] = handle.read(64).decode("latin-1").strip()
    for control in sorted(fs.root.glob("control.tar*")):
        if not control.is_file() or control.is_symlink():
            continue
        fields = read_control(control)
        for key in CONTROL_FIELDS:
            if key in fields:
                ctx.metadata[key.lower()] = fields[key]
        return


class DebExtractor(Extractor):
    """Unpacks the ar layer of Debian packages and reads their control fields."""

    name = "deb"
    description = "Debian binary package (deb(5))"
    signatures = (Signature(MAGIC + FORMAT_MEMBER),)
    suffixes = (".deb", ".udeb")

    def identify(self, head: bytes, path: Path) -> bool:
        return head.startswith(MAGIC) and first_name(head, 0) == FORMAT_MEMBER

    def measure(self, data: Blob, start: int) -> int | None:
        if first_name(data, start) != FORMAT_MEMBER:
            return None
        return ArExtractor().measure(data, start)

    def extract(self, src: Path, fs: SafeFS, ctx: ExtractContext) -> None:
        extract_members(src, fs, ctx)
        add_package_metadata(fs, ctx)
