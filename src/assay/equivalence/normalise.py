"""Named normalisers, applied in order to a pair of differing ELF sections: each blanks only the
bytes it can justify as benign build metadata, and only where the two sides differ."""

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

DEBUG_PREFIXES = (".debug_", ".zdebug_", ".gnu.debuglto_")
IDENT_SECTIONS = frozenset({".comment", ".note.gnu.gold-version", ".ident"})
NT_GNU_BUILD_ID = 3
DATE_OR_TIME = re.compile(
    rb"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [ 0-3][0-9] [12][0-9]{3}"  # __DATE__
    rb"|[0-2][0-9]:[0-5][0-9]:[0-6][0-9]"  # __TIME__
    rb"|[12][0-9]{3}-[01][0-9]-[0-3][0-9]"  # ISO 8601 date
)


@dataclass(frozen=True, slots=True)
class SectionPair:
    """One section's bytes on both sides, as far as normalised so far."""

    name: str
    vendor: bytes
    rebuilt: bytes
    executable: bool
    note: bool


@dataclass(frozen=True, slots=True)
class BuildContext:
    """What the normalisers know about the two builds: byte order and build directories."""

    little_endian: bool = True
    build_roots: tuple[tuple[bytes, bytes], ...] = ()


Rewrite = Callable[[SectionPair, BuildContext], tuple[bytes, bytes] | None]


@dataclass(frozen=True, slots=True)
class Normaliser:
    """A named, justified rewrite of a differing section pair."""

    name: str
    description: str
    rewrite: Rewrite


def _debug(pair: SectionPair, _: BuildContext) -> tuple[bytes, bytes] | None:
    return (b"", b"") if pair.name.startswith(DEBUG_PREFIXES) else None


def _ident(pair: SectionPair, _: BuildContext) -> tuple[bytes, bytes] | None:
    return (b"", b"") if pair.name in IDENT_SECTIONS else None


def _debuglink(pair: SectionPair, _: BuildContext) -> tuple[bytes, bytes] | None:
    return (b"", b"") if pair.name == ".gnu_debuglink" else None


def _build_id(pair: SectionPair, context: BuildContext) -> tuple[bytes, bytes] | None:
    """Blank the descriptor of GNU build-id notes laid out alike on both sides."""
    if not pair.note or len(pair.vendor) != len(pair.rebuilt):
        return None
    spans = [
        span
        for span in _build_id_spans(pair.vendor, context.little_endian)
        if span in _build_id_spans(pair.rebuilt, context.little_endian)
    ]
    return _blank(pair.vendor, pair.rebuilt, spans) if spans else None


def _build_id_spans(data: bytes, little: bool) -> list[tuple[int, int]]:
    order: Literal["little", "big"] = "little" if little else "big"
    spans, offset = [], 0
    while offset + 12 <= len(data):
        namesz = int.from_bytes(data[offset : offset + 4], order)
        descsz = int.from_bytes(data[offset + 4 : offset + 8], order)
        kind = int.from_bytes(data[offset + 8 : offset + 12], order)
        name_end = offset + 12 + namesz
        desc = offset + 12 + _align4(namesz)
        if desc + descsz > len(data):
            break
        if kind == NT_GNU_BUILD_ID and data[offset + 12 : name_end] == b"GNU\0":
            spans.append((desc, desc + descsz))
        offset = desc + _align4(descsz)
    return spans


def _align4(size: int) -> int:
    return (size + 3) & ~3


def _timestamps(pair: SectionPair, _: BuildContext) -> tuple[bytes, bytes] | None:
    """Blank date and time literals found at the same place, of the same length, on both sides."""
    if pair.executable or len(pair.vendor) != len(pair.rebuilt):
        return None
    theirs = {(m.start(), m.end()) for m in DATE_OR_TIME.finditer(pair.rebuilt)}
    spans = [(m.start(), m.end()) for m in DATE_OR_TIME.finditer(pair.vendor)]
    both = [span for span in spans if span in theirs]
    return _blank(pair.vendor, pair.rebuilt, both) if both else None


def _build_paths(pair: SectionPair, context: BuildContext) -> tuple[bytes, bytes] | None:
    """Blank the build directory prefix where the vendor's and the rebuilt's stand at the same
    place (equal-length roots only: a longer path moves everything after it)."""
    if pair.executable or len(pair.vendor) != len(pair.rebuilt):
        return None
    spans: list[tuple[int, int]] = []
    for vendor_root, rebuilt_root in context.build_roots:
        if len(vendor_root) != len(rebuilt_root) or not vendor_root:
            continue
        start = pair.vendor.find(vendor_root)
        while start >= 0:
            end = start + len(vendor_root)
            if pair.rebuilt[start:end] == rebuilt_root:
                spans.append((start, end))
            start = pair.vendor.find(vendor_root, end)
    return _blank(pair.vendor, pair.rebuilt, spans) if spans else None


def _blank(
    vendor: bytes, rebuilt: bytes, spans: list[tuple[int, int]]
) -> tuple[bytes, bytes] | None:
    """Zero the spans that differ between the sides; None when none differs."""
    differing = [(a, b) for a, b in spans if vendor[a:b] != rebuilt[a:b]]
    if not differing:
        return None
    left, right = bytearray(vendor), bytearray(rebuilt)
    for start, end in differing:
        left[start:end] = right[start:end] = bytes(end - start)
    return bytes(left), bytes(right)


NORMALISERS: tuple[Normaliser, ...] = (
    Normaliser("debug-sections", "DWARF and other .debug_* sections", _debug),
    Normaliser("compiler-ident", ".comment and other compiler/linker ident sections", _ident),
    Normaliser(
        "gnu-debuglink", ".gnu_debuglink: the separate debug file's name and CRC", _debuglink
    ),
    Normaliser("gnu-build-id", "the descriptor of the NT_GNU_BUILD_ID note", _build_id),
    Normaliser("embedded-timestamps", "__DATE__/__TIME__ and ISO date literals", _timestamps),
    Normaliser("build-paths", "the build directory prefix in embedded paths", _build_paths),
)


def normalise(pair: SectionPair, context: BuildContext) -> tuple[bytes, bytes, tuple[str, ...]]:
    """Both sides after the normalisers, and the names of those that changed something."""
    vendor, rebuilt, applied = pair.vendor, pair.rebuilt, []
    for normaliser in NORMALISERS:
        if vendor == rebuilt:
            break
        current = SectionPair(pair.name, vendor, rebuilt, pair.executable, pair.note)
        rewritten = normaliser.rewrite(current, context)
        if rewritten is not None:
            vendor, rebuilt = rewritten
            applied.append(normaliser.name)
    return vendor, rebuilt, tuple(applied)


def ignorable_section(name: str) -> str | None:
    """The normaliser that allows a section present on one side only, if any."""
    if name.startswith(DEBUG_PREFIXES):
        return "debug-sections"
    if name in IDENT_SECTIONS:
        return "compiler-ident"
    return "gnu-debuglink" if name == ".gnu_debuglink" else None
