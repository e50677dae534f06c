"""The sections of the Markdown report after its summary, each one heading and one capped table."""

from typing import Any

from assay.report.base import EvaluationDocument
from assay.report.markdown_table import cell, code, percent, table
from assay.report.sarif import cvss_score

SEVERITY_RANK = {"critical": 4, "high": 3, "medium": 2, "low": 1, "info": 0}


def _priority(vulnerability: dict[str, Any]) -> tuple[Any, ...]:
    """KEV first, then severity, then EPSS, then CVSS; the CVE id keeps the order stable."""
    epss = (vulnerability.get("epss") or {}).get("score") or 0.0
    return (
        vulnerability.get("kev") is None,
        -SEVERITY_RANK.get(vulnerability.get("severity", ""), 0),
        -epss,
        -(cvss_score(vulnerability) or 0.0),
        vulnerability.get("cve", ""),
        vulnerability.get("product", ""),
    )


def _kev_cell(kev: dict[str, Any] | None) -> str:
    if not kev:
        return ""
    ransomware = ", ransomware" if str(kev.get("ransomware", "")).lower() == "known" else ""
    return f"**KEV** since {cell(kev.get('date_added'))}{ransomware}"


def vulnerabilities_section(document: EvaluationDocument) -> list[str]:
    """The open vulnerabilities that matter most first."""
    open_vulns = sorted(
        (v for v in document.get("vulnerabilities", []) if v.get("open")), key=_priority
    )
    lines = ["## Top open vulnerabilities", ""]
    if not open_vulns:
        return [*lines, "No open vulnerabilities."]
    rows = []
    for v in open_vulns:
        score = cvss_score(v)
        epss = v.get("epss")
        rows.append(
            [
                f"[{cell(v['cve'])}](https://nvd.nist.gov/vuln/detail/{cell(v['cve'])})",
                cell(v.get("severity")),
                "—" if score is None else f"{score:.1f}",
                _kev_cell(v.get("kev")),
                "—" if not epss else f"{epss['score']:.3f}",
                f"{cell(v.get('product'))} {cell(v.get('version'))}",
                cell(v.get("fixed_version")),
            ]
        )
    headers = ["CVE", "severity", "CVSS", "KEV", "EPSS", "component", "fixed in"]
    return lines + table(headers, rows, align="  r r")


def end_of_life_section(document: EvaluationDocument) -> list[str]:
    """Components whose release line no longer receives security fixes."""
    ended = [c for c in document.get("components", []) if c.get("eol")]
    lines = ["## End-of-life components", ""]
    if not ended:
        return [*lines, "No component is known to be past its end of life."]
    ended.sort(key=lambda c: (str(c["eol"]), c.get("product", ""), c.get("version", "")))
    rows = [
        [
            cell(c.get("name") or c.get("product")),
            cell(c.get("version")),
            cell(c["eol"]),
            str(len({e.get("artifact") for e in c.get("evidence", [])})),
        ]
        for c in ended
    ]
    return lines + table(["component", "version", "end of life", "files"], rows, align="   r")


def copies_section(document: EvaluationDocument) -> list[str]:
    """Products found at more than one version: each version, how many copies and where."""
    several = [p for p in document.get("copies", []) if len(p.get("versions", [])) > 1]
    lines = ["## Components with several versions", ""]
    if not several:
        return [*lines, "Every component is present at a single version."]
    rows = []
    for product in several:
        for n, version in enumerate(product["versions"]):
            where = version.get("locations", [])
            more = f" (+{len(where) - 1} more)" if len(where) > 1 else ""
            rows.append(
                [
                    cell(product.get("name") or product.get("product")) if n == 0 else "",
                    cell(version.get("version")),
                    str(version.get("copies", len(where))),
                    str(version.get("embedded", 0)),
                    cell(version.get("eol")) if version.get("eol") else "",
                    (code(where[0]) + more) if where else "—",
                ]
            )
    headers = ["product", "version", "copies", "embedded", "end of life", "where"]
    return lines + table(headers, rows, align="  rr")


def _share(counts: dict[str, Any] | None) -> str:
    if not counts or not counts.get("total"):
        return "—"
    unknown = f", {counts['unknown']} unknown" if counts.get("unknown") else ""
    return f"{percent(counts.get('percent'))} ({counts['have']}/{counts['total']}{unknown})"


def hardening_section(document: EvaluationDocument) -> list[str]:
    """The release's hardening matrix: the share of executables and libraries with each
    protection."""
    hardening = (document.get("facts") or {}).get("hardening") or {}
    lines = ["## Hardening", ""]
    matrix = hardening.get("matrix") or []
    if not matrix:
        return [*lines, "No ELF file was examined."]
    rows = [
        [
            cell(row.get("description") or row.get("property"))
            + ("" if row.get("desirable", True) else " *(fewer is better)*"),
            _share(row.get("executables")),
            _share(row.get("libraries")),
        ]
        for row in matrix
    ]
    return lines + table(["protection", "executables", "libraries"], rows, limit=len(rows))


def unsafe_calls_section(document: EvaluationDocument) -> list[str]:
    """Per family of unsafe C functions, the share of the family's calls that are unsafe."""
    census = (document.get("facts") or {}).get("census") or {}
    families = census.get("families") or []
    lines = ["## Unsafe function calls", ""]
    if not families:
        return [*lines, "No call census (no ELF file with imports)."]
    rows = [
        [
            cell(f.get("family")),
            str(f.get("unsafe_calls", 0)),
            str(f.get("safe_calls", 0)),
            percent(f.get("percent_unsafe")),
            cell(", ".join(f.get("unsafe_functions", [])) or "—"),
        ]
        for f in families
    ]
    headers = ["family", "unsafe calls", "safe calls", "unsafe %", "unsafe functions"]
    return lines + table(headers, rows, align=" rrr")


def findings_section(document: EvaluationDocument) -> list[str]:
    """The checks' findings counted by rule, worst first, with one example each."""
    by_rule: dict[str, list[dict[str, Any]]] = {}
    for finding in document.get("findings", []):
        by_rule.setdefault(finding["rule"], []).append(finding)
    lines = ["## Findings by rule", ""]
    if not by_rule:
        return [*lines, "The checks found nothing."]

    def worst(found: list[dict[str, Any]]) -> int:
        return max(SEVERITY_RANK.get(f.get("severity", ""), 0) for f in found)

    ordered = sorted(by_rule.items(), key=lambda item: (-worst(item[1]), -len(item[1]), item[0]))
    rows = []
    for rule, found in ordered:
        example = found[0]
        evidence = example.get("evidence") or [{}]
        where = evidence[0].get("location")
        rows.append(
            [
                code(rule),
                next(k for k, v in SEVERITY_RANK.items() if v == worst(found)),
                str(len(found)),
                cell(example.get("title")) + (f" — {code(where)}" if where else ""),
            ]
        )
    return lines + table(["rule", "severity", "count", "example"], rows, align="  r")


def problems_section(document: EvaluationDocument) -> list[str]:
    """What assay could not do or refused to do."""
    problems = document.get("problems", [])
    lines = ["## Problems", ""]
    if not problems:
        return [*lines, "No problems."]
    ordered = sorted(problems, key=lambda p: p.get("level") != "error")
    rows = [
        [
            cell(p.get("level")),
            cell(p.get("kind")),
            code(p.get("location")),
            cell(p.get("message")),
        ]
        for p in ordered
    ]
    return lines + table(["level", "kind", "where", "message"], rows)
