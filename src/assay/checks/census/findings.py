"""Findings of the census: one `code.unsafe-function.<family>` per binary that uses unsafe
members of a family, with the counts and the first call sites (virtual addresses) as evidence."""

from assay.checks.census.table import Family, FunctionTable
from assay.model.census import BinaryCensus, FamilyCount, FunctionUse, Safety
from assay.model.finding import Category, Finding, FindingEvidence
from assay.model.ids import display_path, stable_id

RULE_PREFIX = "code.unsafe-function."
EVIDENCE_SHOWN = 5


def census_findings(row: BinaryCensus, key: str, table: FunctionTable) -> list[Finding]:
    """Findings for one binary's row; `key` is its in-release path (made unique by the caller)."""
    return [
        _finding(row, key, count, table.families[count.family])
        for count in row.families
        if count.unsafe_functions
    ]


def _finding(row: BinaryCensus, key: str, count: FamilyCount, family: Family) -> Finding:
    rule = RULE_PREFIX + family.id
    unsafe = [u for u in row.functions if u.family == family.id and u.safety is Safety.UNSAFE]
    detail = ", ".join(f"{u.name} ×{u.calls}" if u.calls else u.name for u in unsafe)
    share = count.percent_unsafe
    name = display_path(row.path)
    verb = "calls" if count.unsafe_calls else "imports"
    properties: list[tuple[str, str | int | float | bool]] = [
        ("family", family.id),
        ("unsafe_calls", count.unsafe_calls),
        ("safe_calls", count.safe_calls),
        ("unsafe_functions", ",".join(count.unsafe_functions)),
        ("safe_functions", ",".join(count.safe_functions)),
        ("coverage", row.coverage.value),
        ("offset_kind", "virtual-address"),
    ]
    if share is not None:
        properties.append(("percent_unsafe", share))
    return Finding(
        id=stable_id("finding", rule, key),
        rule=rule,
        category=Category.UNSAFE_FUNCTIONS,
        severity=family.severity,
        title=f"{name} {verb} unsafe {family.id} functions ({detail})",
        message=_message(row, count, family, detail),
        evidence=_evidence(row, unsafe),
        properties=tuple(properties),
    )


def _message(row: BinaryCensus, count: FamilyCount, family: Family, detail: str) -> str:
    share = count.percent_unsafe
    ratio = f"; {share:g} % of the family's calls are unsafe" if share is not None else ""
    bound = {
        "complete": "",
        "lower-bound": " Counts are a lower bound: " + "; ".join(row.coverage_notes) + ".",
        "unknown": " Call sites were not counted: " + "; ".join(row.coverage_notes) + ".",
    }[row.coverage.value]
    used = (
        f"{count.unsafe_calls} direct calls ({detail})"
        if count.unsafe_calls
        else f"imported ({detail}), no direct call found"
    )
    safe = ", ".join(count.safe_functions) or "none used"
    return (
        f"{display_path(row.path)} uses unsafe {family.id} functions ({family.title}): {used}; "
        f"safe members: {count.safe_calls} calls ({safe}){ratio}. "
        f"{family.severity_reason}{bound}"
    )


def _evidence(row: BinaryCensus, unsafe: list[FunctionUse]) -> tuple[FindingEvidence, ...]:
    sites = sorted((site, use.name) for use in unsafe for site in use.first_sites)
    if sites:
        return tuple(
            FindingEvidence(row.artifact, row.location, offset=site, matched=name)
            for site, name in sites[:EVIDENCE_SHOWN]
        )
    return tuple(
        FindingEvidence(row.artifact, row.location, matched=f"{use.name} (imported)")
        for use in unsafe[:EVIDENCE_SHOWN]
    )
