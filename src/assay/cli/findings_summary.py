"""The vulnerability and findings part of the human summary after a scan."""

from collections import Counter

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from assay.model.evaluation import Evaluation
from assay.model.finding import Severity

MAX_VULN_ROWS = 15
MAX_FINDING_ROWS = 15
COLOURS = {
    Severity.CRITICAL: "bold red",
    Severity.HIGH: "red",
    Severity.MEDIUM: "yellow",
    Severity.LOW: "cyan",
    Severity.INFO: "dim",
}


def _severity(severity: Severity) -> str:
    return f"[{COLOURS[severity]}]{severity.label}[/]"


def print_vulnerabilities(console: Console, evaluation: Evaluation) -> None:
    """Counts by severity, KEV count, the data's age, and the worst open vulnerabilities."""
    if evaluation.vulndata is None:
        return
    info = evaluation.vulndata
    vulns = [v for v in evaluation.vulnerabilities if v.open]
    counts = Counter(v.severity for v in vulns)
    by_severity = ", ".join(
        f"{_severity(s)} {counts[s]}" for s in sorted(counts, reverse=True) if counts[s]
    )
    kev = sum(1 for v in vulns if v.kev is not None)
    console.print(
        f"  [bold]{len(vulns)} open vulnerabilit{'y' if len(vulns) == 1 else 'ies'}[/]"
        + (f" ({by_severity}; {kev} in CISA KEV)" if vulns else "")
        + f" — data snapshot {info.snapshot_date or 'unknown'}"
    )
    if info.warning:
        console.print(f"  [yellow]warning:[/] {escape(info.warning)}")
    ranked = sorted(
        vulns, key=lambda v: (v.kev is None, -v.severity, -(v.epss.score if v.epss else 0))
    )
    if not ranked:
        return
    table = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
    for column in ("cve", "severity", "component", "KEV", "EPSS", "fixed in"):
        table.add_column(column)
    for v in ranked[:MAX_VULN_ROWS]:
        table.add_row(
            v.cve,
            _severity(v.severity),
            escape(f"{v.product} {v.version}"),
            "yes" if v.kev else "",
            f"{v.epss.score:.2f}" if v.epss else "",
            escape(v.fixed_version or ""),
        )
    console.print(table)
    if len(ranked) > MAX_VULN_ROWS:
        console.print(f"   … and {len(ranked) - MAX_VULN_ROWS} more in evaluation.json")


def print_findings(console: Console, evaluation: Evaluation) -> None:
    """Findings of the checks, counted by rule, worst first."""
    if not evaluation.findings:
        return
    rules = Counter((f.severity, f.rule) for f in evaluation.findings)
    console.print(f"  [bold]{len(evaluation.findings)} finding(s)[/] from the checks:")
    table = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
    for column in ("severity", "rule", "count"):
        table.add_column(column)
    ordered = sorted(rules.items(), key=lambda item: (-item[0][0], item[0][1]))
    for (severity, rule), count in ordered[:MAX_FINDING_ROWS]:
        table.add_row(_severity(severity), escape(rule), str(count))
    console.print(table)
    if len(ordered) > MAX_FINDING_ROWS:
        console.print(f"   … and {len(ordered) - MAX_FINDING_ROWS} more rules in evaluation.json")
