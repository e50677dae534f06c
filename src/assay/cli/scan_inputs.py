"""Checked inputs of `assay scan` besides the release: the vulnerability database, VEX files."""

import sqlite3
from collections.abc import Callable, Sequence
from pathlib import Path

from assay.cli.errors import UsageError
from assay.model.component import Component
from assay.model.vulnerability import Vulnerability
from assay.vuln.db import VulnDatabase
from assay.vuln.vex import VexError, apply, load_vex

Triage = Callable[[tuple[Vulnerability, ...], tuple[Component, ...]], tuple[Vulnerability, ...]]


def existing_database(path: Path) -> Path:
    """A vulnerability database file that exists and opens."""
    if not path.is_file():
        raise UsageError(f"no vulnerability database at {path} (build one with `assay db import`)")
    try:
        with VulnDatabase.open(path, readonly=True) as database:
            database.status()
    except (sqlite3.Error, ValueError, KeyError) as err:
        raise UsageError(f"not an assay vulnerability database: {path}: {err}") from err
    return path


def triage_from(paths: Sequence[Path]) -> Triage | None:
    """The triage step for the given VEX files, read and checked now (before the scan)."""
    if not paths:
        return None
    for path in paths:
        if not path.is_file():
            raise UsageError(f"no such VEX file: {path}")
    try:
        decisions = load_vex(paths)
    except VexError as err:
        raise UsageError(str(err)) from err

    def triage(
        vulnerabilities: tuple[Vulnerability, ...], components: tuple[Component, ...]
    ) -> tuple[Vulnerability, ...]:
        return tuple(apply(vulnerabilities, components, decisions))

    return triage
