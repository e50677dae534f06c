"""Components: third-party software found in a release, each with the evidence that found it."""

from dataclasses import dataclass
from enum import StrEnum


class ComponentType(StrEnum):
    """What kind of software a component is (CycloneDX component types)."""

    LIBRARY = "library"
    APPLICATION = "application"
    OPERATING_SYSTEM = "operating-system"
    FIRMWARE = "firmware"
    FRAMEWORK = "framework"


class Confidence(StrEnum):
    """How sure the identification is: `high` from package metadata or a version string with a
    confirming file name or second pattern, `medium` from a version string alone, `low` from a
    file name alone."""

    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


CONFIDENCE_ORDER = {Confidence.LOW: 0, Confidence.MEDIUM: 1, Confidence.HIGH: 2}


@dataclass(frozen=True, slots=True)
class Evidence:
    """Where and how a component was seen: a file and offset with the matched bytes, or a
    package-database record."""

    artifact: str
    location: str
    method: str
    offset: int | None = None
    matched: str | None = None
    record: str | None = None
    embedded: bool = False


@dataclass(frozen=True, slots=True)
class Component:
    """One (product, version) found in the release, with every place it was seen."""

    id: str
    product: str
    name: str
    version: str
    type: ComponentType
    purl: str | None
    cpes: tuple[str, ...]
    found_by: tuple[str, ...]
    confidence: Confidence
    evidence: tuple[Evidence, ...]
    supplier: str | None = None
    licenses: tuple[str, ...] = ()
    eol: str | None = None
    ecosystem: str | None = None

    @property
    def artifacts(self) -> tuple[str, ...]:
        """Ids of the files this component sits in, in evidence order, without repeats."""
        return tuple(dict.fromkeys(e.artifact for e in self.evidence))
