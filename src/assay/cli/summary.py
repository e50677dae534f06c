"""The human summary printed after a scan or an unpack."""

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from assay.catalog.copies import copies_report
from assay.cli.findings_summary import print_findings, print_vulnerabilities
from assay.model.evaluation import Evaluation
from assay.model.ids import display_path
from assay.report.json_report import summary_json

MAX_PROBLEM_LINES = 40
MAX_PRODUCT_ROWS = 40


def _size(count: int) -> str:
    value = float(count)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{count} B"


def print_summary(console: Console, evaluation: Evaluation) -> None:
    """Print what was found and every problem, one line each (up to a cap)."""
    summary = summary_json(evaluation)
    release = evaluation.release
    console.print(
        f"[bold]{escape(display_path(release.name))}[/] ({release.input_kind}, "
        f"{_size(release.size)}, sha256 {release.sha256[:16]}…)"
    )
    console.print(
        f"  {summary['files']} files ({summary['unique_files']} unique, "
        f"{_size(summary['bytes'])}), nesting depth {summary['max_depth']}"
    )
    table = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
    table.add_column("kind")
    table.add_column("count", justify="right")
    for kind, count in summary["by_kind"].items():
        table.add_row(kind, str(count))
    console.print(table)
    if summary["containers_by_format"]:
        formats = ", ".join(f"{k} ×{v}" for k, v in summary["containers_by_format"].items())
        console.print(f"  containers unpacked: {formats}")
    _print_components(console, evaluation)
    print_vulnerabilities(console, evaluation)
    print_findings(console, evaluation)
    _print_problems(console, evaluation)
    for stage in evaluation.stages:
        console.print(
            f"  stage {stage.name}: {stage.status.value} in {stage.seconds:.2f} s"
            + (f" — {stage.message}" if stage.message else "")
        )


def _print_components(console: Console, evaluation: Evaluation) -> None:
    report = copies_report(list(evaluation.components))
    if not report:
        console.print("  no components identified")
        return
    console.print(f"  [bold]{len(evaluation.components)} component(s)[/] — copies by version:")
    table = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
    for column in ("product", "versions (copies)", "end of life"):
        table.add_column(column)
    for product in report[:MAX_PRODUCT_ROWS]:
        versions = ", ".join(f"{v.version} ({len(v.locations)})" for v in product.versions)
        eol = ", ".join(f"{v.version}: {v.eol}" for v in product.versions if v.eol)
        table.add_row(escape(product.name), escape(versions), eol or "—")
    console.print(table)
    if len(report) > MAX_PRODUCT_ROWS:
        console.print(f"   … and {len(report) - MAX_PRODUCT_ROWS} more products in evaluation.json")


def _print_problems(console: Console, evaluation: Evaluation) -> None:
    problems = evaluation.problems
    if not problems:
        console.print("  [green]no problems[/]")
        return
    console.print(f"  [bold yellow]{len(problems)} problem(s):[/]")
    for problem in problems[:MAX_PROBLEM_LINES]:
        colour = "red" if problem.level.value == "error" else "yellow"
        member = f" [{display_path(problem.member)}]" if problem.member else ""
        where = escape(f"{display_path(problem.location)}{member}: {display_path(problem.message)}")
        console.print(
            f"   [{colour}]{problem.level.value}[/] {problem.kind.value}: {where}",
            markup=True,
            highlight=False,
        )
    if len(problems) > MAX_PROBLEM_LINES:
        console.print(f"   … and {len(problems) - MAX_PROBLEM_LINES} more in evaluation.json")
