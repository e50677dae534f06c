"""Turns the stored parts of the CVEs an import touched into their merged records, and indexes
each record by CPE vendor:product and by product key."""

import json
import sqlite3
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice

from assay.vuln.importers import cve5
from assay.vuln.importers.common import (
    cpe_vendor_product,
    pairs_of_product,
    timestamp,
    vulnerable_pairs,
)
from assay.vuln.importers.items import CvePart, PartKind
from assay.vuln.merge import StoredPart, merge
from assay.vuln.source import CveRecord

BATCH = 2000


def compact(value: object) -> str:
    """JSON text as stored: compact, UTF-8."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def chunks(values: Iterable[str], size: int = BATCH) -> Iterator[list[str]]:
    """Lists of at most `size` values."""
    iterator = iter(values)
    while chunk := list(islice(iterator, size)):
        yield chunk


def cpe_pairs(record: CveRecord) -> set[tuple[str, str]]:
    """vendor:product of the vulnerable CPE matches and of affected CVE 5 entries' CPEs; for a
    record without configurations, also the NVD names of its products, so that a look-up by CPE
    finds the CVEs known only from CVE 5, OSV or kernel data (matched by their own ranges)."""
    pairs = vulnerable_pairs(record.get("configurations"))
    if not record.get("configurations"):
        pairs.update(pair for key in record.get("products", []) for pair in pairs_of_product(key))
    for entry in record.get("cve5_affected", []):
        if cve5.is_affected(entry):
            pairs.update(p for cpe in entry.get("cpes", []) if (p := cpe_vendor_product(cpe)))
    return pairs


def cve_row(cve_id: str, record: CveRecord, text: str) -> tuple[str | None, ...]:
    """The `cve` table row of a merged record."""
    published, modified = (timestamp(record.get(k)) for k in ("published", "last_modified"))
    return cve_id, text, published, modified, compact(record.get("sources", []))


@dataclass(slots=True)
class RecordWriter:
    """Collects the CVEs whose parts changed and rewrites their records in batches. A part
    written in this batch is kept in memory with its JSON text: a CVE with only that part needs
    no reading back."""

    conn: sqlite3.Connection
    dirty: set[str] = field(default_factory=set)
    fresh: dict[str, tuple[StoredPart, str]] = field(default_factory=dict)

    def touched(self, stored: StoredPart, text: str) -> None:
        """A part was stored; its CVE's record is rewritten at the next flush."""
        self.dirty.add(stored.part.cve_id)
        self.fresh[stored.part.cve_id] = (stored, text)
        if len(self.dirty) >= BATCH:
            self.flush()

    def flush(self) -> None:
        """Rewrite every touched record."""
        for ids in chunks(sorted(self.dirty)):
            self._write(ids)
        self.dirty.clear()
        self.fresh.clear()

    def _write(self, ids: list[str]) -> None:
        marks = ",".join("?" * len(ids))
        counts = dict(
            self.conn.execute(
                f"SELECT cve_id, count(*) FROM cve_part WHERE cve_id IN ({marks}) GROUP BY cve_id",
                ids,
            )
        )
        merged: dict[str, tuple[CveRecord, str]] = {}
        for cve_id in ids:
            if counts.get(cve_id) == 1 and cve_id in self.fresh:
                stored, text = self.fresh[cve_id]
                record = merge([stored])
                merged[cve_id] = (record, text if record == stored.part.record else compact(record))
        for cve_id, parts in self._stored([i for i in ids if i not in merged]).items():
            record = merge(parts)
            merged[cve_id] = (record, compact(record))
        for table in ("cpe_index", "product_index"):
            self.conn.execute(f"DELETE FROM {table} WHERE cve_id IN ({marks})", ids)
        self.conn.executemany(
            "INSERT OR REPLACE INTO cve VALUES (?, ?, ?, ?, ?)",
            [cve_row(cve_id, record, text) for cve_id, (record, text) in merged.items()],
        )
        live = {i: record for i, (record, _) in merged.items() if not record.get("rejected")}
        self.conn.executemany(
            "INSERT OR IGNORE INTO cpe_index VALUES (?, ?, ?)",
            [(v, p, cve_id) for cve_id, rec in live.items() for v, p in sorted(cpe_pairs(rec))],
        )
        self.conn.executemany(
            "INSERT OR IGNORE INTO product_index VALUES (?, ?)",
            [(key, cve_id) for cve_id, rec in live.items() for key in rec.get("products", [])],
        )

    def _stored(self, ids: list[str]) -> dict[str, list[StoredPart]]:
        parts: dict[str, list[StoredPart]] = {}
        for chunk in chunks(ids):
            marks = ",".join("?" * len(chunk))
            for cve_id, kind, modified, seq, blob in self.conn.execute(
                f"SELECT cve_id, kind, modified, seq, json FROM cve_part WHERE cve_id IN ({marks})",
                chunk,
            ):
                part = CvePart(PartKind(kind), json.loads(zlib.decompress(blob)), modified)
                parts.setdefault(cve_id, []).append(StoredPart(part, seq))
        return parts
