"""Findings: what a check established about the release, with a stable rule id and evidence."""

from dataclasses import dataclass
from enum import IntEnum, StrEnum


class Severity(IntEnum):
    """How much a finding matters; ordered so a policy gate can compare (`>= Severity.HIGH`)."""

    INFO = 0
    LOW = 1
    MEDIUM = 2
    HIGH = 3
    CRITICAL = 4

    @property
    def label(self) -> str:
        """The lower-case name used in every report (`high`)."""
        return self.name.lower()

    @classmethod
    def from_label(cls, label: str) -> "Severity":
        """`high` → Severity.HIGH; ValueError for an unknown label."""
        try:
            return cls[label.upper()]
        except KeyError:
            raise ValueError(f"unknown severity {label!r}") from None


class Category(StrEnum):
    """The family a finding belongs to; reports group by it."""

    HARDENING = "hardening"
    UNSAFE_FUNCTIONS = "unsafe-functions"
    SECRET = "secret"
    CONFIG = "config"
    VULNERABILITY = "vulnerability"
    END_OF_LIFE = "end-of-life"


@dataclass(frozen=True, slots=True)
class FindingEvidence:
    """Where a finding was seen: a file (artifact id and display location), optionally an offset
    or line, and the matched text — already redacted when it is a secret."""

    artifact: str
    location: str
    offset: int | None = None
    line: int | None = None
    matched: str | None = None


@dataclass(frozen=True, slots=True)
class Finding:
    """One finding. `rule` is a public, dotted, stable id (`elf.relro.missing`); `id` is stable
    across runs and releases: derived from the rule and the in-release path/key it is about,
    never from content hashes alone, so triage decisions carry over."""

    id: str
    rule: str
    category: Category
    severity: Severity
    title: str
    message: str
    evidence: tuple[FindingEvidence, ...]
    properties: tuple[tuple[str, str | int | float | bool], ...] = ()
