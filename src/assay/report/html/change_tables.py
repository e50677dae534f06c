"""The tables of the report's release comparison: components, CVEs, hardening, the matrix's
coverage, secrets/services/setuid findings, silent changes and files — each row a change."""

from collections.abc import Callable, Sequence
from typing import TypeVar

from assay.diff import ReleaseDiff
from assay.diff.model import (
    ComponentChange,
    CoverageChange,
    FindingChange,
    HardeningChange,
    SilentChange,
    VulnChange,
)
from assay.report.html.summary import severity_rank
from assay.report.html.tables import CVE_ID, MAX_ROWS, NVD, Cell, Row, Table, severity_cell

Item = TypeVar("Item")
REPORTED_GROUPS = ("secret", "service", "setuid")


def _table(
    name: str,
    title: str,
    columns: tuple[str, ...],
    items: Sequence[Item],
    row: Callable[[Item], Row],
) -> Table:
    return Table(f"changes-{name}", title, columns, [row(i) for i in items[:MAX_ROWS]], len(items))


def _versions(versions: tuple[str, ...]) -> str:
    return ", ".join(versions) or "—"


def _component_row(change: ComponentChange) -> Row:
    css = {"upgraded": "change-better", "downgraded": "change-worse"}.get(change.change, "")
    return (
        Cell(change.change, css=css),
        Cell(change.name, lines=(change.product,) if change.product != change.name else ()),
        Cell(_versions(change.old_versions)),
        Cell(_versions(change.new_versions)),
    )


def _vulnerability_rows(diff: ReleaseDiff) -> list[tuple[str, VulnChange]]:
    return [
        *(("new", v) for v in diff.vulns_new),
        *(("fixed", v) for v in diff.vulns_fixed),
        *(("still open", v) for v in diff.vulns_open),
    ]


def _vulnerability_row(entry: tuple[str, VulnChange]) -> Row:
    status, v = entry
    css = {"new": "change-worse", "fixed": "change-better"}.get(status, "")
    return (
        Cell(status, css=css),
        Cell(v.cve, href=NVD + v.cve if CVE_ID.fullmatch(v.cve) else None),
        severity_cell(v.severity),
        Cell(v.product),
        Cell("KEV" if v.kev else "no", 0 if v.kev else 1, css="kev" if v.kev else ""),
        Cell(_versions(v.old_versions)),
        Cell(_versions(v.new_versions)),
    )


def _hardening_row(entry: tuple[str, HardeningChange]) -> Row:
    status, h = entry
    css = "change-worse" if status == "regression" else "change-better"
    return (Cell(status, css=css), Cell(h.path), Cell(h.property), Cell(h.old), Cell(h.new))


def _percent(value: float | None) -> Cell:
    return Cell(
        "none of this kind" if value is None else f"{value:g} %", -1.0 if value is None else value
    )


def _coverage_row(c: CoverageChange) -> Row:
    was, now = c.old_percent or 0.0, c.new_percent or 0.0
    better = now > was if c.desirable else now < was
    return (
        Cell(c.property, lines=() if c.desirable else ("undesirable",)),
        Cell(c.role),
        _percent(c.old_percent),
        _percent(c.new_percent),
        Cell("better" if better else "worse", css="change-better" if better else "change-worse"),
    )


def _finding_row(entry: tuple[str, FindingChange]) -> Row:
    status, f = entry
    return (
        Cell(status, css="change-worse" if status == "new" else "change-better"),
        Cell(f.group),
        severity_cell(f.severity),
        Cell(f.rule),
        Cell(f.title),
        Cell(f.path),
    )


def _silent_row(s: SilentChange) -> Row:
    return (
        Cell(s.path),
        Cell(", ".join(f"{product} {version}" for product, version in s.components)),
        Cell(s.old_sha256),
        Cell(s.new_sha256),
    )


def _file_row(entry: tuple[str, str]) -> Row:
    return (Cell(entry[0]), Cell(entry[1]))


def change_tables(diff: ReleaseDiff) -> tuple[Table, ...]:
    """Every table of the comparison, in reading order."""
    hardening = [
        *(("regression", h) for h in diff.hardening_regressions),
        *(("improvement", h) for h in diff.hardening_improvements),
    ]
    findings = sorted(
        [
            *(("new", f) for f in diff.findings_new if f.group in REPORTED_GROUPS),
            *(("removed", f) for f in diff.findings_removed if f.group in REPORTED_GROUPS),
        ],
        key=lambda e: (e[0], REPORTED_GROUPS.index(e[1].group), severity_rank(e[1].severity)),
    )
    files = [
        *(("added", path) for path in diff.files.added),
        *(("removed", path) for path in diff.files.removed),
        *(("changed", path) for path in diff.files.changed),
    ]
    return (
        _table(
            "components", "Components changed", ("change", "component", "old", "new"),
            diff.components, _component_row,
        ),
        _table(
            "vulnerabilities", "CVEs fixed, new and still open",
            ("status", "CVE", "severity", "component", "KEV", "old versions", "new versions"),
            _vulnerability_rows(diff), _vulnerability_row,
        ),
        _table(
            "hardening", "Hardening regressions and improvements",
            ("change", "file", "property", "old", "new"), hardening, _hardening_row,
        ),
        _table(
            "coverage", "Hardening matrix: shares that moved",
            ("property", "files", "old", "new", "direction"), diff.coverage, _coverage_row,
        ),
        _table(
            "findings", "Secrets, services and setuid files",
            ("status", "group", "severity", "rule", "title", "file"), findings, _finding_row,
        ),
        _table(
            "silent", "Files changed while their component versions stayed the same",
            ("file", "components", "old SHA-256", "new SHA-256"), diff.silent_changes, _silent_row,
        ),
        _table("files", "Files added, removed and changed", ("change", "file"), files, _file_row),
    )  # fmt: skip
