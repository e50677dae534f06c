"""OpenWrt/opkg packages (.ipk, as written by opkg-build): either an ar archive like a Debian
package or a gzip-compressed tar, each holding debian-binary, control.tar.gz and data.tar.gz. The
outer container is unpacked here and the inner tars by the recursion; the control file's main
fields become metadata."""

import tarfile
import zlib
from pathlib import Path

from assay.extract.base import ExtractContext, ExtractionError, Extractor
from assay.extract.formats.ar import MAGIC as AR_MAGIC
from assay.extract.formats.ar import extract_members, first_name
from assay.extract.formats.deb import add_package_metadata
from assay.extract.safefs import SafeFS

GZIP_MAGIC = b"\x1f\x8b\x08"
TAR_BLOCK = 512
TAR_ERRORS = (tarfile.TarError, OSError, EOFError, zlib.error)


def _first_tar_header(head: bytes) -> tarfile.TarInfo | None:
    """The first tar header inside the gzip stream that `head` starts, if it is a valid one."""
    try:
        block = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(head, TAR_BLOCK)
        return tarfile.TarInfo.frombuf(block, "utf-8", "surrogateescape")
    except (zlib.error, tarfile.TarError):
        return None


class IpkExtractor(Extractor):
    """Unpacks the outer layer of .ipk packages, in both of their layouts."""

    name = "ipk"
    description = "OpenWrt/opkg package (ar or tar.gz of control.tar.gz and data.tar.gz)"
    suffixes = (".ipk",)

    def identify(self, head: bytes, path: Path) -> bool:
        if not path.name.lower().endswith(self.suffixes):
            return False
        if head.startswith(AR_MAGIC):
            return first_name(head, 0) is not None
        return head.startswith(GZIP_MAGIC) and _first_tar_header(head) is not None

    def extract(self, src: Path, fs: SafeFS, ctx: ExtractContext) -> None:
        with open(src, "rb") as handle:
            magic = handle.read(len(AR_MAGIC))
        if magic == AR_MAGIC:
            extract_members(src, fs, ctx)
        elif magic.startswith(GZIP_MAGIC):
            _extract_tar_gz(src, fs, ctx)
        else:
            raise ExtractionError("neither an ar archive nor a gzip-compressed tar")
        add_package_metadata(fs, ctx)


def _extract_tar_gz(src: Path, fs: SafeFS, ctx: ExtractContext) -> None:
    try:
        archive = tarfile.open(src, mode="r:gz")  # noqa: SIM115 - closed below
    except TAR_ERRORS as err:
        raise ExtractionError(f"not a readable tar.gz: {err}") from err
    with archive:
        try:
            for member in archive:
                ctx.deadline.check()
                _tar_member(archive, member, fs)
        except TAR_ERRORS as err:
            raise ExtractionError(f"tar.gz is corrupt: {err}") from err


def _tar_member(archive: tarfile.TarFile, member: tarfile.TarInfo, fs: SafeFS) -> None:
    if member.isdir():
        fs.mkdir(member.name, member.mode)
    elif member.isreg():
        stream = archive.extractfile(member)
        if stream is not None:
            fs.write(member.name, stream, member.mode)
    elif member.issym():
        fs.symlink(member.name, member.linkname)
    else:
        fs.special(member.name, f"tar member of type {member.type!r}")
