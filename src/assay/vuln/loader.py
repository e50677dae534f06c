"""Writes imported items into the database, inside the caller's transaction: CVE parts (merged
into records in batches), OSV records, KEV entries, EPSS scores, and one `source` row per feed."""

import sqlite3
import zlib
from dataclasses import dataclass, field
from pathlib import PurePath

from assay.vuln.feeds import Parsed
from assay.vuln.importers import osv
from assay.vuln.importers.common import newest, timestamp
from assay.vuln.importers.items import CvePart, OsvEntry, PartKind, Provenance
from assay.vuln.indexer import BATCH, RecordWriter, compact
from assay.vuln.merge import StoredPart
from assay.vuln.source import EpssScore, KevEntry

# Formats whose records age: the database's snapshot date is the newest of their dates.
RECORD_FORMATS = frozenset(
    {"nvd-json-2.0", "nvd-json-1.1", "nvd-data-overrides", "cve-json-5", "osv", "assay-records"}
)


@dataclass(slots=True)
class Tally:
    """What one feed contributed: items, and the dates that tell how recent it is."""

    count: int = 0
    feed_date: str | None = None
    newest_item: str | None = None

    @property
    def snapshot_date(self) -> str | None:
        """The feed's own date, else that of its newest item."""
        return self.feed_date or self.newest_item


@dataclass(slots=True)
class Loader:
    """Accumulates one import; `finish` writes what is pending and records the sources."""

    conn: sqlite3.Connection
    imported_at: str
    tallies: dict[tuple[str, str], Tally] = field(default_factory=dict)
    records: RecordWriter = field(init=False)
    seen: set[str] = field(default_factory=set)
    kev_rows: list[tuple[str, str, str | None, str | None]] = field(default_factory=list)
    epss_rows: list[tuple[str, float, float, str | None]] = field(default_factory=list)
    seq: int = 0

    def __post_init__(self) -> None:
        self.records = RecordWriter(self.conn)
        row = self.conn.execute("SELECT value FROM meta WHERE key = 'part_seq'").fetchone()
        self.seq = int(row[0]) if row else 0

    def add(self, source: str, parsed: Parsed) -> None:
        """Write one item (KEV and EPSS rows are written in batches)."""
        item = parsed.item
        self.seen.add(source)
        if isinstance(item, Provenance):
            self._provenance(item)
            return
        if not (isinstance(item, CvePart) and item.kind is PartKind.OSV):
            tally = self.tallies.setdefault((parsed.fmt, source), Tally())
            tally.count += 1
            tally.feed_date = newest([tally.feed_date, parsed.feed_date])
            tally.newest_item = newest([tally.newest_item, self._date(item)])
        if isinstance(item, CvePart):
            self._part(item)
        elif isinstance(item, OsvEntry):
            self._osv(item)
        elif isinstance(item, KevEntry):
            self.kev_rows.append((item.cve, item.date_added, item.due_date, item.ransomware))
        else:
            self.epss_rows.append((item.cve, item.score, item.percentile, item.date))
        if len(self.kev_rows) + len(self.epss_rows) >= BATCH:
            self._flush()

    @staticmethod
    def _date(item: CvePart | OsvEntry | KevEntry | EpssScore) -> str | None:
        if isinstance(item, CvePart | OsvEntry):
            return item.modified
        return timestamp(item.date_added if isinstance(item, KevEntry) else item.date)

    def _part(self, part: CvePart) -> None:
        old = self.conn.execute(
            "SELECT modified, seq FROM cve_part WHERE cve_id = ? AND kind = ?",
            (part.cve_id, part.kind.value),
        ).fetchone()
        self.seq += 1
        if old is not None and (part.modified or "", self.seq) < (old[0] or "", old[1]):
            return
        text = compact(part.record)
        self.conn.execute(
            "INSERT OR REPLACE INTO cve_part VALUES (?, ?, ?, ?, ?)",
            (
                part.cve_id,
                part.kind.value,
                part.modified,
                self.seq,
                zlib.compress(text.encode(), 1),
            ),
        )
        self.records.touched(StoredPart(part, self.seq), text)

    def _osv(self, entry: OsvEntry) -> None:
        record = entry.record
        old = self.conn.execute("SELECT modified FROM osv WHERE id = ?", (record["id"],)).fetchone()
        if old is not None and (entry.modified or "") < (old[0] or ""):
            return
        aliases = [str(a) for a in record.get("aliases") or [] if isinstance(a, str)]
        withdrawn = bool(record.get("withdrawn"))
        self.conn.execute(
            "INSERT OR REPLACE INTO osv VALUES (?, ?, ?, ?, ?)",
            (record["id"], compact(record), compact(aliases), entry.modified, withdrawn),
        )
        for table in ("osv_package", "osv_alias"):
            self.conn.execute(f"DELETE FROM {table} WHERE osv_id = ?", (record["id"],))
        if withdrawn:
            return
        self.conn.executemany(
            "INSERT OR IGNORE INTO osv_package VALUES (?, ?, ?, ?)",
            [
                (eco, eco.split(":", 1)[0], osv.package_key(eco, name), record["id"])
                for eco, name in osv.packages(record)
            ],
        )
        self.conn.executemany(
            "INSERT OR IGNORE INTO osv_alias VALUES (?, ?)",
            [(alias.upper(), record["id"]) for alias in aliases],
        )

    def _provenance(self, provenance: Provenance) -> None:
        self.conn.executemany(
            "INSERT OR REPLACE INTO upstream VALUES (?, ?, ?, ?)",
            [(s.name, s.repository, s.commit, s.commit_date) for s in provenance.sources],
        )
        self.conn.executemany(
            "INSERT OR REPLACE INTO file_date VALUES (?, ?)", provenance.file_dates
        )

    def _flush(self) -> None:
        self.conn.executemany("INSERT OR REPLACE INTO kev VALUES (?, ?, ?, ?)", self.kev_rows)
        self.conn.executemany(
            "INSERT INTO epss VALUES (?, ?, ?, ?) ON CONFLICT (cve) DO UPDATE SET "
            "score = excluded.score, percentile = excluded.percentile, date = excluded.date "
            "WHERE coalesce(excluded.date, '') >= coalesce(epss.date, '')",
            self.epss_rows,
        )
        self.kev_rows.clear()
        self.epss_rows.clear()

    def finish(self, sha256: dict[str, str]) -> dict[tuple[str, str], Tally]:
        """Merge the touched CVEs, write the source rows and the snapshot date; the tallies."""
        self._flush()
        self.records.flush()
        self.conn.executemany(
            "INSERT OR REPLACE INTO source VALUES (?, ?, ?, ?, ?, ?)",
            [
                (fmt, label, sha256[label], tally.snapshot_date, self.imported_at, tally.count)
                for (fmt, label), tally in sorted(self.tallies.items())
            ],
        )
        self._apply_file_dates()
        self._set_meta("part_seq", str(self.seq))
        marks = ",".join("?" * len(RECORD_FORMATS))
        dates = self.conn.execute(
            f"SELECT max(snapshot_date) FROM source WHERE name IN ({marks})", sorted(RECORD_FORMATS)
        ).fetchone()
        if dates[0]:
            self._set_meta("snapshot_date", dates[0])
        return self.tallies

    def _set_meta(self, key: str, value: str) -> None:
        self.conn.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    def _apply_file_dates(self) -> None:
        """A manifest's dates replace those read from the records of the files it lists."""
        dates = dict(self.conn.execute("SELECT file_name, snapshot_date FROM file_date"))
        for name, file in self.conn.execute("SELECT name, file FROM source").fetchall():
            date = dates.get(PurePath(file).name)
            if date:
                self.conn.execute(
                    "UPDATE source SET snapshot_date = ? WHERE name = ? AND file = ?",
                    (date, name, file),
                )
