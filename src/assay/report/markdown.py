"""Markdown reporter: a GitHub-flavoured summary of an evaluation for CI logs and pull requests."""

from collections.abc import Callable, Sequence
from typing import Any, BinaryIO, ClassVar

from assay.report.base import EvaluationDocument, Reporter
from assay.report.markdown_sections import (
    copies_section,
    end_of_life_section,
    findings_section,
    hardening_section,
    problems_section,
    unsafe_calls_section,
    vulnerabilities_section,
)
from assay.report.markdown_table import cell

SEVERITIES = ("critical", "high", "medium", "low", "info")


def _release_line(release: dict[str, Any]) -> str:
    named = " ".join(str(release[k]) for k in ("vendor", "product", "version") if release.get(k))
    digest = str(release.get("sha256") or "")[:16]
    line = f"**Release:** `{cell(release.get('name', '?'))}`"
    if named:
        line += f" ({cell(named)})"
    return line + (f", sha256 `{digest}…`" if digest else "")


def _counts_table(document: EvaluationDocument) -> list[str]:
    open_vulns = [v for v in document.get("vulnerabilities", []) if v.get("open")]
    rows = ["| severity | open CVEs | findings |", "|---|--:|--:|"]
    for severity in SEVERITIES:
        cves = sum(1 for v in open_vulns if v.get("severity") == severity)
        found = sum(1 for f in document.get("findings", []) if f.get("severity") == severity)
        rows.append(f"| {severity} | {cves} | {found} |")
    rows.append(f"| **total** | **{len(open_vulns)}** | **{len(document.get('findings', []))}** |")
    return rows


def _status_lines(document: EvaluationDocument) -> list[str]:
    vulns = document.get("vulnerabilities", [])
    kev = sum(1 for v in vulns if v.get("open") and v.get("kev"))
    triaged = sum(1 for v in vulns if not v.get("open"))
    lines = [f"**Known exploited (CISA KEV):** {kev} open CVE(s)"]
    if triaged:
        lines.append(f"**Closed by triage (not affected / fixed):** {triaged} CVE(s)")
    vulndata = document.get("vulndata")
    if vulndata:
        lines.append(
            f"**Vulnerability data:** snapshot {cell(vulndata.get('snapshot_date'))}, "
            f"{vulndata.get('age_days')} day(s) old"
        )
        if vulndata.get("warning"):
            lines.append(f"> ⚠️ {cell(vulndata['warning'])}")
    else:
        lines.append("**Vulnerability data:** not matched (scan ran without vulnerabilities)")
    return lines


def _completeness_line(document: EvaluationDocument) -> str:
    summary = document.get("summary", {})
    errors = sum(1 for p in document.get("problems", []) if p.get("level") == "error")
    if summary.get("complete"):
        return "**Complete:** yes — every part of the release was evaluated"
    return f"**Complete:** ❌ no — {errors} part(s) could not be evaluated (see Problems)"


def summary_section(document: EvaluationDocument) -> list[str]:
    """The title and the few lines a reader takes in first."""
    tool = document.get("tool", {})
    summary = document.get("summary", {})
    lines = [
        f"# assay evaluation of {cell(document.get('release', {}).get('name', '?'))}",
        "",
        _release_line(document.get("release", {})) + "  ",
        f"**Evaluated:** {cell(document.get('finished') or document.get('started') or '?')} "
        f"with assay {cell(tool.get('version', '?'))}; {summary.get('files', 0)} files, "
        f"{summary.get('components', 0)} components  ",
        _completeness_line(document),
        "",
        *_counts_table(document),
        "",
    ]
    return lines + [line + "  " for line in _status_lines(document)]


SECTIONS: tuple[Callable[[EvaluationDocument], Sequence[str]], ...] = (
    summary_section,
    vulnerabilities_section,
    end_of_life_section,
    copies_section,
    hardening_section,
    unsafe_calls_section,
    findings_section,
    problems_section,
)


def markdown_report(document: EvaluationDocument) -> str:
    """The whole report as Markdown text."""
    blocks = ["\n".join(section(document)).rstrip() for section in SECTIONS]
    return "\n\n".join(block for block in blocks if block) + "\n"


class MarkdownReporter(Reporter):
    """GitHub-flavoured Markdown: a job summary, a pull-request comment, a CI log."""

    name: ClassVar[str] = "markdown"
    media_type: ClassVar[str] = "text/markdown"
    file_name: ClassVar[str] = "report.md"

    def render(self, document: EvaluationDocument, out: BinaryIO) -> None:
        """Write the Markdown report of one evaluation document."""
        out.write(markdown_report(document).encode("utf-8"))
