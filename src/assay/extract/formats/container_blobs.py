"""Blobs of a container image (OCI Image Layout `blobs/<alg>/<hex>`, `docker save` members), read
from a directory or straight out of a tar without unpacking it, each checked against its digest
(OCI Image Format Specification, "Descriptors": `<algorithm>:<encoded>`) while it is read."""

import functools
import hashlib
import io
import json
import os
import posixpath
import re
import stat
import tarfile
from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from assay.extract.base import ExtractContext, ExtractionError
from assay.extract.formats.tar import BLOCK, checksum_ok
from assay.model.problem import ProblemKind, ProblemLevel

CHUNK = 1024 * 1024
JSON_LIMIT = 16 * 1024 * 1024
NAME_SCAN_LIMIT = 2000
LINK_HOPS = 16
HEX_LENGTHS = {"sha256": 64, "sha512": 128}
DIGEST = re.compile(r"(sha256|sha512):([0-9a-f]+)")
READ_ERRORS = (tarfile.TarError, OSError, EOFError)


@dataclass(frozen=True, slots=True)
class Digest:
    """A content digest such as `sha256:<64 hex digits>`."""

    algorithm: str
    encoded: str

    @classmethod
    def parse(cls, text: object) -> "Digest | None":
        """The digest `text` spells, or None when it is not a well-formed sha256/sha512 one."""
        match = DIGEST.fullmatch(text) if isinstance(text, str) else None
        if match is None or len(match[2]) != HEX_LENGTHS[match[1]]:
            return None
        return cls(match[1], match[2])

    @property
    def path(self) -> str:
        """Where an OCI image layout keeps the blob."""
        return f"blobs/{self.algorithm}/{self.encoded}"

    def __str__(self) -> str:
        return f"{self.algorithm}:{self.encoded}"


class MissingBlob(LookupError):
    """The image names a file that its layout or archive does not hold (or cannot be read)."""


def clean_name(name: str) -> str | None:
    """A member or file name as a relative path, or None when it climbs out of its root."""
    parts: list[str] = []
    for part in name.split("/"):
        if part == "..":
            if not parts:
                return None
            parts.pop()
        elif part not in ("", "."):
            parts.append(part)
    return "/".join(parts) or None


# -- where blobs are read from -------------------------------------------------------------------


class BlobStore(ABC):
    """Named files of an image: a layout directory or the members of a tar."""

    @abstractmethod
    def open(self, name: str) -> IO[bytes]:
        """A binary stream of the file `name`; MissingBlob when there is no such regular file."""


class DirStore(BlobStore):
    """Files under a directory; symlinks are followed only while they stay inside it."""

    def __init__(self, root: Path) -> None:
        self.root = Path(os.path.realpath(root))

    def open(self, name: str) -> IO[bytes]:
        rel = clean_name(name)
        real = Path(os.path.realpath(self.root / rel)) if rel is not None else self.root
        try:
            if real.is_relative_to(self.root) and stat.S_ISREG(os.stat(real).st_mode):
                return open(real, "rb")
        except OSError as err:
            raise MissingBlob(f"{name}: {err}") from err
        raise MissingBlob(name)


class TarStore(BlobStore):
    """Members of a seekable tar, read in place; links are followed inside the archive."""

    def __init__(self, archive: tarfile.TarFile, ctx: ExtractContext) -> None:
        self.archive = archive
        self.members: dict[str, tarfile.TarInfo] = {}
        try:
            for member in archive:
                ctx.deadline.check()
                rel = clean_name(member.name)
                if rel is not None:
                    self.members[rel] = member
        except READ_ERRORS as err:
            if not self.members:
                raise ExtractionError(f"not a readable tar archive: {err}") from err
            message = f"archive is cut short or corrupt after {len(self.members)} members: {err}"
            ctx.problem(ProblemKind.CORRUPT, message, level=ProblemLevel.ERROR)

    def open(self, name: str) -> IO[bytes]:
        member = self._resolve(name)
        stream = self.archive.extractfile(member)
        if stream is None:
            raise MissingBlob(name)
        return stream

    def _resolve(self, name: str) -> tarfile.TarInfo:
        for _ in range(LINK_HOPS):
            rel = clean_name(name)
            member = self.members.get(rel) if rel is not None else None
            if member is None:
                break
            if member.isreg():
                return member
            if member.issym():
                name = posixpath.join(posixpath.dirname(member.name), member.linkname)
            elif member.islnk():
                name = member.linkname
            else:
                break
        raise MissingBlob(name)


@contextmanager
def open_store(src: Path, ctx: ExtractContext) -> Iterator[BlobStore]:
    """The image's files, whether `src` is a layout directory or a tar of one."""
    if src.is_dir():
        yield DirStore(src)
        return
    try:
        archive = tarfile.open(src, mode="r:", errorlevel=1)  # noqa: SIM115 - closed below
    except (tarfile.TarError, OSError) as err:
        raise ExtractionError(f"not a readable tar archive: {err}") from err
    with archive:
        yield TarStore(archive, ctx)


# -- reading with digest checks ------------------------------------------------------------------


class _Hashing(io.RawIOBase):
    """Passes a stream through, hashing and counting every byte read."""

    def __init__(self, raw: IO[bytes], algorithm: str) -> None:
        super().__init__()
        self.raw = raw
        self.hash = hashlib.new(algorithm)
        self.size = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        data = self.raw.read(len(view))
        view[: len(data)] = data
        self.hash.update(data)
        self.size += len(data)
        return len(data)


@dataclass(frozen=True, slots=True)
class BlobRef:
    """A blob to read: its name in the store and, when known, its digest and size."""

    name: str
    digest: Digest | None = None
    size: int | None = None
    what: str = ""

    @property
    def label(self) -> str:
        """How problems name the blob."""
        return self.what or self.name


@contextmanager
def checked(store: BlobStore, ref: BlobRef, ctx: ExtractContext) -> Iterator[io.BufferedReader]:
    """Read a blob; once the caller is done, the rest is read and the digest and size are
    compared with the expected ones (a mismatch is recorded, the content is still used).
    MissingBlob when the blob is not there."""
    raw = store.open(ref.name)
    try:
        hashing = _Hashing(raw, ref.digest.algorithm if ref.digest else "sha256")
        reader: io.BufferedReader = io.BufferedReader(hashing, CHUNK)
        yield reader
        if _drain(reader, ref, ctx):
            _verify(ref, hashing, ctx)
    finally:
        raw.close()


def _drain(reader: io.BufferedReader, ref: BlobRef, ctx: ExtractContext) -> bool:
    try:
        while reader.read(CHUNK):
            ctx.deadline.check()
    except READ_ERRORS as err:
        message = f"{ref.label} cannot be read to its end, digest not checked: {err}"
        ctx.problem(ProblemKind.CORRUPT, message, ref.name, ProblemLevel.ERROR)
        return False
    return True


def _verify(ref: BlobRef, hashing: _Hashing, ctx: ExtractContext) -> None:
    actual = f"{hashing.hash.name}:{hashing.hash.hexdigest()}"
    if ref.digest is not None and actual != str(ref.digest):
        message = f"{ref.label}: content digest {actual} does not match {ref.digest}"
        ctx.problem(ProblemKind.CORRUPT, message, ref.name, ProblemLevel.WARNING)
    if ref.size is not None and hashing.size != ref.size:
        message = f"{ref.label}: {hashing.size} bytes where {ref.size} were declared"
        ctx.problem(ProblemKind.CORRUPT, message, ref.name, ProblemLevel.WARNING)


def read_json(store: BlobStore, ref: BlobRef, ctx: ExtractContext) -> Any:
    """A JSON document of the image, digest-checked. ExtractionError when it is missing, too
    large or not JSON."""
    try:
        with checked(store, ref, ctx) as reader:
            data = reader.read(JSON_LIMIT + 1)
    except MissingBlob as err:
        raise ExtractionError(f"{ref.label} is missing or unreadable") from err
    except READ_ERRORS as err:
        raise ExtractionError(f"{ref.label} cannot be read: {err}") from err
    if len(data) > JSON_LIMIT:
        raise ExtractionError(f"{ref.label} is larger than {JSON_LIMIT} bytes")
    try:
        return json.loads(data)
    except (ValueError, RecursionError) as err:
        raise ExtractionError(f"{ref.label} is not valid JSON: {err}") from err


# -- identification ------------------------------------------------------------------------------


def looks_like_tar(head: bytes) -> bool:
    """True when `head` starts with a POSIX or GNU tar header."""
    return head[257:262] == b"ustar" and checksum_ok(head[:BLOCK])


def tar_names(path: Path) -> frozenset[str]:
    """The cleaned names of the first NAME_SCAN_LIMIT members of the tar at `path`, read from
    their headers only (cached, since several extractors ask about the same file)."""
    info = path.stat()
    return _tar_names(str(path), info.st_ino, info.st_size, info.st_mtime_ns)


@functools.lru_cache(maxsize=16)
def _tar_names(path: str, inode: int, size: int, mtime: int) -> frozenset[str]:
    names: set[str] = set()
    try:
        with tarfile.open(path, mode="r:", errorlevel=1) as archive:
            while len(names) < NAME_SCAN_LIMIT and (member := archive.next()) is not None:
                rel = clean_name(member.name)
                if rel is not None:
                    names.add(rel)
    except (tarfile.TarError, OSError, EOFError):
        pass
    return frozenset(names)
