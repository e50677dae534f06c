"""What a vulnerability database holds and how old it is: its sources, their snapshot dates and
counts, the upstream repositories of a shipped snapshot, and the age warning."""

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any


def day(value: str | None) -> date | None:
    """The date of a normalised timestamp (`2026-08-21T16:36:16.000000Z` → 2026-08-21)."""
    try:
        return date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class SourceStatus:
    """One imported feed: its format, file (or folder), snapshot date and item count."""

    name: str
    file: str
    snapshot_date: date | None
    count: int
    sha256: str
    imported_at: str


@dataclass(frozen=True, slots=True)
class UpstreamStatus:
    """A repository a shipped snapshot was extracted from, at which commit."""

    name: str
    repository: str
    commit: str
    commit_date: date | None


@dataclass(frozen=True, slots=True)
class DatabaseStatus:
    """The state of a database; `snapshot_date` is the newest date of its CVE-record sources."""

    path: Path
    schema_version: int
    snapshot_date: date | None
    sources: tuple[SourceStatus, ...]
    upstream: tuple[UpstreamStatus, ...]
    cves: int
    osv: int
    kev: int
    epss: int

    def age_warning(self, today: date, max_age_days: int = 30) -> str | None:
        """A one-line warning when the data is older than `max_age_days`, else None."""
        if self.snapshot_date is None:
            return "the vulnerability database holds no CVE records; run `assay db update`"
        age = (today - self.snapshot_date).days
        if age <= max_age_days:
            return None
        return (
            f"vulnerability data is {age} days old (snapshot {self.snapshot_date.isoformat()}); "
            "run `assay db update`"
        )

    def as_json(self) -> dict[str, Any]:
        """The status as a JSON-ready dict (dates as ISO strings)."""
        return {
            "path": str(self.path),
            "schema_version": self.schema_version,
            "snapshot_date": _iso(self.snapshot_date),
            "totals": {"cves": self.cves, "osv": self.osv, "kev": self.kev, "epss": self.epss},
            "sources": [
                {
                    "name": s.name,
                    "file": s.file,
                    "snapshot_date": _iso(s.snapshot_date),
                    "count": s.count,
                    "sha256": s.sha256,
                    "imported_at": s.imported_at,
                }
                for s in self.sources
            ],
            "upstream": [
                {
                    "name": u.name,
                    "repository": u.repository,
                    "commit": u.commit,
                    "commit_date": _iso(u.commit_date),
                }
                for u in self.upstream
            ],
        }


@dataclass(frozen=True, slots=True)
class ImportSummary:
    """What one import added: a row per feed, and the files skipped as not being feeds."""

    sources: tuple[SourceStatus, ...]
    skipped: tuple[str, ...]

    @property
    def count(self) -> int:
        """Items imported."""
        return sum(source.count for source in self.sources)


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None
