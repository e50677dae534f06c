"""The verdicts of an equivalence comparison: one per file pair, and one for the release."""

from dataclasses import dataclass
from enum import StrEnum


class Verdict(StrEnum):
    """How a vendor file relates to its rebuilt counterpart."""

    IDENTICAL = "identical"
    EQUIVALENT = "equivalent"
    DIFFERENT = "different"
    MISSING = "missing"


@dataclass(frozen=True, slots=True)
class Difference:
    """One thing that differs and no normaliser could justify: a section, maybe a function."""

    section: str
    detail: str
    function: str | None = None


@dataclass(frozen=True, slots=True)
class FilePair:
    """A vendor file and its rebuilt counterpart (None on the side where it is missing)."""

    vendor: str | None
    rebuilt: str | None
    verdict: Verdict
    normalisations: tuple[str, ...] = ()
    differences: tuple[Difference, ...] = ()

    @property
    def matches(self) -> bool:
        """Identical or equivalent."""
        return self.verdict in (Verdict.IDENTICAL, Verdict.EQUIVALENT)


@dataclass(frozen=True, slots=True)
class ReleaseVerdict:
    """Every file pair of two releases, vendor order."""

    pairs: tuple[FilePair, ...]
    problems: tuple[str, ...] = ()

    @property
    def equivalent(self) -> int:
        """Pairs that are identical or equivalent."""
        return sum(1 for pair in self.pairs if pair.matches)

    @property
    def rest(self) -> tuple[FilePair, ...]:
        """Pairs that are different or missing."""
        return tuple(pair for pair in self.pairs if not pair.matches)

    def line(self) -> str:
        """`N of M binaries equivalent` (identical counts as equivalent)."""
        return f"{self.equivalent} of {len(self.pairs)} binaries equivalent"


def pair_json(pair: FilePair) -> dict[str, object]:
    """The JSON object of one pair."""
    return {
        "vendor": pair.vendor,
        "rebuilt": pair.rebuilt,
        "verdict": pair.verdict.value,
        "normalisations": list(pair.normalisations),
        "differences": [
            {
                "section": d.section,
                **({"function": d.function} if d.function else {}),
                "detail": d.detail,
            }
            for d in pair.differences
        ],
    }
