"""The report's "Changes since <old release>" section: the release comparison of a baseline
evaluation with this one (`assay.diff`), as facts, two charts and tables."""

from dataclasses import dataclass

from assay.diff import ReleaseDiff, compare_evaluations, verdict_line
from assay.diff.model import VulnChange
from assay.report.base import EvaluationDocument
from assay.report.html.change_tables import change_tables
from assay.report.html.charts import Bar, Group, bar_chart, grouped_column_chart
from assay.report.html.figures import Figure
from assay.report.html.summary import percent_text
from assay.report.html.tables import Table
from assay.report.metrics import SEVERITIES, hardening_coverage

FINDING_GROUPS = (("secret", "Secrets"), ("service", "Services"), ("setuid", "Setuid files"))


@dataclass(frozen=True, slots=True)
class Changes:
    """What the section shows: the baseline's label, the verdict line, labelled facts, the
    charts and the tables; `incomplete` names a side that was not fully evaluated."""

    baseline: str
    verdict: str
    facts: tuple[tuple[str, str, str], ...]
    figures: tuple[Figure, ...]
    tables: tuple[Table, ...]
    incomplete: str


def changes(baseline: EvaluationDocument, document: EvaluationDocument) -> Changes:
    """The section comparing `baseline` (the older release) with `document`; raises
    `assay.diff.keys.DiffInputError` when either is not an evaluation document."""
    diff = compare_evaluations(baseline, document)
    sides = [
        name
        for name, ref in (("the baseline's", diff.old), ("this release's", diff.new))
        if not ref.complete
    ]
    return Changes(
        baseline=diff.old.label,
        verdict=verdict_line(diff),
        facts=_facts(diff, baseline, document),
        figures=(*_vulnerability_figure(diff), *_coverage_figure(diff, baseline, document)),
        tables=change_tables(diff),
        incomplete=" and ".join(f"{side} evaluation" for side in sides),
    )


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun}{'' if number == 1 else 's'}"


def _kev(pool: tuple[VulnChange, ...], status: str) -> str:
    return f"{len(pool):,} {status} ({sum(1 for v in pool if v.kev):,} KEV)"


def _facts(
    diff: ReleaseDiff, baseline: EvaluationDocument, document: EvaluationDocument
) -> tuple[tuple[str, str, str], ...]:
    """(id, label, text) per line of the section's fact list."""
    kinds = ("added", "removed", "upgraded", "downgraded", "changed")
    files = diff.files
    was, now = hardening_coverage(baseline), hardening_coverage(document)
    facts = [
        ("changes-facts-baseline", "Baseline", f"{diff.old.label} (SHA-256 {diff.old.sha256})"),
        (
            "changes-facts-components",
            "Components",
            ", ".join(f"{len(diff.components_with(kind)):,} {kind}" for kind in kinds),
        ),
        (
            "changes-facts-vulnerabilities",
            "Vulnerabilities",
            f"{_kev(diff.vulns_fixed, 'fixed')}, {_kev(diff.vulns_new, 'new')}, "
            f"{_kev(diff.vulns_open, 'still open')}",
        ),
        (
            "changes-facts-hardening",
            "Hardening",
            f"{_count(len(diff.hardening_regressions), 'regression')}, "
            f"{_count(len(diff.hardening_improvements), 'improvement')}; coverage "
            f"{percent_text(was)} → {percent_text(now)}",
        ),
    ]
    for group, label in (*FINDING_GROUPS, ("other", "Other findings")):
        new, gone = diff.findings_in(group), diff.findings_in(group, new=False)
        facts.append((f"changes-facts-{group}", label, f"{len(new):,} new, {len(gone):,} removed"))
    facts.append(
        (
            "changes-facts-silent",
            "Silent changes",
            f"{_count(len(diff.silent_changes), 'file')} whose content changed while the "
            "component versions read from it did not",
        )
    )
    facts.append(
        (
            "changes-facts-files",
            "Files",
            f"{len(files.added):,} added, {len(files.removed):,} removed, "
            f"{len(files.changed):,} changed, {files.unchanged:,} unchanged",
        )
    )
    return tuple(facts)


def _vulnerability_figure(diff: ReleaseDiff) -> list[Figure]:
    """Per severity, the CVEs fixed, new and still open."""
    pools = (("fixed", diff.vulns_fixed), ("new", diff.vulns_new), ("open", diff.vulns_open))
    groups = []
    for severity in SEVERITIES:
        bars = []
        for status, pool in pools:
            count = sum(1 for v in pool if v.severity == severity)
            bars.append(Bar(status, count, f"{count:,}", f"change-{status}"))
        groups.append(Group(severity, tuple(bars)))
    name = "changes-vulnerabilities"
    title = "CVEs fixed, new and still open, by severity"
    note = "fixed: open only in the baseline; new: open only in this release; open: in both."
    return [Figure(name, grouped_column_chart(name, title, groups), note)]


def _coverage_figure(
    diff: ReleaseDiff, baseline: EvaluationDocument, document: EvaluationDocument
) -> list[Figure]:
    """Old and new hardening coverage, and each matrix cell whose share moved."""
    was, now = hardening_coverage(baseline), hardening_coverage(document)
    cells: list[tuple[str, float | None, float | None, bool]] = []
    if was is not None or now is not None:
        cells.append(("coverage (all four)", was, now, True))
    cells += [
        (f"{c.property} — {c.role}", c.old_percent, c.new_percent, c.desirable)
        for c in diff.coverage
    ]
    if not cells:
        return []
    bars = []
    for label, old, new, desirable in cells:
        better = (new or 0.0) >= (old or 0.0) if desirable else (new or 0.0) <= (old or 0.0)
        bars.append(Bar(f"{label}, old", old or 0.0, percent_text(old), "change-old"))
        css = "change-better" if better else "change-worse"
        bars.append(Bar(f"{label}, new", new or 0.0, percent_text(new), css))
    name = "changes-hardening"
    title = "Hardening: share of ELF files, old and new"
    note = (
        f"old: {diff.old.label}; new: {diff.new.label}. Coverage: executables with NX, PIE, "
        "full RELRO and a canary; then every property whose share moved."
    )
    return [Figure(name, bar_chart(name, title, bars, maximum=100.0), note)]
