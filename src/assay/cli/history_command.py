"""`assay history PRODUCT`: the trend of a product across its saved releases."""

import json
import sys
from typing import Annotated, Any

import typer
from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from assay.cli.errors import UsageError

out_console = Console()
err_console = Console(stderr=True)
SHORT_SEVERITY = ("crit", "high", "med", "low", "info")


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def history_table(product: str, entries: list[dict[str, Any]]) -> Table:
    """The trend as a table, oldest release first."""
    from assay.report.metrics import SEVERITIES

    table = Table(
        title=f"assay history: {escape(product)}",
        caption="crit…info: findings by severity; vulns: open vulnerabilities; comp: components; "
        "hard: % of ELF executables with NX, PIE, full RELRO "
        "and a canary; unsafe: % of census call sites",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        collapse_padding=True,
    )
    table.add_column("release", overflow="fold", min_width=7)
    table.add_column("scanned", no_wrap=True)
    for name in (*SHORT_SEVERITY, "vulns", "KEV", "comp", "hard", "unsafe"):
        table.add_column(name, justify="right", no_wrap=True)
    for entry in entries:
        table.add_row(
            escape(entry["release"]),
            entry["date"][:10],
            *(str(entry["by_severity"][severity]) for severity in SEVERITIES),
            str(entry["open_vulnerabilities"]),
            str(entry["kev"]),
            str(entry["components"]),
            _percent(entry["hardening_coverage"]),
            _percent(entry["unsafe_ratio"]),
        )
    return table


def history(
    product: Annotated[str, typer.Argument(help="The product (`assay scan --product`).")],
    store_url: Annotated[
        str | None,
        typer.Option("--store", help="The store (default: the SQLite file in your data folder)."),
    ] = None,
    vendor: Annotated[str | None, typer.Option("--vendor", help="Only this vendor's.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the trend as JSON.")] = False,
) -> None:
    """Show the trend of PRODUCT across its saved releases, oldest scan first: findings by
    severity, open vulnerabilities, KEV, components, hardening coverage (% of ELF executables
    with NX, PIE, full RELRO and a canary) and the unsafe-call ratio."""
    from assay.store import EvaluationStore, StoreError  # SQLAlchemy only for this command

    try:
        with EvaluationStore(store_url) as store:
            entries = store.history(product, vendor)
            name = store.name
    except StoreError as err:
        raise UsageError(str(err)) from err
    if as_json:
        sys.stdout.write(json.dumps(entries, indent=2, ensure_ascii=False) + "\n")
        return
    if not entries:
        err_console.print(f"no saved evaluation of {escape(product)} in {escape(name)}")
        return
    out_console.print(history_table(product, entries))


def register(app: typer.Typer) -> None:
    """Add `assay history` to the command line."""
    app.command("history")(history)
