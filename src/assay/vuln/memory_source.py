"""An in-memory VulnSource over record dicts (the shipped JSON Lines files, or records built in
code): records indexed by vulnerable CPE vendor:product and by product key, OSV records by
(ecosystem, package name)."""

import gzip
import json
from collections import defaultdict
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from assay.vuln.cpe import parse_cpe
from assay.vuln.source import CveRecord, EpssScore, KevEntry, OsvRecord


class MemorySource:
    """A VulnSource held in memory. Records are kept as given (not copied); lookups return them in
    the order they were added."""

    def __init__(self, records: Iterable[CveRecord] = (), osv: Iterable[OsvRecord] = ()) -> None:
        self._records: dict[str, CveRecord] = {}
        self._by_cpe: dict[str, dict[str, CveRecord]] = defaultdict(dict)
        self._by_product: dict[str, dict[str, CveRecord]] = defaultdict(dict)
        self._osv: dict[tuple[str, str], dict[str, OsvRecord]] = defaultdict(dict)
        for record in records:
            self.add(record)
        for entry in osv:
            self.add_osv(entry)

    @classmethod
    def from_jsonl(cls, *paths: Path, osv: Iterable[Path] = ()) -> "MemorySource":
        """A source from record files (JSON Lines, gzip-compressed when named `.gz`) and OSV
        record files of the same format."""
        source = cls()
        for path in paths:
            for record in read_jsonl(path):
                source.add(record)
        for path in osv:
            for entry in read_jsonl(path):
                source.add_osv(entry)
        return source

    def __len__(self) -> int:
        return len(self._records)

    def add(self, record: CveRecord) -> None:
        """Index a CVE record (a later record with the same id replaces the earlier one)."""
        ident = str(record["id"])
        self._records[ident] = record
        for name in _vulnerable_names(record):
            self._by_cpe[name][ident] = record
        for product in record.get("products", ()):
            self._by_product[str(product)][ident] = record

    def add_osv(self, entry: OsvRecord) -> None:
        """Index an OSV record under each affected (ecosystem, name), and under the ecosystem
        without its release (`Debian:12` also as `Debian`)."""
        for affected in entry.get("affected", ()):
            package = affected.get("package") or {}
            ecosystem, name = str(package.get("ecosystem", "")), str(package.get("name", ""))
            if not ecosystem or not name:
                continue
            for key in {ecosystem, ecosystem.split(":", 1)[0]}:
                self._osv[(key.lower(), name.lower())][str(entry.get("id"))] = entry

    def record(self, cve: str) -> CveRecord | None:
        """The record of a CVE id, if held."""
        return self._records.get(cve)

    def cves_for_cpe(self, vendor: str, product: str) -> Iterable[CveRecord]:
        """Records with a vulnerable CPE match (or CVE 5 CPE) naming `vendor:product`."""
        return list(self._by_cpe.get(f"{vendor}:{product}".lower(), {}).values())

    def cves_for_product(self, product_key: str) -> Iterable[CveRecord]:
        """Records whose `products` list names the product key."""
        return list(self._by_product.get(product_key, {}).values())

    def osv_for_package(self, ecosystem: str, name: str) -> Iterable[OsvRecord]:
        """OSV records with an affected entry for this ecosystem package."""
        return list(self._osv.get((ecosystem.lower(), name.lower()), {}).values())

    def kev(self, cve: str) -> KevEntry | None:
        """The KEV entry carried by the CVE's record."""
        record = self._records.get(cve)
        kev = record.get("kev") if record else None
        if not kev:
            return None
        return KevEntry(cve, str(kev["date_added"]), kev.get("due_date"), kev.get("ransomware"))

    def epss(self, cve: str) -> EpssScore | None:
        """The EPSS score carried by the CVE's record."""
        record = self._records.get(cve)
        epss = record.get("epss") if record else None
        if not epss:
            return None
        return EpssScore(cve, float(epss["score"]), float(epss["percentile"]), epss.get("date"))


def read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    """The JSON objects of a JSON Lines file, gzip-compressed when its name ends in `.gz`."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                yield json.loads(line)


def _vulnerable_names(record: CveRecord) -> set[str]:
    names = set()
    for config in record.get("configurations", ()):
        for node in config.get("nodes", ()):
            for match in node.get("cpeMatch", ()):
                cpe = parse_cpe(str(match.get("criteria", "")))
                if match.get("vulnerable") and cpe is not None and cpe.vendor_product:
                    names.add(cpe.vendor_product)
    for affected in record.get("cve5_affected", ()):
        for text in affected.get("cpes", ()):
            cpe = parse_cpe(str(text))
            if cpe is not None and cpe.vendor_product:
                names.add(cpe.vendor_product)
    return names
