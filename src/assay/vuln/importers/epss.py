"""FIRST EPSS scores (CSV: an optional `#model_version:…,score_date:…` comment line, then
`cve,epss,percentile`).

Specification: https://www.first.org/epss/data_stats
"""

import csv
from collections.abc import Iterable, Iterator

from assay.vuln.importers.common import RecordError, require_cve_id, timestamp
from assay.vuln.source import EpssScore

SOURCE = "epss"
DATE_KEYS = ("score_date", "snapshot")


def is_header(line: str) -> bool:
    """The column line of an EPSS file."""
    return line.strip().lower().replace(" ", "").startswith("cve,epss")


def comment_date(line: str) -> str | None:
    """The score date of a `#key:value,key:value` comment line."""
    fields = dict(part.split(":", 1) for part in line.lstrip("#").strip().split(",") if ":" in part)
    return next((timestamp(fields[key]) for key in DATE_KEYS if key in fields), None)


def scores(lines: Iterable[str], date: str | None, first_line: int) -> Iterator[EpssScore]:
    """The scores of the lines after the column line (numbered from `first_line`)."""
    day = date[:10] if date else None
    for number, row in enumerate(csv.reader(lines), start=first_line):
        if not row or not "".join(row).strip():
            continue
        if len(row) < 3:
            raise RecordError(f"line {number}: expected cve,epss,percentile, got {row!r}")
        try:
            score, percentile = float(row[1]), float(row[2])
        except ValueError as err:
            raise RecordError(f"line {number}: {err}") from err
        cve = require_cve_id(row[0], f"line {number}")
        yield EpssScore(cve=cve, score=score, percentile=percentile, date=day)
