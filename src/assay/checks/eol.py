"""End of life: a component on a release line its project no longer supports is a finding of its
own (dates and sources in assay/data/binary-rules.yaml `eol`/`eol_source`)."""

from datetime import date

from assay.catalog.binary.rules import default_rules
from assay.checks.base import CheckContext, CheckResult, ReleaseCheck
from assay.inventory.index import FileIndex
from assay.model.component import Component
from assay.model.finding import Category, Finding, FindingEvidence, Severity
from assay.model.ids import stable_id

RULE = "component.end-of-life"
EVIDENCE_SHOWN = 20


class EndOfLifeCheck(ReleaseCheck):
    """Components whose release line reached its end of life before the evaluation date."""

    name = "end-of-life"
    description = "components on release lines past their end of life"

    def run(self, index: FileIndex, ctx: CheckContext) -> CheckResult:
        sources = {rule.product: rule.eol_source for rule in default_rules()}
        findings = [
            _finding(component, ended, sources.get(component.product), ctx.today)
            for component in ctx.components
            if (ended := _ended(component, ctx.today)) is not None
        ]
        return CheckResult(findings=tuple(findings))


def _ended(component: Component, today: date) -> date | None:
    if component.eol is None:
        return None
    try:
        ended = date.fromisoformat(component.eol)
    except ValueError:
        return None
    return ended if ended <= today else None


def _finding(component: Component, ended: date, source: str | None, today: date) -> Finding:
    years = (today - ended).days / 365.25
    severity = Severity.HIGH if years >= 2 else Severity.MEDIUM
    files = [e for e in component.evidence if e.method not in ("package-db", "source-version")]
    evidence = tuple(
        FindingEvidence(
            artifact=e.artifact, location=e.location, offset=e.offset, matched=e.matched
        )
        for e in (files or list(component.evidence))[:EVIDENCE_SHOWN]
    )
    properties: list[tuple[str, str | int | float | bool]] = [
        ("product", component.product),
        ("version", component.version),
        ("end_of_life", ended.isoformat()),
        ("copies", len({e.location for e in files})),
    ]
    if source:
        properties.append(("source", source))
    return Finding(
        id=stable_id("finding", RULE, component.product, component.version),
        rule=RULE,
        category=Category.END_OF_LIFE,
        severity=severity,
        title=f"{component.name} {component.version} is past its end of life",
        message=(
            f"{component.name} {component.version}'s release line ended support on "
            f"{ended.isoformat()} ({years:.1f} years before this evaluation); it receives no "
            "security fixes."
        ),
        evidence=evidence,
        properties=tuple(properties),
    )
