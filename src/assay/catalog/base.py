"""The Cataloger seam: each cataloger finds components of one kind of evidence in the index."""

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import ClassVar

from assay.inventory.index import FileIndex
from assay.model.component import ComponentType, Confidence, Evidence
from assay.model.problem import ProblemKind, ProblemLevel


@dataclass(frozen=True, slots=True)
class Observation:
    """One sighting of a (product, version) by one cataloger, before sightings are merged."""

    product: str
    name: str
    version: str
    type: ComponentType
    found_by: str
    confidence: Confidence
    evidence: Evidence
    purl: str | None = None
    cpes: tuple[str, ...] = ()
    supplier: str | None = None
    licenses: tuple[str, ...] = ()
    ecosystem: str | None = None


@dataclass(slots=True)
class CatalogContext:
    """What a cataloger may use besides the index: a place to record problems."""

    problems: list[tuple[ProblemKind, ProblemLevel, str, str]] = field(default_factory=list)

    def problem(
        self,
        kind: ProblemKind,
        message: str,
        location: str,
        level: ProblemLevel = ProblemLevel.WARNING,
    ) -> None:
        """Record a problem; the cataloger carries on."""
        self.problems.append((kind, level, message, location))


class Cataloger(ABC):
    """Finds components from one kind of evidence. Registered in `assay.plugins`."""

    name: ClassVar[str]
    description: ClassVar[str]

    @abstractmethod
    def catalog(self, index: FileIndex, ctx: CatalogContext) -> list[Observation]:
        """Every component sighting this cataloger can make in the index."""
