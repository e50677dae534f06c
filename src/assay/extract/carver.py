"""Carving: find every embedded blob in a raw image with one multi-pattern pass over its bytes.

All extractors' signatures are compiled once into one Hyperscan database; a single scan of the
file yields every candidate offset, each candidate is validated and measured by its format's
`measure`, and accepted blobs may not overlap. Gaps that are not padding are kept as chunks so
that nothing in the image is silently dropped.
"""

import mmap
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pyperscan

from assay.extract.base import Extractor

PADDING_BYTES = (0x00, 0xFF)


@dataclass(frozen=True, slots=True)
class Region:
    """A byte range of the image: a blob of `extractor`'s format, or an unknown chunk if None."""

    start: int
    length: int
    extractor: Extractor | None

    @property
    def end(self) -> int:
        """First offset past the region."""
        return self.start + self.length


@dataclass(frozen=True, slots=True)
class _Candidate:
    start: int
    extractor: Extractor


class Carver:
    """Compiled once per scan from the registered extractors; thread-safe to use."""

    def __init__(self, extractors: Sequence[Extractor]) -> None:
        self._entries: list[tuple[Extractor, int]] = []
        patterns = []
        for extractor in extractors:
            for signature in extractor.signatures:
                tag = len(self._entries)
                self._entries.append((extractor, signature.offset + len(signature.magic)))
                patterns.append(pyperscan.Pattern(_literal(signature.magic), tag=tag))
        self._database = pyperscan.BlockDatabase(*patterns) if patterns else None

    def candidates(self, data: bytes | mmap.mmap) -> list[_Candidate]:
        """Every offset where some format's magic sits, in one pass; sorted, first format first."""
        if self._database is None:
            return []
        found: dict[tuple[int, int], _Candidate] = {}
        entries = self._entries

        def on_match(_ctx: object, tag: int, _from: int, end: int) -> pyperscan.Scan:
            extractor, back = entries[tag]
            start = end - back
            if start >= 0:
                found.setdefault((start, tag), _Candidate(start, extractor))
            return pyperscan.Scan.Continue

        self._database.build(None, on_match).scan(data)
        return [found[key] for key in sorted(found)]

    def carve(
        self, data: bytes | mmap.mmap, deadline_check: Callable[[], None] | None = None
    ) -> list[Region]:
        """Split `data` into validated blobs and the unknown chunks between them."""
        blobs: list[Region] = []
        claimed_to = 0
        for candidate in self.candidates(data):
            if candidate.start < claimed_to:
                continue
            if deadline_check is not None:
                deadline_check()
            length = _safe_measure(candidate.extractor, data, candidate.start)
            if length is None or length <= 0:
                continue
            length = min(length, len(data) - candidate.start)
            blobs.append(Region(candidate.start, length, candidate.extractor))
            claimed_to = candidate.start + length
        return _with_gaps(blobs, data)


def _literal(magic: bytes) -> bytes:
    """A Hyperscan pattern matching `magic` byte for byte (no regex syntax, NULs allowed)."""
    return b"".join(b"\\x%02x" % byte for byte in magic)


def _safe_measure(extractor: Extractor, data: bytes | mmap.mmap, start: int) -> int | None:
    try:
        return extractor.measure(data, start)
    except (ValueError, IndexError, OverflowError, EOFError, MemoryError, LookupError):
        return None
    except Exception:  # a measuring bug must never stop the scan; treat as "not a blob"
        return None


def _with_gaps(blobs: list[Region], data: bytes | mmap.mmap) -> list[Region]:
    regions: list[Region] = []
    position = 0
    for blob in blobs:
        if blob.start > position and not is_padding(data, position, blob.start):
            regions.append(Region(position, blob.start - position, None))
        regions.append(blob)
        position = blob.end
    if blobs and position < len(data) and not is_padding(data, position, len(data)):
        regions.append(Region(position, len(data) - position, None))
    return regions


_NOT_ZERO = re.compile(rb"[^\x00]")
_NOT_FF = re.compile(rb"[^\xff]")


def is_padding(data: bytes | mmap.mmap, start: int, end: int) -> bool:
    """True when data[start:end] is all 0x00 or all 0xFF bytes."""
    first = data[start]
    pattern = _NOT_ZERO if first == 0x00 else _NOT_FF if first == 0xFF else None
    if pattern is None:
        return False
    return pattern.search(data, start, end) is None
