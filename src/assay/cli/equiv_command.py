"""`assay equiv VENDOR REBUILT`: is the rebuilt release (or file) the vendor's, up to named
benign build metadata? A table or JSON, and the release verdict line."""

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
from assay.cli.equiv_store import save_request, save_run
from assay.cli.errors import EXIT_INCOMPLETE, EXIT_OK, EXIT_POLICY, UsageError, readable_input
from assay.cli.store_options import Product, ReleaseVersion, SaveFlag, StoreUrl, Vendor
from assay.equivalence import FilePair, ReleaseVerdict, Verdict, compare_releases
from assay.equivalence.deepdiff import DEFAULT_TIMEOUT, DeepDiffs, diffoscope_pairs
from assay.equivalence.release import UnpackedPair
from assay.equivalence.verdict import pair_json

err_console = Console(stderr=True)
STYLE = {
    Verdict.IDENTICAL: "green",
    Verdict.EQUIVALENT: "green",
    Verdict.DIFFERENT: "red",
    Verdict.MISSING: "yellow",
}


def equiv(
    vendor: Annotated[Path, typer.Argument(help="The vendor's release or file.")],
    rebuilt: Annotated[Path, typer.Argument(help="The release or file built from source.")],
    as_json: Annotated[
        bool, typer.Option("--json", help="Print a JSON list, one object per file pair.")
    ] = False,
    build_root: Annotated[
        list[str] | None,
        typer.Option(
            "--build-root",
            help="VENDOR_DIR=REBUILT_DIR: build directories embedded in strings (repeatable; "
            "read from DWARF when present).",
        ),
    ] = None,
    diffoscope: Annotated[
        Path | None,
        typer.Option(
            "--diffoscope",
            help="Run diffoscope on differing pairs; one text report per pair in this directory.",
        ),
    ] = None,
    diffoscope_limit: Annotated[
        int, typer.Option("--diffoscope-limit", min=1, help="Differing pairs to diffoscope.")
    ] = 1,
    diffoscope_timeout: Annotated[
        float,
        typer.Option("--diffoscope-timeout", min=1, help="Seconds per diffoscope run."),
    ] = DEFAULT_TIMEOUT,
    save: SaveFlag = False,
    store_url: StoreUrl = None,
    vendor_name: Vendor = None,
    product: Product = None,
    release_version: ReleaseVersion = None,
) -> None:
    """Pair the files of two releases by path, then by content, and give each pair a verdict:
    identical, equivalent (each normalisation named), different (sections and functions with an
    instruction diff) or missing. Exit codes: 0 all equivalent, 1 some different or missing,
    2 usage error, 3 an input could not be unpacked completely.

    With --save (or --store URL) and the release's --product and --release-version (and
    --vendor), the verdicts are kept in the evaluation store for `assay network check --store`."""
    roots = parse_build_roots(build_root, "VENDOR_DIR=REBUILT_DIR")
    saving = save_request(store_url, save, vendor_name, product, release_version)
    if diffoscope is not None and diffoscope.exists() and not diffoscope.is_dir():
        raise UsageError(f"--diffoscope wants a directory, and {diffoscope} is a file")
    deep: list[DeepDiffs] = []

    def hand_off(pairs: tuple[UnpackedPair, ...]) -> None:
        if diffoscope is not None:
            deep.append(diffoscope_pairs(pairs, diffoscope, diffoscope_limit, diffoscope_timeout))

    result = compare_releases(
        readable_input(vendor), readable_input(rebuilt), roots, while_unpacked=hand_off
    )
    for problem in result.problems:
        err_console.print(f"[yellow]warning:[/] {escape(problem)}", soft_wrap=True)
    if as_json:
        sys.stdout.write(json.dumps([pair_json(p) for p in result.pairs], indent=2) + "\n")
    else:
        _print(result)
    for done in deep:
        _report_deep(done)
    if saving is not None:
        key = save_run(saving, result, (vendor, rebuilt))
        if key is None:
            err_console.print("[yellow]not saved:[/] an input could not be unpacked completely")
        else:
            err_console.print(f"saved to the store as {escape(key)}", highlight=False)
    if result.problems:
        raise typer.Exit(EXIT_INCOMPLETE)
    raise typer.Exit(EXIT_POLICY if result.rest else EXIT_OK)


def _print(result: ReleaseVerdict) -> None:
    console = Console() if sys.stdout.isatty() else Console(width=200)
    table = Table(box=box.SIMPLE_HEAD, title="Binary equivalence")
    for column in ("Vendor", "Rebuilt", "Verdict", "Why"):
        table.add_column(column, overflow="fold")
    for pair in result.pairs:
        table.add_row(
            escape(pair.vendor or "-"),
            escape(pair.rebuilt or "-"),
            f"[{STYLE[pair.verdict]}]{pair.verdict.value}[/]",
            escape(_why(pair)),
        )
    console.print(table)
    console.print(result.line(), soft_wrap=True, highlight=False)
    for pair in result.rest:
        console.print(
            f"  {pair.verdict.value}: {escape(pair.vendor or pair.rebuilt or '')}",
            soft_wrap=True,
            highlight=False,
        )


def _why(pair: FilePair) -> str:
    if pair.verdict is Verdict.EQUIVALENT:
        return ", ".join(pair.normalisations)
    return "\n".join(
        f"{d.section}{f' {d.function}' if d.function else ''}: {d.detail}" for d in pair.differences
    )


def _report_deep(done: DeepDiffs) -> None:
    for warning in done.warnings:
        err_console.print(f"[yellow]warning:[/] {escape(warning)}", soft_wrap=True)
    for report in done.reports:
        err_console.print(f"diffoscope output: {escape(str(report))}", soft_wrap=True)


def register(app: typer.Typer) -> None:
    """Add `assay equiv` to the command line."""
    app.command("equiv")(equiv)
