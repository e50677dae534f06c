"""The offline vulnerability database: an SQLite file of CVE records, OSV records, the CISA KEV
catalog and EPSS scores, bulk-loaded by the importers and read by the matcher (`VulnSource`)."""

import json
import sqlite3
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from types import TracebackType
from typing import Any

from assay.vuln.importers.osv import package_key
from assay.vuln.importing import ImportProgress, import_feeds
from assay.vuln.schema import SCHEMA_VERSION, DatabaseError, connect
from assay.vuln.source import CveRecord, EpssScore, KevEntry, OsvRecord
from assay.vuln.status import DatabaseStatus, ImportSummary, SourceStatus, UpstreamStatus, day

RECORD_CACHE_SIZE = 20_000  # decoded records kept (about 12 KB each in memory)
RECORD_QUERY = (
    "SELECT c.id, c.json, k.date_added, k.due_date, k.ransomware, e.score, e.percentile "
    "FROM cve c LEFT JOIN kev k ON k.cve = c.id LEFT JOIN epss e ON e.cve = c.id "
)


def _record(row: tuple[Any, ...]) -> CveRecord:
    """A stored record with the current KEV entry and EPSS score laid over its own."""
    record: CveRecord = json.loads(row[1])
    if row[2] is not None:
        kev = {"date_added": row[2], "due_date": row[3], "ransomware": row[4]}
        record["kev"] = {key: value for key, value in kev.items() if value is not None}
    if row[5] is not None:
        record["epss"] = {"score": row[5], "percentile": row[6]}
    return record


class VulnDatabase:
    """A vulnerability database file. Open with `VulnDatabase.open(path)`; use as a context
    manager or call `close()`. Look-ups return records sorted by id; a record looked up again
    is the same dict (decoded once, kept until an import or up to RECORD_CACHE_SIZE records):
    treat records as read-only."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self._conn = conn
        self.path = path
        self._decoded: dict[str, CveRecord] = {}

    @classmethod
    def open(cls, path: Path, *, readonly: bool = False, scratch: bool = False) -> "VulnDatabase":
        """Open (and, unless read-only, create if missing) the database at `path`. `scratch`:
        a database being built in a temporary file (faster, not crash-safe)."""
        return cls(connect(Path(path), readonly=readonly, scratch=scratch), Path(path))

    def close(self) -> None:
        """Close the connection."""
        self._conn.close()

    def __enter__(self) -> "VulnDatabase":
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    def _records(self, where: str, params: Sequence[str]) -> list[CveRecord]:
        rows = self._conn.execute(f"{RECORD_QUERY} WHERE {where} ORDER BY c.id", params)
        return [self._decode(row) for row in rows]

    def _decode(self, row: tuple[Any, ...]) -> CveRecord:
        """The row's record, decoded once: the matcher asks for the same records again for
        every name of a product and every version of it."""
        record = self._decoded.get(row[0])
        if record is None:
            record = self._decoded[row[0]] = _record(row)
            if len(self._decoded) > RECORD_CACHE_SIZE:
                del self._decoded[next(iter(self._decoded))]  # the oldest
        return record

    def cves_for_cpe(self, vendor: str, product: str) -> list[CveRecord]:
        """Records with a vulnerable CPE match (or an affected CVE 5 CPE) naming vendor:product
        (case-insensitive, CPE escapes ignored)."""
        key = [value.replace("\\", "").lower() for value in (vendor, product)]
        return self._records(
            "c.id IN (SELECT cve_id FROM cpe_index WHERE vendor = ? AND product = ?)", key
        )

    def cves_for_product(self, product_key: str) -> list[CveRecord]:
        """Records whose `products` name assay's product key (e.g. `openssl`)."""
        return self._records(
            "c.id IN (SELECT cve_id FROM product_index WHERE product = ?)", [product_key]
        )

    def record(self, cve_id: str) -> CveRecord | None:
        """One CVE's record, if the database has it."""
        found = self._records("c.id = ?", [cve_id.strip().upper()])
        return found[0] if found else None

    def _osv(self, where: str, params: Sequence[str]) -> list[OsvRecord]:
        query = f"SELECT json FROM osv WHERE id IN ({where}) ORDER BY id"
        return [json.loads(row[0]) for row in self._conn.execute(query, params)]

    def osv_for_package(self, ecosystem: str, name: str) -> list[OsvRecord]:
        """OSV records affecting a package. An ecosystem without a release (`Alpine`, `Debian`)
        matches every release (`Alpine:v3.18`); PyPI names are compared normalised."""
        column = "ecosystem" if ":" in ecosystem else "ecosystem_base"
        return self._osv(
            f"SELECT osv_id FROM osv_package WHERE {column} = ? AND name = ?",
            [ecosystem, package_key(ecosystem, name)],
        )

    def osv_for_alias(self, alias: str) -> list[OsvRecord]:
        """OSV records with `alias` (a CVE or GHSA id) as id or among their aliases."""
        key = alias.strip().upper()
        return self._osv("SELECT osv_id FROM osv_alias WHERE alias = ? UNION SELECT ?", [key, key])

    def kev(self, cve: str) -> KevEntry | None:
        """The CVE's entry in the CISA KEV catalog."""
        row = self._conn.execute(
            "SELECT cve, date_added, due_date, ransomware FROM kev WHERE cve = ?",
            (cve.strip().upper(),),
        ).fetchone()
        return KevEntry(*row) if row else None

    def epss(self, cve: str) -> EpssScore | None:
        """The CVE's EPSS score."""
        row = self._conn.execute(
            "SELECT cve, score, percentile, date FROM epss WHERE cve = ?", (cve.strip().upper(),)
        ).fetchone()
        return EpssScore(*row) if row else None

    def status(self) -> DatabaseStatus:
        """Sources with their snapshot dates and counts, upstream repositories, totals."""
        meta = dict(self._conn.execute("SELECT key, value FROM meta"))
        sources = tuple(
            SourceStatus(name, file, day(snapshot), count, sha, imported)
            for name, file, sha, snapshot, imported, count in self._conn.execute(
                "SELECT * FROM source ORDER BY name, file"
            )
        )
        upstream = tuple(
            UpstreamStatus(name, repository, commit, day(commit_date))
            for name, repository, commit, commit_date in self._conn.execute(
                "SELECT * FROM upstream ORDER BY name"
            )
        )
        totals = [
            self._conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("cve", "osv", "kev", "epss")
        ]
        return DatabaseStatus(
            self.path,
            int(meta.get("schema_version", SCHEMA_VERSION)),
            day(meta.get("snapshot_date")),
            sources,
            upstream,
            *totals,
        )

    def age_warning(self, today: date, max_age_days: int = 30) -> str | None:
        """A warning when the data is older than `max_age_days` (never an error)."""
        return self.status().age_warning(today, max_age_days)

    def import_paths(
        self,
        paths: Sequence[Path],
        progress: ImportProgress | None = None,
        *,
        relative_to: Path | None = None,
    ) -> ImportSummary:
        """Import feed files and folders (recursively) in one transaction; on FeedError the
        database is unchanged. Sources are named by absolute path, or relative to
        `relative_to`."""
        self._decoded.clear()
        try:
            return import_feeds(self._conn, paths, progress, relative_to)
        except sqlite3.DatabaseError as err:
            raise DatabaseError(f"{self.path}: {err}") from err
