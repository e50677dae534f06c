"""Findings, vulnerabilities and each check's facts as JSON for `evaluation.json`."""

import dataclasses
import importlib
from enum import Enum
from typing import Any

from assay.model.evaluation import Evaluation
from assay.model.finding import Finding
from assay.model.ids import display_path
from assay.model.vulnerability import VulnDataInfo, Vulnerability

# check name -> module whose `facts_to_json(facts)` serialises that check's facts
FACTS_SERIALISERS = {
    "hardening": "assay.report.hardening_json",
    "census": "assay.report.census_json",
    "secrets": "assay.report.secrets_json",
    "config": "assay.report.config_json",
}


def finding_json(finding: Finding) -> dict[str, Any]:
    """One finding with its evidence (matched text already redacted by the check)."""
    return {
        "id": finding.id,
        "rule": finding.rule,
        "category": finding.category.value,
        "severity": finding.severity.label,
        "title": finding.title,
        "message": display_path(finding.message),
        "evidence": [
            {
                key: value
                for key, value in {
                    "artifact": e.artifact,
                    "location": display_path(e.location),
                    "offset": e.offset,
                    "line": e.line,
                    "matched": e.matched,
                }.items()
                if value is not None
            }
            for e in finding.evidence
        ],
        "properties": dict(finding.properties),
    }


def vulnerability_json(vulnerability: Vulnerability) -> dict[str, Any]:
    """One CVE matched to a component, with why, scores, KEV, EPSS and triage."""
    record: dict[str, Any] = {
        "id": vulnerability.id,
        "cve": vulnerability.cve,
        "component": vulnerability.component,
        "product": vulnerability.product,
        "version": vulnerability.version,
        "method": vulnerability.method,
        "why": vulnerability.why,
        "severity": vulnerability.severity.label,
        "ratings": [_plain(r) for r in vulnerability.ratings],
        "cwes": list(vulnerability.cwes),
        "kev": _plain(vulnerability.kev) if vulnerability.kev else None,
        "epss": _plain(vulnerability.epss) if vulnerability.epss else None,
        "published": vulnerability.published,
        "description": vulnerability.description,
        "fixed_version": vulnerability.fixed_version,
        "conditions": list(vulnerability.conditions),
        "presumed": vulnerability.presumed,
        "triage": _plain(vulnerability.triage) if vulnerability.triage else None,
        "open": vulnerability.open,
    }
    return record


def vulndata_json(info: VulnDataInfo | None) -> dict[str, Any] | None:
    """The vulnerability data the evaluation was matched against."""
    if info is None:
        return None
    return {
        "snapshot_date": info.snapshot_date,
        "sources": [{"name": name, "date": date} for name, date in info.sources],
        "age_days": info.age_days,
        "warning": info.warning,
    }


def facts_json(evaluation: Evaluation) -> dict[str, Any]:
    """Each check's facts under its name, serialised by the check's own reporter module."""
    serialised: dict[str, Any] = {}
    for name, facts in evaluation.facts:
        module_name = FACTS_SERIALISERS.get(name)
        if module_name is not None:
            serialised[name] = importlib.import_module(module_name).facts_to_json(facts)
        else:
            serialised[name] = _plain(facts)
    return serialised


def _plain(value: Any) -> Any:
    """A dataclass (or nest of them) as JSON-ready values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value
