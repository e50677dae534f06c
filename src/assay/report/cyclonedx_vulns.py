"""The `vulnerabilities` of the CycloneDX 1.6 SBOM: one entry per vulnerability of a component
(bom-ref = assay's vulnerability id), with its source, CVSS ratings, CWEs, what it affects, the
triage as a CycloneDX analysis (states and justifications mapped as `assay.vuln.vex_cyclonedx`
documents), KEV and EPSS as `assay:` properties, and the fixed version as the recommendation."""

import logging
from collections.abc import Collection
from datetime import datetime
from decimal import Decimal

from cyclonedx.model import Property, XsUri
from cyclonedx.model.impact_analysis import (
    ImpactAnalysisAffectedStatus,
    ImpactAnalysisJustification,
    ImpactAnalysisState,
)
from cyclonedx.model.vulnerability import (
    BomTarget,
    BomTargetVersionRange,
    VulnerabilityAnalysis,
    VulnerabilityRating,
    VulnerabilityScoreSource,
    VulnerabilitySeverity,
    VulnerabilitySource,
)
from cyclonedx.model.vulnerability import Vulnerability as CdxVulnerability

from assay.model.evaluation import Evaluation
from assay.model.vulnerability import CvssRating, Triage, Vulnerability
from assay.vuln.vex_cyclonedx import JUSTIFICATION_FROM_OPENVEX, STATE_FROM_OPENVEX
from assay.vuln.vex_export import vulnerability_source
from assay.vuln.vex_statement import parse_time

log = logging.getLogger(__name__)
CVSS_METHODS = {
    "4.0": VulnerabilityScoreSource.CVSS_V4,
    "3.1": VulnerabilityScoreSource.CVSS_V3_1,
    "3.0": VulnerabilityScoreSource.CVSS_V3,
    "2.0": VulnerabilityScoreSource.CVSS_V2,
}
SEVERITIES = {s.value: s for s in VulnerabilitySeverity}
CYCLONEDX_JUSTIFICATIONS = {j.value: j for j in ImpactAnalysisJustification}


def cyclonedx_vulnerabilities(
    evaluation: Evaluation, component_refs: Collection[str]
) -> list[CdxVulnerability]:
    """The evaluation's vulnerabilities; `component_refs` are the bom-refs of the BOM's
    components (a vulnerability of a component not among them affects nothing named)."""
    names = {c.id: c.name for c in evaluation.components}
    entries: dict[str, CdxVulnerability] = {}
    for vulnerability in evaluation.vulnerabilities:
        if vulnerability.id in entries:
            continue
        known = vulnerability.component in component_refs
        if not known:
            log.warning("%s: component %s is not in the SBOM", vulnerability.cve, vulnerability.id)
        name = names.get(vulnerability.component, vulnerability.product)
        entries[vulnerability.id] = cyclonedx_vulnerability(vulnerability, name, known)
    return list(entries.values())


def cyclonedx_vulnerability(
    vulnerability: Vulnerability, component_name: str, component_known: bool = True
) -> CdxVulnerability:
    """One vulnerability of one component as a CycloneDX vulnerability."""
    source_name, url = vulnerability_source(vulnerability.cve)
    fixed = vulnerability.fixed_version
    return CdxVulnerability(
        bom_ref=vulnerability.id,
        id=vulnerability.cve,
        source=VulnerabilitySource(name=source_name, url=XsUri(url)),
        ratings=[_rating(r) for r in vulnerability.ratings],
        cwes=_cwes(vulnerability.cwes),
        description=vulnerability.description,
        recommendation=f"Upgrade {component_name} to {fixed} or later." if fixed else None,
        published=_moment(vulnerability.published),
        analysis=_analysis(vulnerability.triage) if vulnerability.triage else None,
        affects=[_affects(vulnerability)] if component_known else [],
        properties=_properties(vulnerability),
    )


def _rating(rating: CvssRating) -> VulnerabilityRating:
    method = CVSS_METHODS.get(rating.version)
    if method is None:
        method = VulnerabilityScoreSource.get_from_vector(rating.vector or "")
    return VulnerabilityRating(
        score=Decimal(str(rating.score)),
        severity=SEVERITIES.get(rating.severity.lower(), VulnerabilitySeverity.UNKNOWN),
        method=method,
        vector=rating.vector,
    )


def _cwes(cwes: tuple[str, ...]) -> list[int]:
    numbers = (c.upper().removeprefix("CWE-") for c in cwes)
    return sorted({int(n) for n in numbers if n.isdigit()})


def _moment(text: str | None) -> datetime | None:
    try:
        return parse_time(text)
    except ValueError:
        return None


def _analysis(triage: Triage) -> VulnerabilityAnalysis:
    justification = triage.justification or ""
    cyclonedx = JUSTIFICATION_FROM_OPENVEX.get(justification, justification)
    return VulnerabilityAnalysis(
        state=ImpactAnalysisState(STATE_FROM_OPENVEX[triage.state]),
        justification=CYCLONEDX_JUSTIFICATIONS.get(cyclonedx),
        detail=triage.detail,
    )


def _affects(vulnerability: Vulnerability) -> BomTarget:
    status = (
        ImpactAnalysisAffectedStatus.AFFECTED
        if vulnerability.open
        else ImpactAnalysisAffectedStatus.UNAFFECTED
    )
    versions = [BomTargetVersionRange(version=vulnerability.version, status=status)]
    return BomTarget(
        ref=vulnerability.component, versions=versions if vulnerability.version else []
    )


def _properties(vulnerability: Vulnerability) -> list[Property]:
    kev, epss, triage = vulnerability.kev, vulnerability.epss, vulnerability.triage
    pairs: list[tuple[str, str | None]] = [
        ("assay:method", vulnerability.method),
        ("assay:why", vulnerability.why),
        *(("assay:condition", c) for c in vulnerability.conditions),
    ]
    if kev is not None:
        pairs += [
            ("assay:kev", "true"),
            ("assay:kev:date_added", kev.date_added),
            ("assay:kev:due_date", kev.due_date),
            ("assay:kev:ransomware", kev.ransomware),
        ]
    if epss is not None:
        pairs += [
            ("assay:epss:score", str(epss.score)),
            ("assay:epss:percentile", str(epss.percentile)),
        ]
    if triage is not None:
        pairs.append(("assay:triage:source", triage.source))
    return [Property(name=name, value=value) for name, value in pairs if value]
