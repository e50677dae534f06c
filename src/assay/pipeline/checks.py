"""The checks stage: run every release check over the file index and the components found."""

import logging
import time
from dataclasses import dataclass, field
from typing import Any

from assay.checks.base import CheckContext, ReleaseCheck
from assay.inventory.index import FileIndex
from assay.model.evaluation import StageResult, StageStatus
from assay.model.finding import Finding
from assay.model.problem import Problem, ProblemKind, ProblemLevel
from assay.pipeline.progress import Progress

log = logging.getLogger(__name__)
STAGE = "checks"


@dataclass(slots=True)
class ChecksOutcome:
    """Findings of every check, each check's facts by name, the problems met, the stage result."""

    findings: list[Finding] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    stage: StageResult | None = None


def run_checks(
    index: FileIndex, checks: tuple[ReleaseCheck, ...], context: CheckContext, progress: Progress
) -> ChecksOutcome:
    """Every check's findings and facts; a check that fails is a problem, the others go on."""
    clock = time.monotonic()
    outcome = ChecksOutcome()
    failed: list[str] = []
    progress.start(STAGE, len(checks))
    for check in checks:
        progress.note(STAGE, check.name)
        context.problems.clear()
        try:
            result = check.run(index, context)
            outcome.findings.extend(result.findings)
            if result.facts is not None:
                outcome.facts[check.name] = result.facts
        except Exception as err:  # a check bug must never end the evaluation
            log.exception("check %s failed", check.name)
            failed.append(check.name)
            context.problem(
                ProblemKind.TOOL_FAILED, f"{type(err).__name__}: {err}", "", ProblemLevel.ERROR
            )
        outcome.problems.extend(
            Problem(kind, level, message, location, stage=STAGE, extractor=check.name)
            for kind, level, message, location in context.problems
        )
        progress.advance(STAGE)
    progress.finish(STAGE)
    outcome.findings.sort(key=lambda f: (-f.severity, f.rule, f.id))
    status = StageStatus.PARTIAL if failed else StageStatus.OK
    message = f"check(s) failed: {', '.join(failed)}" if failed else ""
    outcome.stage = StageResult(STAGE, status, round(time.monotonic() - clock, 3), message)
    return outcome
