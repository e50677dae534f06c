"""The evaluation of one release: what went in, what each stage did, what was found."""

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from assay.model.artifact import Artifact
from assay.model.component import Component
from assay.model.finding import Finding
from assay.model.problem import Problem, ProblemLevel
from assay.model.vulnerability import VulnDataInfo, Vulnerability

SCHEMA_VERSION = "1.1"


class StageStatus(StrEnum):
    """Outcome of one pipeline stage."""

    OK = "ok"
    PARTIAL = "partial"
    FAILED = "failed"
    SKIPPED = "skipped"


@dataclass(frozen=True, slots=True)
class StageResult:
    """How one stage of the pipeline went."""

    name: str
    status: StageStatus
    seconds: float
    message: str = ""


@dataclass(frozen=True, slots=True)
class Release:
    """The input that was evaluated: a file or a directory, identified by its content."""

    id: str
    name: str
    input_path: str
    input_kind: str
    sha256: str
    size: int
    vendor: str | None = None
    product: str | None = None
    version: str | None = None


@dataclass(frozen=True, slots=True)
class Evaluation:
    """Everything assay established about one release."""

    release: Release
    tool_version: str
    started: str
    finished: str
    stages: tuple[StageResult, ...]
    artifacts: tuple[Artifact, ...]
    problems: tuple[Problem, ...]
    limits: tuple[tuple[str, int | float], ...] = field(default=())
    components: tuple[Component, ...] = field(default=())
    findings: tuple[Finding, ...] = field(default=())
    vulnerabilities: tuple[Vulnerability, ...] = field(default=())
    facts: tuple[tuple[str, Any], ...] = field(default=())
    vulndata: VulnDataInfo | None = None
    schema_version: str = SCHEMA_VERSION

    def fact(self, name: str) -> Any:
        """The facts a check reported under its name (e.g. `hardening`), or None."""
        return dict(self.facts).get(name)

    @property
    def complete(self) -> bool:
        """True when no stage failed and no part of the release was left unevaluated."""
        stage_ok = all(s.status in (StageStatus.OK, StageStatus.SKIPPED) for s in self.stages)
        return stage_ok and not any(p.level is ProblemLevel.ERROR for p in self.problems)
