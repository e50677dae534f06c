"""The board summary of an evaluation document: the verdict line and the numbers behind it."""

from dataclasses import dataclass
from typing import Any

from assay.report.base import EvaluationDocument
from assay.report.metrics import (
    SEVERITIES,
    hardening_coverage,
    open_vulnerabilities,
    unsafe_ratio,
)

# The hardening properties an executable must all have to count as covered.
COVERAGE_RULE = "NX, PIE, full RELRO and a stack canary"


def severity_rank(label: object) -> int:
    """1 for critical … 5 for info (unknown labels last): sorts the worst first."""
    return SEVERITIES.index(str(label)) + 1 if label in SEVERITIES else len(SEVERITIES) + 1


def private_keys(document: EvaluationDocument) -> int:
    """Distinct private keys (by fingerprint) the secrets check found."""
    secrets = (document.get("facts") or {}).get("secrets") or {}
    return len(secrets.get("keys") or [])


def count_by_severity(items: list[dict[str, Any]]) -> dict[str, int]:
    """Items per severity label, every label present (zero when none)."""
    counts = dict.fromkeys(SEVERITIES, 0)
    for item in items:
        label = str(item.get("severity"))
        counts[label] = counts.get(label, 0) + 1
    return counts


def percent_text(value: float | None) -> str:
    """`42.5 %`, or `n/a` when there is nothing to measure."""
    return "n/a" if value is None else f"{value:g} %"


@dataclass(frozen=True, slots=True)
class Verdict:
    """The numbers a board member reads first."""

    open_vulnerabilities: int
    kev: int
    critical: int
    findings: int
    critical_findings: int
    private_keys: int
    hardening_coverage: float | None
    unsafe_ratio: float | None

    @property
    def line(self) -> str:
        """`N open vulnerabilities, K in CISA KEV, M critical; X private keys; hardening …`."""
        return (
            f"{self.open_vulnerabilities:,} open vulnerabilities, {self.kev:,} in CISA KEV, "
            f"{self.critical:,} critical; {self.private_keys:,} private keys; "
            f"hardening coverage {percent_text(self.hardening_coverage)}"
        )


def verdict(document: EvaluationDocument) -> Verdict:
    """The verdict of one evaluation document."""
    vulnerabilities = open_vulnerabilities(document)
    findings = list(document.get("findings") or [])
    return Verdict(
        open_vulnerabilities=len(vulnerabilities),
        kev=sum(1 for v in vulnerabilities if v.get("kev")),
        critical=sum(1 for v in vulnerabilities if v.get("severity") == "critical"),
        findings=len(findings),
        critical_findings=sum(1 for f in findings if f.get("severity") == "critical"),
        private_keys=private_keys(document),
        hardening_coverage=hardening_coverage(document),
        unsafe_ratio=unsafe_ratio(document),
    )


@dataclass(frozen=True, slots=True)
class Completeness:
    """Whether the whole release was evaluated, and what got in the way."""

    complete: bool
    errors: int
    warnings: int
    stages: tuple[tuple[str, str], ...]

    @property
    def line(self) -> str:
        """`Complete — 2 warnings` or `INCOMPLETE — 1 error, …: part of the release …`."""
        problems = f"{self.errors:,} errors, {self.warnings:,} warnings"
        if self.complete:
            return f"Complete: every part of the release was evaluated ({problems})."
        return f"INCOMPLETE: part of the release was not evaluated ({problems})."


def completeness(document: EvaluationDocument) -> Completeness:
    """The completeness of one evaluation document."""
    problems = document.get("problems") or []
    return Completeness(
        complete=bool((document.get("summary") or {}).get("complete", False)),
        errors=sum(1 for p in problems if p.get("level") == "error"),
        warnings=sum(1 for p in problems if p.get("level") != "error"),
        stages=tuple(
            (str(s.get("name")), str(s.get("status"))) for s in document.get("stages") or []
        ),
    )
