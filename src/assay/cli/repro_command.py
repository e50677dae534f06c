"""`assay repro BUILD_A BUILD_B`: what makes two builds of the same source differ, file by file,
and a summary by cause with the remedy; a table or JSON."""

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from assay.cli.build_roots import parse_build_roots
from assay.cli.errors import EXIT_INCOMPLETE, EXIT_OK, EXIT_POLICY, readable_input
from assay.equivalence.reproducibility import ReproReport, check_reproducibility

err_console = Console(stderr=True)


def repro(
    first: Annotated[Path, typer.Argument(help="The first build (image, archive, tree or file).")],
    second: Annotated[Path, typer.Argument(help="The second build of the same source.")],
    as_json: Annotated[
        bool, typer.Option("--json", help="Print JSON: one object per file, and the summary.")
    ] = False,
    build_root: Annotated[
        list[str] | None,
        typer.Option(
            "--build-root",
            help="FIRST_DIR=SECOND_DIR: the two builds' build directories (repeatable; read "
            "from DWARF when present).",
        ),
    ] = None,
) -> None:
    """List what makes two builds of the same source non-deterministic, file by file (embedded
    timestamps, build paths, archive order and mtimes, gzip and .pyc headers, ...), with a
    summary by cause and what to change in the build. Exit codes: 0 bit-for-bit identical,
    1 not identical, 2 usage error, 3 an input could not be unpacked completely."""
    roots = parse_build_roots(build_root, "FIRST_DIR=SECOND_DIR")
    report = check_reproducibility(readable_input(first), readable_input(second), roots)
    for problem in report.problems:
        err_console.print(f"[yellow]warning:[/] {escape(problem)}", soft_wrap=True)
    if as_json:
        sys.stdout.write(json.dumps(report_json(report), indent=2, ensure_ascii=False) + "\n")
    else:
        _print(report)
    if report.problems:
        raise typer.Exit(EXIT_INCOMPLETE)
    raise typer.Exit(EXIT_OK if report.identical else EXIT_POLICY)


def report_json(report: ReproReport) -> dict[str, object]:
    """The JSON document of a reproducibility report."""
    return {
        "identical": report.identical,
        "compared": report.compared,
        "files": [
            {
                "path": entry.path,
                "verdict": entry.verdict.value,
                "causes": [
                    {"cause": x.cause, "detail": x.detail, "remedy": x.remedy} for x in entry.causes
                ],
            }
            for entry in report.files
        ],
        "summary": [
            {"cause": n.cause, "files": n.files, "example": n.example, "remedy": n.remedy}
            for n in report.summary()
        ],
        "problems": list(report.problems),
    }


def _print(report: ReproReport) -> None:
    console = Console() if sys.stdout.isatty() else Console(width=200)
    if report.identical:
        console.print(f"[green]bit-for-bit identical[/]: {report.compared} file(s)")
        return
    table = Table(box=box.SIMPLE_HEAD, title="Reproducibility: what differs between the builds")
    for column in ("File", "Causes", "Detail"):
        table.add_column(column, overflow="fold")
    for entry in report.files:
        table.add_row(
            escape(entry.path),
            escape("\n".join(x.cause for x in entry.causes)),
            escape("\n".join(x.detail for x in entry.causes)),
        )
    console.print(table)
    summary = Table(box=box.SIMPLE_HEAD, title="By cause")
    for column in ("Cause", "Files", "Example", "Remedy"):
        summary.add_column(column, overflow="fold")
    for count in report.summary():
        summary.add_row(
            escape(count.cause), str(count.files), escape(count.example), escape(count.remedy)
        )
    console.print(summary)
    console.print(
        f"{len(report.files)} of {report.compared} file(s) differ", soft_wrap=True, highlight=False
    )


def register(app: typer.Typer) -> None:
    """Add `assay repro` to the command line."""
    app.command("repro")(repro)
