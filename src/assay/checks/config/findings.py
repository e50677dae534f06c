"""Building the configuration check's findings: one finding per (rule, in-release key), its id
stable across runs and releases, evidence from every place the same thing was seen merged in."""

from dataclasses import replace

from assay.model.config import ConfigSource
from assay.model.finding import Category, Finding, FindingEvidence, Severity
from assay.model.ids import stable_id

Property = tuple[str, str | int | float | bool]


def evidence_of(source: ConfigSource) -> FindingEvidence:
    """A config source as finding evidence: file, line and the line as written."""
    return FindingEvidence(
        artifact=source.artifact,
        location=source.location,
        line=source.line,
        matched=source.text or None,
    )


class FindingSet:
    """Findings keyed by id; adding the same finding again adds its evidence."""

    def __init__(self) -> None:
        self._found: dict[str, Finding] = {}

    def add(
        self,
        rule: str,
        severity: Severity,
        title: str,
        message: str,
        key: str,
        evidence: FindingEvidence,
        properties: tuple[Property, ...] = (),
    ) -> None:
        """Record a finding about `key` (an in-release path, or path plus subject)."""
        finding_id = stable_id("finding", rule, key)
        known = self._found.get(finding_id)
        if known is None:
            self._found[finding_id] = Finding(
                id=finding_id,
                rule=rule,
                category=Category.CONFIG,
                severity=severity,
                title=title,
                message=message,
                evidence=(evidence,),
                properties=tuple(sorted(properties)),
            )
            return
        if evidence in known.evidence:
            return
        if severity > known.severity:
            known = replace(known, severity=severity, title=title, message=message)
        self._found[finding_id] = replace(known, evidence=(*known.evidence, evidence))

    def findings(self) -> tuple[Finding, ...]:
        """All findings, most severe first, then by rule and id."""
        return tuple(sorted(self._found.values(), key=lambda f: (-f.severity, f.rule, f.id)))
