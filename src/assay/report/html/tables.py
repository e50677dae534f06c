"""The report's tables, read from the evaluation document: vulnerabilities, components with
their evidence, findings with theirs, hardening per ELF and problems. Rows are ordered worst
first and capped so a large release still gives a usable file."""

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from assay.report.base import EvaluationDocument
from assay.report.html.summary import severity_rank

MAX_ROWS = 2000
MAX_EVIDENCE = 8
CVE_ID = re.compile(r"CVE-\d{4}-\d{4,}")
NVD = "https://nvd.nist.gov/vuln/detail/"


@dataclass(frozen=True, slots=True)
class Cell:
    """One table cell: its text, the key it sorts by, an optional link and extra lines."""

    text: str
    sort: str | float | None = None
    href: str | None = None
    lines: tuple[str, ...] = ()
    css: str = ""


@dataclass(frozen=True, slots=True)
class Table:
    """One sortable, filterable table; `total` counts the rows before the cap."""

    name: str
    title: str
    columns: tuple[str, ...]
    rows: list[tuple[Cell, ...]] = field(default_factory=list)
    total: int = 0

    @property
    def capped(self) -> bool:
        """True when rows were left out."""
        return self.total > len(self.rows)


Row = tuple[Cell, ...]


def _table(
    name: str,
    title: str,
    columns: tuple[str, ...],
    items: list[dict[str, Any]],
    row: Callable[[dict[str, Any]], Row],
) -> Table:
    return Table(name, title, columns, [row(i) for i in items[:MAX_ROWS]], len(items))


def severity_cell(label: object) -> Cell:
    """A severity, sorting worst first."""
    return Cell(str(label), severity_rank(label), css=f"sev sev-{label}")


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return str(value)


def evidence_lines(evidence: Iterable[dict[str, Any]]) -> tuple[str, ...]:
    """`location @0x2020: matched` per piece of evidence (at most MAX_EVIDENCE, then a count)."""
    items = list(evidence)
    lines = []
    for item in items[:MAX_EVIDENCE]:
        where = str(item.get("location") or item.get("artifact") or "")
        if item.get("offset") is not None:
            where += f" @0x{int(item['offset']):x}"
        if item.get("line") is not None:
            where += f" line {item['line']}"
        matched = item.get("matched") or item.get("record")
        lines.append(f"{where}: {matched}" if matched else where)
    if len(items) > MAX_EVIDENCE:
        lines.append(f"… and {len(items) - MAX_EVIDENCE} more")
    return tuple(lines)


def _vulnerability_row(v: dict[str, Any]) -> Row:
    cve = str(v.get("cve") or "")
    kev = v.get("kev") or {}
    epss = v.get("epss") or {}
    triage = v.get("triage") or {}
    score = epss.get("score")
    return (
        Cell(cve, href=NVD + cve if CVE_ID.fullmatch(cve) else None),
        severity_cell(v.get("severity")),
        Cell(_text(v.get("product"))),
        Cell(_text(v.get("version"))),
        Cell(f"yes, {kev.get('date_added', '')}" if kev else "no", 0 if kev else 1),
        Cell("" if score is None else f"{score:.3f}", -1.0 if score is None else float(score)),
        Cell(_text(v.get("fixed_version"))),
        Cell(_text(v.get("why")), lines=_qualifiers(v)),
        Cell(_text(triage.get("state")) or ("open" if v.get("open", True) else "closed")),
    )


def _qualifiers(v: dict[str, Any]) -> tuple[str, ...]:
    lines = [f"if {condition}" for condition in v.get("conditions") or []]
    if v.get("presumed"):
        lines.append("presumed: the data implies rather than states it")
    return tuple(lines)


def vulnerability_table(document: EvaluationDocument) -> Table:
    """Every vulnerability, open ones first, then by severity, KEV and EPSS."""
    items = sorted(
        document.get("vulnerabilities") or [],
        key=lambda v: (
            not v.get("open", True),
            severity_rank(v.get("severity")),
            not v.get("kev"),
            -float((v.get("epss") or {}).get("score") or 0.0),
            str(v.get("cve")),
        ),
    )
    columns = ("CVE", "severity", "component", "version", "KEV", "EPSS", "fixed in", "why")
    return _table(
        "vulnerabilities", "Vulnerabilities", (*columns, "triage"), items, _vulnerability_row
    )


def component_table(document: EvaluationDocument) -> Table:
    """Every component with its copies and the evidence it was found by."""
    copies = {
        (p.get("product"), v.get("version")): v.get("copies", 0)
        for p in document.get("copies") or []
        for v in p.get("versions") or []
    }
    items = sorted(
        document.get("components") or [],
        key=lambda c: (str(c.get("product")), str(c.get("version"))),
    )

    def row(c: dict[str, Any]) -> Row:
        count = copies.get((c.get("product"), c.get("version")), len(c.get("evidence") or []))
        return (
            Cell(_text(c.get("name") or c.get("product"))),
            Cell(_text(c.get("version"))),
            Cell(_text(c.get("type"))),
            Cell(str(count), float(count)),
            Cell(_text(c.get("eol"))),
            Cell(_text(c.get("confidence"))),
            Cell(_text(c.get("purl")), lines=evidence_lines(c.get("evidence") or [])),
        )

    columns = ("component", "version", "type", "copies", "end of life", "confidence")
    return _table("components", "Components", (*columns, "purl and evidence"), items, row)


def finding_table(document: EvaluationDocument) -> Table:
    """Every finding of the checks, worst first, with its evidence."""
    items = sorted(
        document.get("findings") or [],
        key=lambda f: (severity_rank(f.get("severity")), str(f.get("rule")), str(f.get("id"))),
    )

    def row(f: dict[str, Any]) -> Row:
        return (
            severity_cell(f.get("severity")),
            Cell(_text(f.get("rule"))),
            Cell(_text(f.get("category"))),
            Cell(_text(f.get("title"))),
            Cell(_text(f.get("message")), lines=evidence_lines(f.get("evidence") or [])),
        )

    columns = ("severity", "rule", "category", "title", "message and evidence")
    return _table("findings", "Findings", columns, items, row)


def hardening_table(document: EvaluationDocument) -> Table:
    """The hardening properties of every ELF file."""
    files = ((document.get("facts") or {}).get("hardening") or {}).get("files") or []
    items = sorted(files, key=lambda r: str(r.get("location")))

    def row(r: dict[str, Any]) -> Row:
        fortify = f"{r.get('fortified', 0)}/{r.get('fortifiable', 0)}"
        return (
            Cell(
                _text(r.get("location")),
                lines=(f"copy of {r['copy_of']}",) if r.get("copy_of") else (),
            ),
            Cell(_text(r.get("arch"))),
            Cell(_text(r.get("type"))),
            *(Cell(_text(r.get(key))) for key in ("nx", "pie", "relro", "canary")),
            Cell(fortify),
            Cell(_text(r.get("stripped"))),
            Cell(_text([*(r.get("rpath") or []), *(r.get("runpath") or [])])),
            Cell(_text(r.get("setuid") or r.get("setgid"))),
        )

    columns = ("file", "arch", "type", "NX", "PIE", "RELRO", "canary", "fortified")
    return _table(
        "hardening", "Hardening per ELF file", (*columns, "stripped", "rpath", "set-id"), items, row
    )


def problem_table(document: EvaluationDocument) -> Table:
    """Everything assay could not do or refused to do, errors first."""
    items = sorted(
        document.get("problems") or [],
        key=lambda p: (p.get("level") != "error", str(p.get("kind")), str(p.get("location"))),
    )

    def row(p: dict[str, Any]) -> Row:
        return (
            Cell(_text(p.get("level"))),
            Cell(_text(p.get("kind"))),
            Cell(_text(p.get("stage"))),
            Cell(_text(p.get("location"))),
            Cell(_text(p.get("message"))),
        )

    columns = ("level", "kind", "stage", "location", "message")
    return _table("problems", "Problems", columns, items, row)


def tables(document: EvaluationDocument) -> list[Table]:
    """Every table, in reading order."""
    return [
        vulnerability_table(document),
        component_table(document),
        finding_table(document),
        hardening_table(document),
        problem_table(document),
    ]
