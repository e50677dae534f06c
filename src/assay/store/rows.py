"""One evaluation document turned into the store's rows: the evaluation with its headline numbers,
and its components, findings and vulnerabilities."""

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from assay.report import metrics


class DocumentError(ValueError):
    """An evaluation document the store cannot file (missing release or dates)."""


@dataclass(frozen=True, slots=True)
class DocumentRows:
    """The rows of one evaluation, as column→value mappings for bulk inserts."""

    evaluation: dict[str, Any]
    components: list[dict[str, Any]]
    findings: list[dict[str, Any]]
    vulnerabilities: list[dict[str, Any]]


def parse_time(text: str) -> datetime:
    """An ISO 8601 time of the document (`2026-11-26T03:07:31Z`) as an aware UTC datetime."""
    moment = datetime.fromisoformat(text)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def evaluation_id(document: dict[str, Any]) -> str:
    """The store's key of an evaluation: the release id and the scan's start time."""
    started = parse_time(_required(document, "started")).strftime("%Y%m%dT%H%M%SZ")
    return f"{_required(document['release'], 'id')}-{started}"


def product_of(release: dict[str, Any]) -> str:
    """The product a release belongs to: its declared product, else the input's file name."""
    return str(release.get("product") or release["name"])


def document_rows(document: dict[str, Any]) -> DocumentRows:
    """Every row the store writes for one evaluation document."""
    release = document.get("release")
    if not isinstance(release, dict):
        raise DocumentError("evaluation document has no release")
    key = evaluation_id(document)
    return DocumentRows(
        evaluation=_evaluation(key, release, document),
        components=_components(key, document),
        findings=[_finding(key, f) for f in document.get("findings") or []],
        vulnerabilities=[_vulnerability(key, v) for v in document.get("vulnerabilities") or []],
    )


def _required(mapping: dict[str, Any], name: str) -> str:
    value = mapping.get(name)
    if not isinstance(value, str) or not value:
        raise DocumentError(f"evaluation document has no {name}")
    return value


def _evaluation(key: str, release: dict[str, Any], document: dict[str, Any]) -> dict[str, Any]:
    by_severity = metrics.findings_by_severity(document)
    snapshot = (document.get("vulndata") or {}).get("snapshot_date")
    return {
        "id": key,
        "vendor": release.get("vendor"),
        "product": product_of(release),
        "release_id": release["id"],
        "release_name": release["name"],
        "release_version": release.get("version"),
        "release_sha256": release.get("sha256") or "",
        "started": parse_time(document["started"]),
        "finished": parse_time(_required(document, "finished")),
        "tool_version": str((document.get("tool") or {}).get("version") or ""),
        "vulndata_snapshot": date.fromisoformat(snapshot) if snapshot else None,
        "complete": bool((document.get("summary") or {}).get("complete", False)),
        **{f"findings_{severity}": count for severity, count in by_severity.items()},
        "open_vulnerabilities": len(metrics.open_vulnerabilities(document)),
        "kev": metrics.kev_count(document),
        "components_count": len(document.get("components") or []),
        "hardening_coverage": metrics.hardening_coverage(document),
        "unsafe_ratio": metrics.unsafe_ratio(document),
        "document": document,
    }


def _components(key: str, document: dict[str, Any]) -> list[dict[str, Any]]:
    copies = metrics.copies_by_version(document)
    return [
        {
            "evaluation_id": key,
            "product": str(c.get("product") or c.get("name") or ""),
            "version": c.get("version"),
            "purl": c.get("purl"),
            "copies": copies.get((str(c.get("product")), c.get("version")), 1),
        }
        for c in document.get("components") or []
    ]


def _finding(key: str, finding: dict[str, Any]) -> dict[str, Any]:
    evidence = finding.get("evidence") or []
    return {
        "evaluation_id": key,
        "stable_id": str(finding.get("id") or ""),
        "rule": str(finding.get("rule") or ""),
        "severity": str(finding.get("severity") or ""),
        "location": evidence[0].get("location") if evidence else None,
    }


def _vulnerability(key: str, vulnerability: dict[str, Any]) -> dict[str, Any]:
    epss = vulnerability.get("epss") or {}
    triage = vulnerability.get("triage") or {}
    return {
        "evaluation_id": key,
        "stable_id": str(vulnerability.get("id") or ""),
        "cve": str(vulnerability.get("cve") or ""),
        "product": vulnerability.get("product"),
        "version": vulnerability.get("version"),
        "severity": vulnerability.get("severity"),
        "kev": bool(vulnerability.get("kev")),
        "epss": epss.get("score"),
        "triage_state": triage.get("state"),
        "open": bool(vulnerability.get("open", True)),
    }
