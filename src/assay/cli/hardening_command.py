"""`assay hardening`: the hardening of every ELF file in a release, file or directory — a table
coloured like checksec's, or JSON."""

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from assay.catalog.metadata.kernel import KernelCataloger
from assay.checks.hardening.check import HardeningCheck
from assay.cli.errors import EXIT_INCOMPLETE, EXIT_OK, UsageError, readable_input
from assay.cli.progress import RichProgress
from assay.model.hardening import Fortify, HardeningFacts, HardeningRow, Pie, Relro, StackState
from assay.model.ids import display_path
from assay.pipeline.evaluator import Evaluator, ScanOptions
from assay.report.hardening_json import row_json

err_console = Console(stderr=True)
PIPE_WIDTH = 160
GOOD, BAD, MEH = "green", "red", "yellow"


def hardening(
    path: Annotated[
        Path, typer.Argument(help="An ELF file, a directory, or any release input assay unpacks.")
    ],
    as_json: Annotated[
        bool, typer.Option("--json", help="Print a JSON list, one object per ELF file.")
    ] = False,
) -> None:
    """Check NX, PIE, RELRO, stack canary, FORTIFY, RPATH/RUNPATH and symbols of every ELF file
    (checksec's checks, on every architecture, inside any firmware image).

    Only the kernel cataloger runs (the kernel release decides whether a missing PT_GNU_STACK
    means an executable stack on x86-64 and AArch64) and only the hardening check. Exit codes:
    0 done, 2 usage error or no ELF file found, 3 the input could not be unpacked completely."""
    source = readable_input(path)
    options = ScanOptions(
        catalogers=(KernelCataloger(),), checks=(HardeningCheck(),), vulnerabilities=False
    )
    with RichProgress(err_console) as progress:
        evaluation = Evaluator(options, progress).evaluate(source)
    facts = evaluation.fact(HardeningCheck.name)
    if not isinstance(facts, HardeningFacts) or not facts.rows:
        raise UsageError(f"no ELF program or library found in {path}")
    for problem in evaluation.problems:
        if problem.stage == "checks":
            err_console.print(
                f"[yellow]warning:[/] {escape(display_path(problem.location))}: "
                f"{escape(problem.message)}",
                soft_wrap=True,
            )
    if as_json:
        rows = [row_json(row) for row in facts.rows]
        sys.stdout.write(json.dumps(rows, indent=2, ensure_ascii=False) + "\n")
    else:
        _out_console().print(hardening_table(facts))
    if not evaluation.complete:
        err_console.print("[yellow]evaluation incomplete:[/] run `assay scan` for the problems")
    raise typer.Exit(EXIT_OK if evaluation.complete else EXIT_INCOMPLETE)


def _out_console() -> Console:
    """The terminal's width on a terminal; wide enough for every column in a pipe or file."""
    console = Console()
    return console if console.is_terminal else Console(width=PIPE_WIDTH)


def hardening_table(facts: HardeningFacts) -> Table:
    """One row per ELF path, in checksec's columns and colours (RPATH and RUNPATH share a column,
    FORTIFY shows fortified/fortifiable counts); setuid/setgid files are highlighted."""
    table = Table(
        title="ELF hardening",
        caption=CAPTION,
        caption_justify="left",
        box=box.SIMPLE_HEAD,
        padding=(0, 1),
    )
    table.add_column("File", overflow="fold", min_width=20, ratio=3)
    for column in COLUMNS:
        if column == "RPATH":
            table.add_column(column, overflow="fold", min_width=8, ratio=1)
        else:
            table.add_column(column, no_wrap=True)
    for row in facts.rows:
        table.add_row(*_cells(row))
    return table


COLUMNS = ("Arch", "RELRO", "Canary", "NX", "PIE", "RPATH", "Symbols", "FORTIFY")
CAPTION = (
    "FORTIFY: fortified/fortifiable function counts. ?: cannot tell without symbols. "
    "NX no*: no PT_GNU_STACK, so the kernel's default (executable) applies. "
    "RPATH: r= RPATH, ru= RUNPATH. File on red: setuid/setgid."
)


def _cells(row: HardeningRow) -> tuple[Text, ...]:
    elf = row.elf
    privileged = row.setuid or row.setgid
    return (
        Text(display_path(row.location), "white on red" if privileged else ""),
        Text(f"{elf.machine}/{elf.bits}{'be' if elf.endian == 'big' else 'le'}"),
        _relro(elf.relro),
        _tri(elf.canary),
        _nx(elf.stack),
        _pie(elf.pie),
        _search_paths(elf.rpath, elf.runpath, elf.insecure_paths),
        Text("no", GOOD) if elf.stripped else Text("yes", BAD),
        _fortify(elf.fortify),
    )


def _relro(relro: Relro) -> Text:
    return {
        Relro.FULL: Text("full", GOOD),
        Relro.PARTIAL: Text("partial", MEH),
        Relro.NONE: Text("none", BAD),
    }[relro]


def _tri(value: bool | None) -> Text:
    if value is None:
        return Text("?", MEH)
    return Text("yes", GOOD) if value else Text("no", BAD)


def _nx(stack: StackState) -> Text:
    if not stack.executable:
        return Text("yes", GOOD)
    return Text("no*" if stack is StackState.DEFAULT_EXECUTABLE else "no", BAD)


def _pie(pie: Pie) -> Text:
    return {Pie.YES: Text("yes", GOOD), Pie.NO: Text("no", BAD), Pie.DSO: Text("dso", MEH)}[pie]


def _search_paths(
    rpath: tuple[str, ...] | None, runpath: tuple[str, ...] | None, insecure: tuple[str, ...]
) -> Text:
    if rpath is None and runpath is None:
        return Text("-", GOOD)
    shown = [
        f"{tag}={':'.join(entries)}"
        for tag, entries in (("r", rpath), ("ru", runpath))
        if entries is not None
    ]
    bad = set(rpath or ()) | set(runpath or ())
    style = "bold red" if bad & set(insecure) else MEH
    return Text(display_path(" ".join(shown)), style)


def _fortify(fortify: Fortify) -> Text:
    label = _tri(fortify.enabled)
    if fortify.fortified is None or fortify.fortifiable is None:
        return label
    label.append(f" {len(fortify.fortified)}/{len(fortify.fortifiable)}", style="default")
    return label


def register(app: typer.Typer) -> None:
    """Add `assay hardening` to the command line."""
    app.command("hardening")(hardening)
