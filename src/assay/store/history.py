"""The trend of a product across its saved releases: one entry per saved evaluation, and the
small form of it embedded in an evaluation document as `history` for the reports."""

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from assay.report.metrics import SEVERITIES
from assay.store.models import EvaluationRow

HISTORY_COLUMNS = (
    EvaluationRow.id,
    EvaluationRow.vendor,
    EvaluationRow.product,
    EvaluationRow.release_name,
    EvaluationRow.release_version,
    EvaluationRow.release_sha256,
    EvaluationRow.started,
    EvaluationRow.complete,
    EvaluationRow.vulndata_snapshot,
    *(getattr(EvaluationRow, f"findings_{severity}") for severity in SEVERITIES),
    EvaluationRow.open_vulnerabilities,
    EvaluationRow.kev,
    EvaluationRow.components_count,
    EvaluationRow.hardening_coverage,
    EvaluationRow.unsafe_ratio,
)
TREND_KEYS = (
    "release",
    "date",
    "by_severity",
    "open_vulnerabilities",
    "kev",
    "components",
    "hardening_coverage",
    "unsafe_ratio",
)


def iso_utc(moment: datetime) -> str:
    """A stored time as ISO 8601 UTC (`2026-11-26T03:07:31Z`); SQLite returns it naive."""
    aware = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return aware.strftime("%Y-%m-%dT%H:%M:%SZ")


def history_entry(row: Mapping[str, Any]) -> dict[str, Any]:
    """One saved evaluation as a trend entry (`assay history --json` prints a list of these)."""
    snapshot = row["vulndata_snapshot"]
    return {
        "id": row["id"],
        "vendor": row["vendor"],
        "product": row["product"],
        "release": row["release_version"] or row["release_name"],
        "release_name": row["release_name"],
        "version": row["release_version"],
        "sha256": row["release_sha256"],
        "date": iso_utc(row["started"]),
        "complete": bool(row["complete"]),
        "vulndata_snapshot": snapshot.isoformat() if snapshot else None,
        "by_severity": {severity: row[f"findings_{severity}"] for severity in SEVERITIES},
        "open_vulnerabilities": row["open_vulnerabilities"],
        "kev": row["kev"],
        "components": row["components_count"],
        "hardening_coverage": row["hardening_coverage"],
        "unsafe_ratio": row["unsafe_ratio"],
    }


def trend_point(entry: dict[str, Any]) -> dict[str, Any]:
    """The small form of a history entry embedded in a document's `history` list."""
    return {key: entry[key] for key in TREND_KEYS}
