"""SARIF 2.1.0 reporter: findings and matched CVEs as one run that code scanning can ingest."""

import json
from collections.abc import Iterable
from typing import Any, BinaryIO, ClassVar

from assay.report.base import EvaluationDocument, Reporter
from assay.report.sarif_locations import ArtifactIndex, evidence_locations

SARIF_SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
NVD_URI = "https://nvd.nist.gov/vuln/detail/"
LEVELS = {"critical": "error", "high": "error", "medium": "warning", "low": "note", "info": "note"}
SEVERITY_ORDER = ("info", "low", "medium", "high", "critical")
# GitHub code scanning ranks a rule by `security-severity` (a CVSS-like score as a string):
# findings have no CVSS, so each severity gets a score inside its CVSS band.
FINDING_SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "2.0"}
SUPPRESSING_STATES = ("not_affected", "fixed")
FINDING_FINGERPRINT = "assay/finding/v1"
VULNERABILITY_FINGERPRINT = "assay/vulnerability/v1"


def _worst(severities: Iterable[str]) -> str:
    return max(severities, key=SEVERITY_ORDER.index, default="medium")


def cvss_score(vulnerability: dict[str, Any]) -> float | None:
    """The CVSS base score behind the vulnerability's severity: v3, else v4, else v2."""
    ratings = vulnerability.get("ratings") or []
    for prefix in ("3", "4", "2"):
        scores = [r["score"] for r in ratings if str(r.get("version", "")).startswith(prefix)]
        if scores:
            return float(max(scores))
    return None


def _finding_rule(rule: str, findings: list[dict[str, Any]]) -> dict[str, Any]:
    titles = {f["title"] for f in findings}
    category = findings[0]["category"]
    severity = _worst(f["severity"] for f in findings)
    short = titles.pop() if len(titles) == 1 else f"{category}: {rule}"
    properties: dict[str, Any] = {"category": category, "tags": ["security", category]}
    if severity in FINDING_SECURITY_SEVERITY:
        properties["security-severity"] = FINDING_SECURITY_SEVERITY[severity]
    return {
        "id": rule,
        "name": rule,
        "shortDescription": {"text": short},
        "defaultConfiguration": {"level": LEVELS[severity]},
        "properties": properties,
    }


def _cve_rule(cve: str, vulnerabilities: list[dict[str, Any]]) -> dict[str, Any]:
    first = vulnerabilities[0]
    description = first.get("description") or cve
    severity = _worst(v["severity"] for v in vulnerabilities)
    tags = ["security", "vulnerability", *first.get("cwes", [])]
    properties: dict[str, Any] = {"tags": tags}
    score = cvss_score(first)
    if score is not None:
        properties["security-severity"] = f"{score:.1f}"
    if any(v.get("kev") for v in vulnerabilities):
        tags.append("kev")
        properties["kev"] = first.get("kev") or next(v["kev"] for v in vulnerabilities if v["kev"])
    return {
        "id": cve,
        "name": cve,
        "shortDescription": {"text": _first_sentence(description)},
        "fullDescription": {"text": description},
        "helpUri": NVD_URI + cve,
        "help": {"text": f"{cve}: {description}\nDetails: {NVD_URI}{cve}"},
        "defaultConfiguration": {"level": LEVELS[severity]},
        "properties": properties,
    }


def _first_sentence(text: str, limit: int = 200) -> str:
    sentence = text.split(". ", 1)[0].strip()
    return sentence if len(sentence) <= limit else sentence[: limit - 1] + "…"


def _finding_result(finding: dict[str, Any], index: int, artifacts: ArtifactIndex) -> Any:
    virtual = finding.get("properties", {}).get("offset_kind") == "virtual-address"
    located = evidence_locations(finding.get("evidence", []), artifacts, virtual)
    result: dict[str, Any] = {
        "ruleId": finding["rule"],
        "ruleIndex": index,
        "level": LEVELS[finding["severity"]],
        "message": {"text": finding["message"]},
        "locations": located[:1],
        "partialFingerprints": {FINDING_FINGERPRINT: finding["id"]},
        "properties": {
            "id": finding["id"],
            "severity": finding["severity"],
            "title": finding["title"],
            **finding.get("properties", {}),
        },
    }
    if len(located) > 1:
        result["relatedLocations"] = [{"id": n, **loc} for n, loc in enumerate(located[1:], 1)]
    return result


def vulnerability_message(vulnerability: dict[str, Any]) -> str:
    """One paragraph: which component, why it matches, how urgent, how to fix."""
    parts = [
        f"{vulnerability['cve']} ({vulnerability['severity']}) affects "
        f"{vulnerability['product']} {vulnerability['version']}: {vulnerability['why']}."
    ]
    kev = vulnerability.get("kev")
    if kev:
        parts.append(f"Known exploited (CISA KEV since {kev.get('date_added')}).")
    epss = vulnerability.get("epss")
    if epss:
        parts.append(f"EPSS {epss['score']:.3f} (percentile {epss['percentile']:.2f}).")
    if vulnerability.get("fixed_version"):
        parts.append(f"Fixed in {vulnerability['fixed_version']}.")
    if vulnerability.get("presumed"):
        parts.append("Presumed: the data implies the match rather than stating it.")
    return " ".join(parts)


def _suppression(triage: dict[str, Any]) -> dict[str, Any]:
    reason = [triage["state"]]
    reason += [str(triage[k]) for k in ("justification", "detail") if triage.get(k)]
    return {"kind": "external", "status": "accepted", "justification": ": ".join(reason)}


def _vulnerability_result(
    vulnerability: dict[str, Any],
    index: int,
    components: dict[str, dict[str, Any]],
    artifacts: ArtifactIndex,
) -> dict[str, Any]:
    component = components.get(vulnerability["component"], {})
    located = evidence_locations(component.get("evidence", []), artifacts, virtual=False)
    properties: dict[str, Any] = {
        key: vulnerability.get(key)
        for key in ("id", "component", "product", "version", "method", "severity", "presumed")
    }
    properties.update(
        {k: vulnerability[k] for k in ("kev", "epss", "triage") if vulnerability.get(k)}
    )
    result: dict[str, Any] = {
        "ruleId": vulnerability["cve"],
        "ruleIndex": index,
        "level": LEVELS[vulnerability["severity"]],
        "message": {"text": vulnerability_message(vulnerability)},
        "locations": located[:1],
        "partialFingerprints": {VULNERABILITY_FINGERPRINT: vulnerability["id"]},
        "properties": properties,
    }
    if len(located) > 1:
        result["relatedLocations"] = [{"id": n, **loc} for n, loc in enumerate(located[1:], 1)]
    triage = vulnerability.get("triage")
    if triage and triage.get("state") in SUPPRESSING_STATES:
        result["suppressions"] = [_suppression(triage)]
    return result


def _reported(vulnerability: dict[str, Any]) -> bool:
    """Open vulnerabilities, and the ones closed by triage (reported as suppressed)."""
    triage = vulnerability.get("triage") or {}
    return bool(vulnerability.get("open")) or triage.get("state") in SUPPRESSING_STATES


def _notifications(document: EvaluationDocument) -> list[dict[str, Any]]:
    return [
        {
            "level": "error" if problem["level"] == "error" else "warning",
            "message": {"text": f"{problem['kind']}: {problem['message']}"},
            "descriptor": {"id": f"problem.{problem['kind']}"},
            "properties": {"stage": problem["stage"], "location": problem["location"]},
        }
        for problem in document.get("problems", [])
    ]


def sarif_log(document: EvaluationDocument) -> dict[str, Any]:
    """The evaluation as a SARIF 2.1.0 log with one run."""
    artifacts = ArtifactIndex.of(document)
    components = {c["id"]: c for c in document.get("components", [])}
    findings_by_rule: dict[str, list[dict[str, Any]]] = {}
    for finding in document.get("findings", []):
        findings_by_rule.setdefault(finding["rule"], []).append(finding)
    vulns_by_cve: dict[str, list[dict[str, Any]]] = {}
    for vulnerability in filter(_reported, document.get("vulnerabilities", [])):
        vulns_by_cve.setdefault(vulnerability["cve"], []).append(vulnerability)
    rules = [_finding_rule(rule, found) for rule, found in findings_by_rule.items()]
    rules += [_cve_rule(cve, matched) for cve, matched in vulns_by_cve.items()]
    index = {rule["id"]: n for n, rule in enumerate(rules)}
    results = [
        _finding_result(f, index[f["rule"]], artifacts) for f in document.get("findings", [])
    ]
    results += [
        _vulnerability_result(v, index[v["cve"]], components, artifacts)
        for matched in vulns_by_cve.values()
        for v in matched
    ]
    return {
        "$schema": SARIF_SCHEMA_URI,
        "version": SARIF_VERSION,
        "runs": [_run(document, rules, results)],
    }


def _run(
    document: EvaluationDocument, rules: list[dict[str, Any]], results: list[dict[str, Any]]
) -> dict[str, Any]:
    release = document.get("release", {})
    vulndata = document.get("vulndata") or {}
    invocation: dict[str, Any] = {
        "executionSuccessful": bool(document.get("summary", {}).get("complete", False)),
        "toolExecutionNotifications": _notifications(document),
    }
    for key, field in (("startTimeUtc", "started"), ("endTimeUtc", "finished")):
        if document.get(field):
            invocation[key] = document[field]
    tool = document.get("tool", {})
    return {
        "tool": {
            "driver": {
                "name": tool.get("name", "assay"),
                "version": tool.get("version", "unknown"),
                "rules": rules,
            }
        },
        "invocations": [invocation],
        "results": results,
        "properties": {
            "release": {k: release.get(k) for k in ("id", "name", "sha256", "size")},
            "vulndataSnapshot": vulndata.get("snapshot_date"),
        },
    }


class SarifReporter(Reporter):
    """SARIF 2.1.0 for code scanning (GitHub, GitLab, Azure DevOps) and SARIF viewers."""

    name: ClassVar[str] = "sarif"
    media_type: ClassVar[str] = "application/sarif+json"
    file_name: ClassVar[str] = "report.sarif"

    def render(self, document: EvaluationDocument, out: BinaryIO) -> None:
        """Write the SARIF log of one evaluation document."""
        text = json.dumps(sarif_log(document), indent=2, ensure_ascii=False)
        out.write(text.encode("utf-8") + b"\n")
