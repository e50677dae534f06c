"""The secret patterns (data: assay/data/secret-patterns.yaml) compiled into one Hyperscan
database per file class; one scan of a file's bytes nominates every place worth parsing."""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import pyperscan
import yaml

from assay.model.finding import Severity

PATTERNS_FILE = "secret-patterns.yaml"
HITS_PER_PATTERN = 4096
FAMILIES = frozenset(
    {
        "pem",
        "putty",
        "der-certificate",
        "der-private-key",
        "der-encrypted-key",
        "der-pkcs12",
        "crypt-hash",
        "url-credential",
        "assignment",
        "token",
    }
)


class PatternsError(Exception):
    """The patterns file is malformed; the message names the entry and the field."""


@dataclass(frozen=True, slots=True)
class SecretPattern:
    """One entry of the patterns file."""

    id: str
    family: str
    regex: re.Pattern[bytes]
    binary: bool = True
    caseless: bool = False
    kind: str = ""
    title: str = ""
    severity: Severity = Severity.MEDIUM
    prefix: str = ""
    examples: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PatternHit:
    """Where a pattern's match starts in a file (the family parser reads on from there)."""

    pattern: SecretPattern
    start: int


def _entry(raw: Mapping[str, Any]) -> SecretPattern:
    name = str(raw.get("id", "?"))
    family = raw.get("family")
    if family not in FAMILIES:
        raise PatternsError(f"pattern {name}: unknown family {family!r}")
    caseless = bool(raw.get("caseless", False))
    try:
        regex = re.compile(
            str(raw["regex"]).encode("latin-1"), re.DOTALL | (re.IGNORECASE if caseless else 0)
        )
        severity = Severity.from_label(str(raw.get("severity", "medium")))
    except (KeyError, re.error, ValueError) as err:
        raise PatternsError(f"pattern {name}: {err}") from None
    return SecretPattern(
        id=name,
        family=str(family),
        regex=regex,
        binary=bool(raw.get("binary", True)),
        caseless=caseless,
        kind=str(raw.get("kind", "")),
        title=str(raw.get("title", "")),
        severity=severity,
        prefix=str(raw.get("prefix", "")),
        examples=tuple(str(e) for e in raw.get("examples", ())),
    )


def load_patterns(text: str) -> tuple[SecretPattern, ...]:
    """Parse and validate a patterns document."""
    document = yaml.safe_load(text)
    if not isinstance(document, dict) or not isinstance(document.get("patterns"), list):
        raise PatternsError("the patterns file needs a top-level `patterns` list")
    patterns = tuple(_entry(raw) for raw in document["patterns"])
    ids = [p.id for p in patterns]
    if len(set(ids)) != len(ids):
        raise PatternsError("pattern ids must be unique")
    if any(p.family == "token" and not p.kind for p in patterns):
        raise PatternsError("every token pattern needs a kind")
    return patterns


@cache
def default_patterns() -> tuple[SecretPattern, ...]:
    """The patterns shipped with assay."""
    text = resources.files("assay.data").joinpath(PATTERNS_FILE).read_text("utf-8")
    return load_patterns(text)


class _Database:
    """One compiled Hyperscan database over some of the patterns."""

    def __init__(self, patterns: tuple[SecretPattern, ...]) -> None:
        self.patterns = patterns
        compiled = []
        for tag, pattern in enumerate(patterns):
            flags = [pyperscan.Flag.DOTALL, pyperscan.Flag.SOM_LEFTMOST]
            if pattern.caseless:
                flags.append(pyperscan.Flag.CASELESS)
            compiled.append(pyperscan.Pattern(pattern.regex.pattern, *flags, tag=tag))
        self._database = pyperscan.BlockDatabase(*compiled)

    def scan(self, data: Any) -> list[PatternHit]:
        starts: dict[int, set[int]] = {}

        def on_match(_ctx: object, tag: int, start: int, _end: int) -> pyperscan.Scan:
            found = starts.setdefault(tag, set())
            if len(found) < HITS_PER_PATTERN:
                found.add(start)
            return pyperscan.Scan.Continue

        self._database.build(None, on_match).scan(data)
        hits = [
            PatternHit(self.patterns[tag], start)
            for tag, tag_starts in starts.items()
            for start in tag_starts
        ]
        return sorted(hits, key=lambda h: (h.start, h.pattern.id))


class SecretScanner:
    """All patterns compiled once; `scan` is thread-safe (a scanner per call)."""

    def __init__(self, patterns: tuple[SecretPattern, ...] | None = None) -> None:
        self.patterns = patterns if patterns is not None else default_patterns()
        self._text = _Database(self.patterns)
        self._binary = _Database(tuple(p for p in self.patterns if p.binary))

    def scan(self, data: Any, text: bool) -> list[PatternHit]:
        """Every place in `data` (bytes or mmap) where a pattern starts, in file order; `text`
        selects the full set, otherwise only the patterns that make sense in binaries."""
        if not len(data):
            return []
        return (self._text if text else self._binary).scan(data)


@cache
def default_scanner() -> SecretScanner:
    """The scanner for the shipped patterns (compiled once per process)."""
    return SecretScanner()
