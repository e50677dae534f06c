"""The vulnerabilities stage: every component matched against the offline database, each match
turned into a Vulnerability with its scores, KEV and EPSS, and the data's age stated."""

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from assay.model.component import Component
from assay.model.evaluation import StageResult, StageStatus
from assay.model.finding import Severity
from assay.model.ids import stable_id
from assay.model.problem import Problem, ProblemKind, ProblemLevel
from assay.model.vulnerability import (
    CvssRating,
    EpssRating,
    KevFlag,
    VulnDataInfo,
    Vulnerability,
)
from assay.pipeline.progress import Progress
from assay.vuln.db import VulnDatabase
from assay.vuln.match_result import Undecided, VulnMatch
from assay.vuln.matcher import Matcher

log = logging.getLogger(__name__)
STAGE = "vulnerabilities"
RATING_KEYS = ("cvss_v4", "cvss_v3", "cvss_v2")
SEVERITY_LABELS = {
    "CRITICAL": Severity.CRITICAL,
    "HIGH": Severity.HIGH,
    "MEDIUM": Severity.MEDIUM,
    "MODERATE": Severity.MEDIUM,
    "LOW": Severity.LOW,
    "NONE": Severity.INFO,
}


@dataclass(slots=True)
class VulnOutcome:
    """Vulnerabilities found, those that could not be decided, the data used, the stage result."""

    vulnerabilities: list[Vulnerability] = field(default_factory=list)
    undecided: list[Undecided] = field(default_factory=list)
    info: VulnDataInfo | None = None
    problems: list[Problem] = field(default_factory=list)
    stage: StageResult | None = None


def match_vulnerabilities(
    components: Sequence[Component], database: VulnDatabase, today: date, progress: Progress
) -> VulnOutcome:
    """Every component's vulnerabilities (deterministic order: severity, CVE, product)."""
    clock = time.monotonic()
    outcome = VulnOutcome(info=data_info(database, today))
    matcher = Matcher(database)
    platforms = platform_cpes(components)
    progress.start(STAGE, len(components))
    failed = 0
    for component in components:
        progress.note(STAGE, f"{component.name} {component.version}")
        try:
            assessed = matcher.assess(component, platforms)
        except Exception as err:  # one bad record must not lose the other components
            log.exception("matching %s %s failed", component.product, component.version)
            failed += 1
            message = f"matching {component.name} {component.version}: {type(err).__name__}: {err}"
            outcome.problems.append(
                Problem(ProblemKind.TOOL_FAILED, ProblemLevel.ERROR, message, "", stage=STAGE)
            )
        else:
            outcome.vulnerabilities.extend(
                vulnerability(m, component, database) for m in assessed.matches
            )
            outcome.undecided.extend(assessed.undecided)
        progress.advance(STAGE)
    progress.finish(STAGE)
    outcome.vulnerabilities.sort(key=lambda v: (-v.severity, v.cve, v.product, v.version))
    status = StageStatus.PARTIAL if failed else StageStatus.OK
    message = f"{failed} component(s) could not be matched" if failed else ""
    if outcome.info is not None and outcome.info.warning:
        message = "; ".join(m for m in (message, outcome.info.warning) if m)
    outcome.stage = StageResult(STAGE, status, round(time.monotonic() - clock, 3), message)
    return outcome


def platform_cpes(components: Sequence[Component]) -> tuple[str, ...]:
    """CPE names of the release's operating system and other components, for "running on"
    configurations."""
    return tuple(sorted({cpe for c in components for cpe in c.cpes}))


def data_info(database: VulnDatabase, today: date) -> VulnDataInfo:
    """Snapshot date, sources and the age warning of the database."""
    status = database.status()
    snapshot = status.snapshot_date
    return VulnDataInfo(
        snapshot_date=snapshot.isoformat() if snapshot else None,
        sources=tuple(
            (s.name, s.snapshot_date.isoformat() if s.snapshot_date else None)
            for s in status.sources
        ),
        age_days=(today - snapshot).days if snapshot else None,
        warning=status.age_warning(today),
    )


def vulnerability(match: VulnMatch, component: Component, database: VulnDatabase) -> Vulnerability:
    """A match as the evaluation's Vulnerability: scores, CWEs, KEV, EPSS from the record."""
    record = match.record
    ratings = tuple(r for r in (_rating(record.get(key)) for key in RATING_KEYS) if r is not None)
    kev = database.kev(match.cve)
    epss = database.epss(match.cve)
    return Vulnerability(
        id=stable_id("vulnerability", match.cve, match.product, component.version),
        cve=match.cve,
        component=component.id,
        product=match.product,
        version=component.version,
        method=match.method.value,
        why=match.sentence,
        severity=_severity(ratings, record),
        ratings=ratings,
        cwes=tuple(str(c) for c in record.get("cwes", ()) if str(c).startswith("CWE-")),
        kev=KevFlag(kev.date_added, kev.due_date, kev.ransomware) if kev else None,
        epss=EpssRating(epss.score, epss.percentile) if epss else None,
        published=_text(record.get("published")),
        description=_text(record.get("description") or record.get("summary")),
        fixed_version=match.fixed_version,
        conditions=match.conditions,
        presumed=match.presumed,
    )


def _rating(value: Any) -> CvssRating | None:
    if not isinstance(value, dict) or not isinstance(value.get("score"), int | float):
        return None
    return CvssRating(
        version=str(value.get("version", "")),
        score=float(value["score"]),
        severity=str(value.get("severity", "")).lower(),
        vector=_text(value.get("vector")),
    )


def _severity(ratings: tuple[CvssRating, ...], record: dict[str, Any]) -> Severity:
    """The CVSS v3 severity, else v4, else v2; a CVE without any score counts as medium (unknown
    is not low: a policy gate must not pass it silently)."""
    preferred = sorted(ratings, key=lambda r: (not r.version.startswith("3"), r.version))
    for rating in preferred:
        label = SEVERITY_LABELS.get(rating.severity.upper())
        if label is not None:
            return label
    return SEVERITY_LABELS.get(str(record.get("severity", "")).upper(), Severity.MEDIUM)


def _text(value: Any) -> str | None:
    return str(value) if value else None
