"""`assay db`: the offline vulnerability database — import feed files, update from a folder of
feeds, show what it holds and how old it is, print where it is."""

import json
import sys
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from assay.cli.errors import UsageError
from assay.cli.progress import RichProgress
from assay.vuln.db import VulnDatabase
from assay.vuln.feeds import FeedError
from assay.vuln.schema import DatabaseError
from assay.vuln.snapshot import ENV_VAR, default_database, default_database_path
from assay.vuln.status import DatabaseStatus, ImportSummary

TASK = "importing feeds"
err_console = Console(stderr=True)
out_console = Console()
db_app = typer.Typer(
    name="db",
    help="The offline vulnerability database: import feeds, show its sources and age.",
    no_args_is_help=True,
)

DbOption = Annotated[
    Path | None,
    typer.Option(
        "--db",
        help=f"Database file (default: ${ENV_VAR}, else the per-user database built from the "
        "snapshot shipped with assay; see `assay db path`).",
    ),
]


class ImportBar:
    """The library's ImportProgress shown as one rich bar over the files."""

    def __init__(self, progress: RichProgress) -> None:
        self._progress = progress

    def start(self, total_files: int) -> None:
        """One bar, one step per file."""
        self._progress.start(TASK, total_files)

    def advance(self, label: str, items: int) -> None:
        """A file is done."""
        self._progress.advance(TASK)
        self._progress.note(TASK, f"{items} items — {label}")


def _open(db: Path | None, *, must_exist: bool = False) -> VulnDatabase:
    try:
        if db is None:
            if not default_database_path().exists():
                err_console.print("building the vulnerability database from the shipped snapshot")
            return default_database()
        return VulnDatabase.open(db, readonly=must_exist)
    except DatabaseError as err:
        raise UsageError(str(err)) from err


def _import(paths: list[Path], db: Path | None) -> None:
    with _open(db) as database, RichProgress(err_console) as progress:
        try:
            summary = database.import_paths(paths, ImportBar(progress))
        except (FeedError, DatabaseError) as err:
            raise UsageError(f"{err} (nothing was imported)") from err
        status = database.status()
    _print_summary(summary, status)


def _print_summary(summary: ImportSummary, status: DatabaseStatus) -> None:
    for source in summary.sources:
        when = source.snapshot_date.isoformat() if source.snapshot_date else "undated"
        out_console.print(
            f"{source.name}: {source.count} from {escape(source.file)} ({when})",
            highlight=False,
            soft_wrap=True,
        )
    if summary.skipped:
        out_console.print(f"skipped {len(summary.skipped)} files that are not feeds")
    out_console.print(
        f"{status.path}: {status.cves} CVEs, {status.osv} OSV, {status.kev} KEV, "
        f"{status.epss} EPSS; snapshot {status.snapshot_date or 'none'}",
        highlight=False,
        soft_wrap=True,
    )


@db_app.command("import")
def import_command(
    paths: Annotated[
        list[Path], typer.Argument(help="Feed files or folders (NVD, CVE 5, OSV, KEV, EPSS).")
    ],
    db: DbOption = None,
) -> None:
    """Import feed files into the database, in one transaction (a broken feed imports nothing).

    Formats are recognised by content: NVD CVE JSON 2.0 and 1.1, anchore NVD overrides,
    CVE JSON 5, OSV (JSON or YAML), CISA KEV, EPSS CSV and assay records; plain, gzip, xz,
    bzip2 or zip."""
    _import(paths, db)


@db_app.command("update")
def update_command(
    directory: Annotated[Path, typer.Argument(help="Folder of feed files, read recursively.")],
    db: DbOption = None,
) -> None:
    """Import every feed file found under DIRECTORY (files that are not feeds are skipped)."""
    if directory.exists() and not directory.is_dir():
        raise UsageError(f"not a directory: {directory} (use `assay db import` for files)")
    _import([directory], db)


@db_app.command("status")
def status_command(
    db: DbOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the status as JSON.")] = False,
) -> None:
    """Show the database's sources, their snapshot dates and counts, and its age."""
    with _open(db, must_exist=True) as database:
        status = database.status()
    warning = status.age_warning(date.today())
    if as_json:
        document = {**status.as_json(), "age_warning": warning}
        sys.stdout.write(json.dumps(document, indent=2) + "\n")
        return
    _print_status(status)
    if warning:
        err_console.print(f"[yellow]warning:[/] {escape(warning)}", soft_wrap=True)


def _print_status(status: DatabaseStatus) -> None:
    out_console.print(f"database: {escape(str(status.path))}", highlight=False, soft_wrap=True)
    out_console.print(
        f"snapshot {status.snapshot_date or 'none'}: {status.cves} CVEs, {status.osv} OSV "
        f"records, {status.kev} KEV entries, {status.epss} EPSS scores",
        highlight=False,
    )
    table = Table(title="sources")
    for column in ("format", "file", "snapshot", "count"):
        table.add_column(column, justify="right" if column == "count" else "left")
    for source in status.sources:
        when = source.snapshot_date.isoformat() if source.snapshot_date else "—"
        table.add_row(source.name, escape(source.file), when, str(source.count))
    out_console.print(table)
    if status.upstream:
        upstream = Table(title="upstream repositories of the shipped snapshot")
        for column in ("source", "repository", "commit", "date"):
            upstream.add_column(column)
        for entry in status.upstream:
            when = entry.commit_date.isoformat() if entry.commit_date else "—"
            upstream.add_row(entry.name, entry.repository, entry.commit[:12], when)
        out_console.print(upstream)


@db_app.command("path")
def path_command() -> None:
    """Print where the default database is (it is built on first use)."""
    sys.stdout.write(f"{default_database_path()}\n")


def register(app: typer.Typer) -> None:
    """Add `assay db` to the command line."""
    app.add_typer(db_app, name="db")
