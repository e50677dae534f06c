"""One import: every feed under the given paths read into the database in a single transaction,
so that a feed that fails half-way leaves the database as it was."""

import logging
import sqlite3
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from assay.vuln.feeds import (
    FORMATS_HINT,
    FeedError,
    FeedSource,
    UnknownFormat,
    collect,
    read_unit,
    units,
)
from assay.vuln.loader import Loader
from assay.vuln.status import ImportSummary, SourceStatus, day

log = logging.getLogger(__name__)


class ImportProgress(Protocol):
    """Told how many files an import will read, and when each is done."""

    def start(self, total_files: int) -> None:
        """Before the first file."""

    def advance(self, label: str, items: int) -> None:
        """After each file, with the items read so far."""


def _label(path: Path, relative_to: Path | None) -> str:
    if relative_to is not None:
        try:
            return path.resolve().relative_to(relative_to.resolve()).as_posix()
        except ValueError:
            pass
    return str(path.resolve())


def import_feeds(
    conn: sqlite3.Connection,
    paths: Sequence[Path],
    progress: ImportProgress | None = None,
    relative_to: Path | None = None,
) -> ImportSummary:
    """Import files and folders (recursively); FeedError, with the database unchanged, if a path
    is missing, a named file is no feed, a feed is broken, or nothing was found to import."""
    sources = [collect(path, _label(path, relative_to)) for path in paths]
    if progress is not None:
        progress.start(sum(len(source.files) for source in sources))
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    conn.execute("BEGIN IMMEDIATE")
    try:
        loader = Loader(conn, now)
        skipped = [label for source in sources for label in _read(loader, source, progress)]
        tallies = loader.finish({source.label: source.sha256() for source in sources})
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    rows = tuple(
        SourceStatus(fmt, label, day(tally.snapshot_date), tally.count, "", now)
        for (fmt, label), tally in sorted(tallies.items())
    )
    return ImportSummary(rows, tuple(skipped))


def _read(loader: Loader, source: FeedSource, progress: ImportProgress | None) -> list[str]:
    """Feed every item of one source to the loader; the labels of files that are no feeds."""
    skipped = []
    for path in source.files:
        label = source.label if source.explicit else _label(path, source.root.parent)
        for unit in units(path, label, source.explicit):
            try:
                for parsed in read_unit(unit):
                    loader.add(source.label, parsed)
            except UnknownFormat:
                if unit.explicit:
                    raise
                log.debug("skipped %s: not a feed", unit.label)
                skipped.append(unit.label)
        if progress is not None:
            progress.advance(label, sum(tally.count for tally in loader.tallies.values()))
    if source.label not in loader.seen:
        raise FeedError(f"{source.label}: no feed found ({FORMATS_HINT})")
    return skipped
