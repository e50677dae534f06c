"""The check seam: a ReleaseCheck reads the unpacked release and returns findings plus facts."""

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import date
from typing import Any, ClassVar

from assay.inventory.index import FileIndex
from assay.model.component import Component
from assay.model.finding import Finding
from assay.model.problem import ProblemKind, ProblemLevel


@dataclass(slots=True)
class CheckContext:
    """What a check may use besides the index: the components found, options, a problem log."""

    components: tuple[Component, ...] = ()
    unredacted: bool = False
    today: date = field(default_factory=date.today)
    problems: list[tuple[ProblemKind, ProblemLevel, str, str]] = field(default_factory=list)

    def problem(
        self,
        kind: ProblemKind,
        message: str,
        location: str,
        level: ProblemLevel = ProblemLevel.WARNING,
    ) -> None:
        """Record a problem; the check carries on with the next file."""
        self.problems.append((kind, level, message, location))


@dataclass(frozen=True, slots=True)
class CheckResult:
    """A check's output: findings, and `facts` — the check's own typed report object (e.g. the
    hardening matrix), which the evaluation keeps under the check's name."""

    findings: tuple[Finding, ...] = ()
    facts: Any = None


class ReleaseCheck(ABC):
    """One check over the whole release. Registered in `assay.plugins`."""

    name: ClassVar[str]
    description: ClassVar[str]

    @abstractmethod
    def run(self, index: FileIndex, ctx: CheckContext) -> CheckResult:
        """Examine the release; a bad file is a recorded problem, never an exception."""
