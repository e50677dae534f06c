"""Why two non-ELF files from two builds of the same source differ, read from their content:
gzip headers, tar and zip metadata, .pyc headers, embedded dates and build paths."""

import datetime
import tarfile
import zipfile
from collections.abc import Callable
from pathlib import Path

from assay.equivalence import causes as c
from assay.equivalence.causes import Cause
from assay.equivalence.normalise import DATE_OR_TIME

Roots = tuple[tuple[bytes, bytes], ...]
MAX_TEXT_BYTES = 64 * 1024 * 1024
CHUNK = 1024 * 1024
SHOWN = 3
GZIP_MAGIC = b"\x1f\x8b\x08"
ZIP_MAGIC = b"PK\x03\x04"
GZIP_FEXTRA, GZIP_FNAME = 0x04, 0x08
PYC_HEADER = 16


def content_causes(vendor: Path, rebuilt: Path, roots: Roots = ()) -> list[Cause]:
    """The causes found in two differing files; an unknown cause with the first differing
    offset when none is recognised."""
    with open(vendor, "rb") as left, open(rebuilt, "rb") as right:
        head_a, head_b = left.read(512), right.read(512)
    if head_a.startswith(GZIP_MAGIC) and head_b.startswith(GZIP_MAGIC):
        found = _gzip(vendor, rebuilt)
    elif _is_tar(head_a) and _is_tar(head_b):
        found = _tar(vendor, rebuilt)
    elif head_a.startswith(ZIP_MAGIC) and head_b.startswith(ZIP_MAGIC):
        found = _zip(vendor, rebuilt)
    elif _is_pyc(vendor, head_a) and _is_pyc(rebuilt, head_b):
        found = _pyc(vendor.read_bytes(), rebuilt.read_bytes(), roots)
    else:
        found = _text(vendor, rebuilt, roots)
    return found or [
        c.cause(c.UNKNOWN, f"first difference at offset 0x{_first(vendor, rebuilt):x}")
    ]


def _is_tar(head: bytes) -> bool:
    return head[257:262] == b"ustar"


def _is_pyc(path: Path, head: bytes) -> bool:
    return path.suffix == ".pyc" and len(head) >= PYC_HEADER and head[2:4] == b"\r\n"


def _gzip(vendor: Path, rebuilt: Path) -> list[Cause]:
    a, b = _gzip_header(vendor), _gzip_header(rebuilt)
    found = []
    if a[0] != b[0]:
        found.append(c.cause(c.GZIP_MTIME, f"MTIME {_when(a[0])} → {_when(b[0])}"))
    if a[1] != b[1]:
        found.append(c.cause(c.GZIP_NAME, f"FNAME {a[1]!r} → {b[1]!r}"))
    if not _same_after(vendor, rebuilt, a[2], b[2]):
        detail = "the compressed data differs: see the decompressed file's own line"
        found.append(c.cause(c.MEMBERS, detail))
    return found


def _same_after(vendor: Path, rebuilt: Path, start_a: int, start_b: int) -> bool:
    with open(vendor, "rb") as left, open(rebuilt, "rb") as right:
        left.seek(start_a)
        right.seek(start_b)
        while True:
            a, b = left.read(CHUNK), right.read(CHUNK)
            if a != b or not a:
                return a == b


def _gzip_header(path: Path) -> tuple[int, bytes | None, int]:
    """MTIME, FNAME (None when absent) and length of a gzip header (RFC 1952), as far as
    these fields go."""
    with open(path, "rb") as handle:
        header = handle.read(64 * 1024)
    flags, mtime = header[3], int.from_bytes(header[4:8], "little")
    offset = 10
    if flags & GZIP_FEXTRA:
        offset += 2 + int.from_bytes(header[10:12], "little")
    if not flags & GZIP_FNAME:
        return mtime, None, offset
    end = header.find(b"\0", offset)
    end = end if end >= 0 else len(header)
    return mtime, header[offset:end], end + 1


def _when(stamp: float) -> str:
    moment = datetime.datetime.fromtimestamp(stamp, datetime.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _tar(vendor: Path, rebuilt: Path) -> list[Cause]:
    try:
        with tarfile.open(vendor, "r:") as left, tarfile.open(rebuilt, "r:") as right:
            a, b = left.getmembers(), right.getmembers()
    except (tarfile.TarError, OSError):
        return []
    found = []
    if [m.name for m in a] != [m.name for m in b] and {m.name for m in a} == {m.name for m in b}:
        found.append(c.cause(c.TAR_ORDER, _order_detail([m.name for m in a], [m.name for m in b])))
    theirs = {m.name: m for m in b}
    pairs = [(m, theirs[m.name]) for m in a if m.name in theirs]
    checks: tuple[tuple[str, Callable[[tarfile.TarInfo], str]], ...] = (
        (c.TAR_MTIMES, lambda m: _when(m.mtime)),
        (c.TAR_OWNERS, lambda m: f"{m.uid}:{m.gid} {m.uname}:{m.gname}"),
        (c.TAR_MODES, lambda m: f"{m.mode:o}"),
    )
    for name, shown in checks:
        changed = [(x.name, shown(x), shown(y)) for x, y in pairs if shown(x) != shown(y)]
        if changed:
            found.append(c.cause(name, _members_detail(changed, len(pairs))))
    return found


def _zip(vendor: Path, rebuilt: Path) -> list[Cause]:
    try:
        with zipfile.ZipFile(vendor) as left, zipfile.ZipFile(rebuilt) as right:
            a, b = left.infolist(), right.infolist()
    except (zipfile.BadZipFile, OSError):
        return []
    found = []
    names_a, names_b = [i.filename for i in a], [i.filename for i in b]
    if names_a != names_b and set(names_a) == set(names_b):
        found.append(c.cause(c.ZIP_ORDER, _order_detail(names_a, names_b)))
    theirs = {i.filename: i for i in b}
    pairs = [(i, theirs[i.filename]) for i in a if i.filename in theirs]
    checks: tuple[tuple[str, Callable[[zipfile.ZipInfo], str]], ...] = (
        (c.ZIP_TIMES, lambda i: datetime.datetime(*i.date_time).isoformat()),
        (c.ZIP_EXTRA, lambda i: i.extra.hex()),
    )
    for name, shown in checks:
        changed = [(x.filename, shown(x), shown(y)) for x, y in pairs if shown(x) != shown(y)]
        if changed:
            found.append(c.cause(name, _members_detail(changed, len(pairs))))
    return found


def _order_detail(a: list[str], b: list[str]) -> str:
    first = next(i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y)
    return (
        f"same {len(a)} members in another order, from member {first + 1}: {a[first]} / {b[first]}"
    )


def _members_detail(changed: list[tuple[str, str, str]], total: int) -> str:
    shown = "; ".join(f"{name}: {old} → {new}" for name, old, new in changed[:SHOWN])
    return f"{len(changed)} of {total} members: {shown}"


def _pyc(a: bytes, b: bytes, roots: Roots) -> list[Cause]:
    """A .pyc header (PEP 552): magic, flags, then source mtime and size, or a source hash."""
    found = []
    flags_a, flags_b = a[4:8], b[4:8]
    if a[:4] == b[:4] and flags_a == flags_b == bytes(4) and a[8:12] != b[8:12]:
        detail = (
            f"source mtime {_when(int.from_bytes(a[8:12], 'little'))} → "
            f"{_when(int.from_bytes(b[8:12], 'little'))}"
        )
        found.append(c.cause(c.PYC_MTIME, detail))
    code_a, code_b = a[PYC_HEADER:], b[PYC_HEADER:]
    if a[:4] != b[:4]:
        found.append(c.cause(c.PYC_CODE, "magic (Python version) differs"))
    elif code_a != code_b and _without_roots(code_a, code_b, roots):
        found.append(c.cause(c.BUILD_PATH, "the source path compiled in (co_filename)"))
    elif code_a != code_b:
        found.append(c.cause(c.PYC_CODE, "marshalled code differs"))
    return found


def _without_roots(a: bytes, b: bytes, roots: Roots) -> bool:
    """Whether the two are equal once each side's build directories are blanked."""
    for vendor_root, rebuilt_root in roots:
        a, b = a.replace(vendor_root, b"<build>"), b.replace(rebuilt_root, b"<build>")
    return a == b


def _text(vendor: Path, rebuilt: Path, roots: Roots) -> list[Cause]:
    """Dates (normalise.DATE_OR_TIME) and build directories embedded in the content."""
    if max(vendor.stat().st_size, rebuilt.stat().st_size) > MAX_TEXT_BYTES:
        return []
    a, b = vendor.read_bytes(), rebuilt.read_bytes()
    found = []
    dated_a, dated_b = DATE_OR_TIME.sub(b"<date>", a), DATE_OR_TIME.sub(b"<date>", b)
    if (dated_a, dated_b) != (a, b) and _dates(a) != _dates(b):
        found.append(c.cause(c.TIMESTAMP, f"{_dates(a)[:SHOWN]} → {_dates(b)[:SHOWN]}"))
    pathless_a, pathless_b = dated_a, dated_b
    roots = tuple((x, y) for x, y in roots if x != y and (x in a or y in b))
    for vendor_root, rebuilt_root in roots:
        pathless_a = pathless_a.replace(vendor_root, b"<build>")
        pathless_b = pathless_b.replace(rebuilt_root, b"<build>")
    if (pathless_a, pathless_b) != (dated_a, dated_b) and dated_a != dated_b:
        paths = [f"{x.decode(errors='replace')} → {y.decode(errors='replace')}" for x, y in roots]
        found.append(c.cause(c.BUILD_PATH, "; ".join(paths[:SHOWN])))
    if found and pathless_a != pathless_b:
        offset = _first_in(pathless_a, pathless_b)
        found.append(
            c.cause(c.UNKNOWN, f"more differs: after normalising, from offset 0x{offset:x}")
        )
    return found


def _dates(data: bytes) -> list[str]:
    return [m.group().decode() for m in DATE_OR_TIME.finditer(data)]


def _first_in(a: bytes, b: bytes) -> int:
    block = 4096
    start = next(
        (i for i in range(0, min(len(a), len(b)), block) if a[i : i + block] != b[i : i + block]),
        min(len(a), len(b)),
    )
    pairs = zip(a[start : start + block], b[start : start + block], strict=False)
    return next((start + i for i, (x, y) in enumerate(pairs) if x != y), min(len(a), len(b)))


def _first(vendor: Path, rebuilt: Path) -> int:
    """The first differing byte offset, read in chunks."""
    offset = 0
    with open(vendor, "rb") as left, open(rebuilt, "rb") as right:
        while True:
            a, b = left.read(CHUNK), right.read(CHUNK)
            if a != b or not a:
                return offset + _first_in(a, b)
            offset += len(a)
