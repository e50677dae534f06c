"""Feed files: found in folders and zip archives, decompressed (gzip, xz, bzip2) and split into
documents (one JSON document, JSON Lines, YAML, or EPSS CSV), each read by the importer that
recognises its content. File names play no part."""

import bz2
import gzip
import hashlib
import io
import json
import logging
import lzma
import os
import re
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import IO, Any, cast

import yaml

from assay.vuln.importers import document_format, epss
from assay.vuln.importers.common import RecordError
from assay.vuln.importers.items import FeedItem

log = logging.getLogger(__name__)

GZIP_MAGIC, XZ_MAGIC, BZIP2_MAGIC = b"\x1f\x8b", b"\xfd7zXZ\x00", b"BZh"
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
YAML_KEY = re.compile(r"^[A-Za-z_][\w-]*\s*:")
FORMATS_HINT = "NVD JSON 2.0/1.1, CVE JSON 5, OSV, CISA KEV, EPSS CSV or assay records"
YamlLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class FeedError(Exception):
    """A feed that cannot be read; the message is one line naming the file (and line/record)."""

    def __init__(self, message: str) -> None:
        super().__init__(" ".join(message.split()))


class UnknownFormat(FeedError):
    """A file whose content is none of the feed formats."""


@dataclass(frozen=True, slots=True)
class FeedSource:
    """What the user named: a file, or a folder and the files found in it (sorted)."""

    label: str
    root: Path
    files: tuple[Path, ...]
    explicit: bool

    def sha256(self) -> str:
        """The file's sha256; for a folder, the sha256 of its `relative-path sha256` lines."""
        if self.explicit:
            return file_sha256(self.root)
        lines = (f"{f.relative_to(self.root).as_posix()} {file_sha256(f)}\n" for f in self.files)
        return hashlib.sha256("".join(lines).encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Unit:
    """One stream to read: a file, or a member of a zip archive."""

    label: str
    explicit: bool
    open: Callable[[], IO[bytes]]


@dataclass(frozen=True, slots=True)
class Parsed:
    """An item read from a feed, the format it was read from and the feed's own date."""

    fmt: str
    feed_date: str | None
    item: FeedItem


def file_sha256(path: Path) -> str:
    """The sha256 of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def collect(path: Path, label: str) -> FeedSource:
    """The file, or the visible files under a folder (hidden ones such as `.git` skipped)."""
    if not os.path.lexists(path):
        raise FeedError(f"{path}: no such file or directory")
    if not path.is_dir():
        if not path.is_file():
            raise FeedError(f"{path}: not a regular file or directory")
        return FeedSource(label, path, (path,), explicit=True)
    files: list[Path] = []
    for folder, dirs, names in os.walk(path):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        files.extend(Path(folder) / n for n in sorted(names) if not n.startswith("."))
    return FeedSource(label, path, tuple(files), explicit=False)


def units(path: Path, label: str, explicit: bool) -> Iterator[Unit]:
    """The file itself, or every member of a zip archive (nested archives too)."""
    with path.open("rb") as handle:
        head = handle.read(4)
    if head not in ZIP_MAGIC:
        yield Unit(label, explicit, lambda: path.open("rb"))
        return
    try:
        with zipfile.ZipFile(path) as archive:
            yield from _members(archive, label)
    except zipfile.BadZipFile as err:
        raise FeedError(f"{label}: broken zip archive: {err}") from err


def _members(archive: zipfile.ZipFile, label: str) -> Iterator[Unit]:
    for info in sorted(archive.infolist(), key=lambda i: i.filename):
        name = info.filename.rsplit("/", 1)[-1]
        if info.is_dir() or name.startswith(".") or "/." in f"/{info.filename}":
            continue
        member = f"{label}!{info.filename}"
        with archive.open(info) as handle:
            head = handle.read(4)
        if head in ZIP_MAGIC:
            with zipfile.ZipFile(io.BytesIO(archive.read(info))) as inner:
                yield from _members(inner, member)
        else:
            yield Unit(member, False, partial(archive.open, info))


def _decompressed(raw: IO[bytes]) -> IO[bytes]:
    """The stream, decompressed when it starts with the magic bytes of gzip, xz or bzip2."""
    buffered = io.BufferedReader(cast(io.RawIOBase, raw), buffer_size=1 << 16)
    head = buffered.peek(8)[:8]
    if head.startswith(GZIP_MAGIC):
        return cast(IO[bytes], gzip.GzipFile(fileobj=buffered))
    if head.startswith(XZ_MAGIC):
        return cast(IO[bytes], lzma.LZMAFile(buffered))
    if head.startswith(BZIP2_MAGIC):
        return cast(IO[bytes], bz2.BZ2File(buffered))
    return cast(IO[bytes], buffered)


def read_unit(unit: Unit) -> Iterator[Parsed]:
    """Every item of one stream; FeedError (one line naming the stream) when it is broken,
    UnknownFormat when it is no feed at all."""
    reader = _Reader(unit.label)
    with unit.open() as raw:
        text = io.TextIOWrapper(_decompressed(raw), encoding="utf-8-sig")
        try:
            yield from reader.read(text)
        except UnicodeDecodeError as err:
            error = FeedError if reader.recognised else UnknownFormat
            raise error(f"{unit.label}: not UTF-8 text ({err.reason})") from err
        except (OSError, EOFError, lzma.LZMAError, zlib.error) as err:
            raise FeedError(f"{unit.label}: cannot decompress: {err}") from err


class _Reader:
    """Splits one text stream into documents and hands each to its importer."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.recognised = False

    def read(self, text: IO[str]) -> Iterator[Parsed]:
        number, first = 1, text.readline()
        while first and not first.strip():
            number, first = number + 1, text.readline()
        stripped = first.lstrip()
        if stripped.startswith(("{", "[")):
            yield from self._json(first, number, text)
        elif stripped.startswith("#") or epss.is_header(stripped):
            yield from self._csv(first, number, text)
        elif YAML_KEY.match(stripped):
            yield from self._yaml(first + text.read())
        else:
            raise UnknownFormat(f"{self.label}: not a known feed format ({FORMATS_HINT})")

    def _json(self, first: str, number: int, text: IO[str]) -> Iterator[Parsed]:
        try:
            document = json.loads(first)
        except json.JSONDecodeError:
            whole = first + text.read()
            try:
                document = json.loads(whole)
            except json.JSONDecodeError as err:
                where = f"line {err.lineno + number - 1}"
                raise FeedError(f"{self.label}: {where}: invalid JSON: {err.msg}") from err
            yield from self._document(document, None)
            return
        yield from self._document(document, f"line {number}")
        for line in text:
            number += 1
            if not line.strip():
                continue
            try:
                document = json.loads(line)
            except json.JSONDecodeError as err:
                raise FeedError(f"{self.label}: line {number}: invalid JSON: {err.msg}") from err
            yield from self._document(document, f"line {number}")

    def _csv(self, first: str, number: int, text: IO[str]) -> Iterator[Parsed]:
        date = epss.comment_date(first) if first.lstrip().startswith("#") else None
        header = first
        if first.lstrip().startswith("#"):
            number, header = number + 1, text.readline()
            if not epss.is_header(header):
                yield from self._yaml(first + header + text.read())
                return
        self.recognised = True
        try:
            for score in epss.scores(text, date, number + 1):
                yield Parsed(epss.SOURCE, date, score)
        except RecordError as err:
            raise FeedError(f"{self.label}: {err}") from err

    def _yaml(self, whole: str) -> Iterator[Parsed]:
        try:
            document = yaml.load(whole, Loader=YamlLoader)
        except yaml.YAMLError as err:
            raise UnknownFormat(f"{self.label}: not a known feed format ({FORMATS_HINT})") from err
        yield from self._document(document, None)

    def _document(self, document: object, where: str | None) -> Iterator[Parsed]:
        if isinstance(document, list):
            for index, element in enumerate(document, start=1):
                yield from self._document(element, where or f"record {index}")
            return
        fmt = document_format(document) if isinstance(document, dict) else None
        if fmt is None:
            place = f"{self.label}: {where}" if where else self.label
            message = f"{place}: not a known feed format ({FORMATS_HINT})"
            raise FeedError(message) if self.recognised else UnknownFormat(message)
        assert isinstance(document, dict)
        self.recognised = True
        date = fmt.feed_date(document)
        items = fmt.read(document)
        index = 0
        while True:
            index += 1
            try:
                item = next(items)
            except StopIteration:
                return
            except (RecordError, KeyError, TypeError, AttributeError) as err:
                place = where or f"record {index}"
                raise FeedError(f"{self.label}: {place}: {fmt.name}: {err}") from err
            yield Parsed(fmt.name, date, item)
