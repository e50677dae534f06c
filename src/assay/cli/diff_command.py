"""`assay diff OLD NEW`: what changed between two releases — from two saved evaluation.json
files or two inputs scanned now — as tables, a verdict line, or JSON."""

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from assay.cli.errors import EXIT_INCOMPLETE, EXIT_OK, UsageError, readable_input
from assay.cli.evaluation_input import read_evaluation
from assay.cli.progress import RichProgress
from assay.cli.scan_inputs import existing_database
from assay.diff import ReleaseDiff, compare_evaluations, diff_json, verdict_line
from assay.diff.keys import DiffInputError
from assay.pipeline.evaluator import Evaluator, ScanOptions
from assay.report.html.reporter import HtmlReporter
from assay.report.json_report import evaluation_json

err_console = Console(stderr=True)
PIPE_WIDTH = 160
ReleaseArg = Annotated[
    Path,
    typer.Argument(help="A saved evaluation.json, or a release input to scan.", readable=False),
]


def diff(
    old: ReleaseArg,
    new: ReleaseArg,
    as_json: Annotated[bool, typer.Option("--json", help="Print the comparison as JSON.")] = False,
    vuln_db: Annotated[
        Path | None,
        typer.Option("--vuln-db", help="Vulnerability database for inputs scanned now."),
    ] = None,
    html: Annotated[
        Path | None,
        typer.Option(
            "--html", help="Also write NEW's HTML report with a 'Changes since OLD' section."
        ),
    ] = None,
) -> None:
    """Compare two releases: components added, removed, upgraded and downgraded; CVEs fixed, new
    and still open (with KEV); hardening regressions and improvements; new and removed secrets,
    services and setuid files; files changed while their component version stayed the same.
    With --html FILE, also writes the new release's HTML report with these changes in it.

    Exit codes: 0 done, 2 usage error (bad input), 3 either evaluation is incomplete."""
    database = existing_database(vuln_db) if vuln_db is not None else None
    before = load_document(old, database)
    after = load_document(new, database)
    try:
        result = compare_evaluations(before, after)
    except DiffInputError as err:
        raise UsageError(str(err)) from err
    if html is not None:
        write_html(html, before, after)
    if as_json:
        sys.stdout.write(json.dumps(diff_json(result), indent=2, ensure_ascii=False) + "\n")
    else:
        print_diff(_out_console(), result)
    complete = result.old.complete and result.new.complete
    if not complete:
        err_console.print("[yellow]an evaluation is incomplete:[/] run `assay scan` for problems")
    raise typer.Exit(EXIT_OK if complete else EXIT_INCOMPLETE)


def write_html(path: Path, before: dict[str, Any], after: dict[str, Any]) -> None:
    """The HTML report of `after` with the changes since `before`, written to `path`."""
    try:
        with path.open("wb") as out:
            HtmlReporter(baseline=before).render(after, out)
    except OSError as err:
        raise UsageError(f"cannot write {path}: {err.strerror}") from err


def load_document(path: Path, vuln_db: Path | None) -> dict[str, Any]:
    """The evaluation document of a saved evaluation.json, or of a scan of `path` now."""
    source = readable_input(path)
    if source.is_file() and _looks_like_json(source):
        return read_evaluation(source)
    with RichProgress(err_console) as progress:
        evaluation = Evaluator(ScanOptions(vuln_db=vuln_db), progress).evaluate(source)
    return evaluation_json(evaluation)


def _looks_like_json(path: Path) -> bool:
    if path.suffix.lower() == ".json":
        return True
    with open(path, "rb") as handle:
        return handle.read(64).lstrip().startswith(b'{"')


def _out_console() -> Console:
    console = Console()
    return console if console.is_terminal else Console(width=PIPE_WIDTH)


def print_diff(console: Console, result: ReleaseDiff) -> None:
    """Every non-empty table of the comparison, then the verdict line."""
    for table in diff_tables(result):
        if table.row_count:
            console.print(table)
    files = result.files
    console.print(
        f"files: {len(files.added)} added, {len(files.removed)} removed, "
        f"{len(files.changed)} changed, {files.unchanged} unchanged"
    )
    console.print(f"[bold]{escape(verdict_line(result))}[/]", soft_wrap=True)


def diff_tables(result: ReleaseDiff) -> list[Table]:
    """The tables of `assay diff`: components, vulnerabilities, hardening, findings, files."""
    return [
        _components(result),
        _vulnerabilities(result),
        _hardening(result),
        _coverage(result),
        _findings(result),
        _silent(result),
    ]


def _table(title: str, *columns: str) -> Table:
    table = Table(title=title, box=box.SIMPLE_HEAD, title_justify="left")
    for column in columns:
        table.add_column(column, overflow="fold")
    return table


def _components(result: ReleaseDiff) -> Table:
    table = _table("Components", "Change", "Product", "Old", "New")
    style = {"added": "yellow", "removed": "cyan", "upgraded": "green", "downgraded": "red"}
    for c in result.components:
        table.add_row(
            f"[{style.get(c.change, 'white')}]{c.change}[/]",
            escape(c.name),
            escape(", ".join(c.old_versions) or "—"),
            escape(", ".join(c.new_versions) or "—"),
        )
    return table


def _vulnerabilities(result: ReleaseDiff) -> Table:
    table = _table("Vulnerabilities", "Status", "CVE", "Product", "Severity", "KEV", "Versions")
    for status, pool in (("new", result.vulns_new), ("fixed", result.vulns_fixed)):
        for v in pool:
            versions = v.new_versions if status == "new" else v.old_versions
            table.add_row(
                "[red]new[/]" if status == "new" else "[green]fixed[/]",
                v.cve,
                escape(v.product),
                v.severity,
                "[bold red]KEV[/]" if v.kev else "",
                escape(", ".join(versions)),
            )
    if result.vulns_open:
        kev = sum(1 for v in result.vulns_open if v.kev)
        table.caption = f"{len(result.vulns_open)} still open ({kev} KEV), not listed"
    return table


def _hardening(result: ReleaseDiff) -> Table:
    table = _table("Hardening", "Change", "File", "Property", "Old", "New")
    for label, pool in (
        ("[red]regression[/]", result.hardening_regressions),
        ("[green]improvement[/]", result.hardening_improvements),
    ):
        for h in pool:
            table.add_row(label, escape(h.path), h.property, h.old, h.new)
    return table


def _coverage(result: ReleaseDiff) -> Table:
    table = _table("Hardening matrix coverage", "Property", "Files", "Old %", "New %")
    for c in result.coverage:
        table.add_row(c.property, c.role, _percent(c.old_percent), _percent(c.new_percent))
    return table


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def _findings(result: ReleaseDiff) -> Table:
    table = _table("Secrets, services and setuid files", "Status", "Group", "Rule", "File")
    for status, pool in (
        ("[red]new[/]", result.findings_new),
        ("[green]gone[/]", result.findings_removed),
    ):
        for f in pool:
            if f.group != "other":
                table.add_row(status, f.group, escape(f.rule), escape(f.path))
    return table


def _silent(result: ReleaseDiff) -> Table:
    table = _table(
        "Files changed while their component version stayed the same", "File", "Components"
    )
    for s in result.silent_changes:
        table.add_row(escape(s.path), escape(", ".join(f"{p} {v}" for p, v in s.components)))
    return table


def register(app: typer.Typer) -> None:
    """Add `assay diff` to the command line."""
    app.command("diff")(diff)
