"""The binary matcher: every rule's version patterns compiled once into one Hyperscan database;
each file's bytes are scanned once for all of them, and only the few places Hyperscan reports are
re-read with Python's `re` to extract the version group."""

import fnmatch
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pyperscan

from assay.catalog.binary.rules import VERSION_GROUP, Rule

WINDOW = 256
MATCH_LIMIT = 200


@dataclass(frozen=True, slots=True)
class Hit:
    """A version string of a rule's product at an offset of a file."""

    rule: Rule
    version: str
    offset: int
    matched: bytes
    confirmed: bool


def _hyperscan_source(pattern: re.Pattern[bytes]) -> bytes:
    """The pattern without named groups (Hyperscan reports offsets, never groups)."""
    return re.sub(rb"\(\?P<[A-Za-z_][A-Za-z0-9_]*>", b"(", pattern.pattern)


@dataclass(frozen=True, slots=True)
class Scan:
    """What one pass over a file found: version strings, and the rules one of whose version
    symbols is named in the file (a string table entry; whether it is defined is read later)."""

    hits: list[Hit]
    symbol_rules: tuple[Rule, ...]


class Matcher:
    """All rules, compiled once; `scan` is thread-safe (one scanner per call)."""

    def __init__(self, rules: tuple[Rule, ...]) -> None:
        self.rules = rules
        self._targets: list[tuple[Rule, re.Pattern[bytes] | None]] = []
        self._symbol_tags: set[int] = set()
        patterns: list[Any] = []
        for rule in rules:
            for entry in rule.version_symbols:
                # a string table entry: NUL, the name, NUL
                self._symbol_tags.add(len(self._targets))
                name = rb"\x00" + re.escape(entry.symbol.encode()) + rb"\x00"
                patterns.append(self._pattern(name, rule, None))
            for version_pattern in rule.version_patterns:
                patterns.append(
                    self._pattern(_hyperscan_source(version_pattern), rule, version_pattern)
                )
            for marker in rule.contains:
                patterns.append(self._pattern(re.escape(marker), rule, None))
        self._database = pyperscan.BlockDatabase(*patterns)

    def _pattern(self, source: bytes, rule: Rule, compiled: re.Pattern[bytes] | None) -> Any:
        tag = len(self._targets)
        self._targets.append((rule, compiled))
        return pyperscan.Pattern(source, pyperscan.Flag.DOTALL, tag=tag)

    def scan(self, data: Any) -> list[Hit]:
        """Every product version string in `data` (bytes or mmap), deduplicated per offset."""
        return self.scan_file(data).hits

    def scan_file(self, data: Any) -> Scan:
        """Version strings and version-symbol names in `data` (bytes or mmap), in one pass."""
        ends: dict[int, list[int]] = {}
        markers: set[str] = set()
        symbols: dict[str, Rule] = {}
        targets = self._targets
        symbol_tags = self._symbol_tags

        def on_match(_ctx: object, tag: int, _start: int, end: int) -> pyperscan.Scan:
            rule, compiled = targets[tag]
            if tag in symbol_tags:
                symbols[rule.product] = rule
            elif compiled is None:
                markers.add(rule.product)
            else:
                found = ends.setdefault(tag, [])
                if len(found) < MATCH_LIMIT:
                    found.append(end)
            return pyperscan.Scan.Continue

        self._database.build(None, on_match).scan(data)
        hits: dict[tuple[str, int], Hit] = {}
        for tag, tag_ends in ends.items():
            rule, compiled = targets[tag]
            assert compiled is not None
            for hit in _extract(rule, compiled, data, tag_ends, rule.product in markers):
                hits.setdefault((rule.product, hit.offset), hit)
        ordered = [hits[key] for key in sorted(hits, key=lambda k: (k[1], k[0]))]
        return Scan(ordered, tuple(symbols.values()))


def _extract(
    rule: Rule, compiled: re.Pattern[bytes], data: Any, ends: list[int], marker: bool
) -> Iterator[Hit]:
    consumed = -1
    for end in sorted(ends):
        if end <= consumed:
            continue
        start = max(0, end - WINDOW)
        stop = min(len(data), end + WINDOW)
        for match in compiled.finditer(data, start, stop):
            if match.end() <= consumed:
                continue
            version = match.group(VERSION_GROUP).decode("ascii", "replace")
            yield Hit(
                rule=rule,
                version=rule.normalise(version),
                offset=match.start(),
                matched=bytes(match.group(0)),
                confirmed=marker or not rule.contains,
            )
        consumed = stop


BUNDLE_HASH = re.compile(r"-[0-9a-f]{8}(?=\.so(?:\.|$)|\.[0-9]+\.dylib$)")


def plain_name(file_name: str) -> str:
    """A library name without the content hash auditwheel and delocate add to the libraries they
    bundle into wheels (`libssl-8bd944e8.so.3` → `libssl.so.3`)."""
    return BUNDLE_HASH.sub("", file_name)


def name_matches(rule: Rule, file_name: str) -> bool:
    """True when a file's name (without a bundling hash) matches one of the rule's file-name
    hints."""
    name = plain_name(file_name)
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in rule.files)
