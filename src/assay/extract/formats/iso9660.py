"""ISO 9660 CD/DVD images (ECMA-119) with Rock Ridge (IEEE P1282) and Joliet names, read with
pycdlib; Rock Ridge names, modes and symlinks are preferred, then Joliet names, then 8.3 names."""

import stat
from pathlib import Path
from typing import Any

from assay.extract.base import Blob, ExtractContext, ExtractionError, Extractor, Signature
from assay.extract.safefs import SPECIAL_KINDS, SafeFS
from assay.model.problem import ProblemKind

SECTOR = 2048
FIRST_DESCRIPTOR = 16 * SECTOR
PRIMARY = b"\x01CD001\x01"
DESCRIPTOR = 2048
TEXT_FIELDS = {"system_id": (8, 32), "volume_id": (40, 32), "publisher": (318, 128)}
TEXT_FIELDS |= {"application": (574, 128)}
CREATED_AT = 813


def volume_size(pvd: bytes) -> int | None:
    """Bytes the volume spans, from a primary volume descriptor; None when it is not one.
    Both-byte-order fields must agree, which random data rarely does."""
    if len(pvd) < DESCRIPTOR or pvd[:7] != PRIMARY:
        return None
    if pvd[80:84] != pvd[84:88][::-1] or pvd[128:130] != pvd[130:132][::-1]:
        return None
    blocks = int.from_bytes(pvd[80:84], "little")
    block_size = int.from_bytes(pvd[128:130], "little")
    if block_size not in (512, 1024, 2048) or blocks * block_size <= FIRST_DESCRIPTOR:
        return None
    return blocks * block_size


class Iso9660Extractor(Extractor):
    """Unpacks ISO 9660 images member by member through pycdlib."""

    name = "iso9660"
    description = "ISO 9660 image (Rock Ridge, Joliet)"
    signatures = (Signature(PRIMARY, FIRST_DESCRIPTOR),)
    requires_modules = ("pycdlib",)
    suffixes = (".iso",)

    def identify(self, head: bytes, path: Path) -> bool:
        pvd = head[FIRST_DESCRIPTOR : FIRST_DESCRIPTOR + DESCRIPTOR]
        return volume_size(pvd) is not None

    def measure(self, data: Blob, start: int) -> int | None:
        at = start + FIRST_DESCRIPTOR
        return volume_size(bytes(data[at : at + DESCRIPTOR]))

    def extract(self, src: Path, fs: SafeFS, ctx: ExtractContext) -> None:
        import pycdlib

        with open(src, "rb") as handle:
            handle.seek(FIRST_DESCRIPTOR)
            _record(handle.read(DESCRIPTOR), ctx)
        iso = pycdlib.PyCdlib()
        try:
            iso.open(str(src))
        except (pycdlib.pycdlibexception.PyCdlibException, OSError, ValueError) as err:
            raise ExtractionError(f"pycdlib cannot read the image: {err}") from err
        try:
            _extract_tree(iso, fs, ctx)
        except (pycdlib.pycdlibexception.PyCdlibException, UnicodeDecodeError, ValueError) as err:
            raise ExtractionError(f"ISO 9660 directory tree is corrupt: {err}") from err
        finally:
            iso.close()


def _record(pvd: bytes, ctx: ExtractContext) -> None:
    for key, (offset, length) in TEXT_FIELDS.items():
        text = pvd[offset : offset + length].decode("latin-1").strip(" \x00")
        if text:
            ctx.metadata[key] = text
    created = pvd[CREATED_AT : CREATED_AT + 14].decode("latin-1")
    if created.isdigit() and created.strip("0"):
        ctx.metadata["created"] = (
            f"{created[:4]}-{created[4:6]}-{created[6:8]}T{created[8:10]}:{created[10:12]}:"
            f"{created[12:14]}"
        )


def _extract_tree(iso: Any, fs: SafeFS, ctx: ExtractContext) -> None:
    """Walk the best name space the image has and write every file through `fs`."""
    if iso.has_rock_ridge():
        kind = "rr_path"
    elif iso.has_joliet():
        kind = "joliet_path"
    else:
        kind = "iso_path"
    ctx.metadata["names"] = {"rr_path": "rock ridge", "joliet_path": "joliet"}.get(kind, "iso9660")
    for folder, _, files in iso.walk(**{kind: "/"}):
        for name in files:
            ctx.deadline.check()
            path = f"{folder.rstrip('/')}/{name}"
            member = _plain_name(path) if kind == "iso_path" else path
            _member(iso, kind, path, member, fs, ctx)


def _member(iso: Any, kind: str, path: str, member: str, fs: SafeFS, ctx: ExtractContext) -> None:
    mode = 0o644
    if kind == "rr_path":
        rock_ridge = iso.get_record(rr_path=path).rock_ridge
        if rock_ridge is not None and rock_ridge.is_symlink():
            fs.symlink(member, rock_ridge.symlink_path())
            return
        mode = rock_ridge.get_file_mode() if rock_ridge is not None else mode
        special = SPECIAL_KINDS.get(stat.S_IFMT(mode))
        if special is not None:
            fs.special(member, special)
            return
    try:
        with iso.open_file_from_iso(**{kind: path}) as stream:
            fs.write(member, stream, stat.S_IMODE(mode))
    except OSError as err:
        ctx.problem(ProblemKind.CORRUPT, f"cannot read: {err}", member)


def _plain_name(path: str) -> str:
    """An ISO 9660 name without its ';1' version and the dot of an empty extension."""
    folder, _, name = path.rpartition("/")
    name = name.split(";", 1)[0]
    return f"{folder}/{name.removesuffix('.') or name}"
