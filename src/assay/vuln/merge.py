"""Several sources' parts of one CVE merged into its record.

Rules:
- Within one kind of source, the newer part replaces the older (by `last_modified`; equal or
  unknown → the later import wins). NVD 2.0 and NVD 1.1 are one kind.
- The primary part is the newest full record: an NVD record or an assay record; without one,
  the CVE 5 record, then the OSV record, then an override alone. Its fields are kept.
- Every other part then only fills fields the record lacks, in this order: the other full
  record, CVE 5 (CVSS, CWEs, `cve5_affected`, description), OSV (`osv_affected`, CVSS from the
  vector). So NVD's configurations and scores are kept, and CVE 5 fills what NVD has not
  analysed yet.
- An anchore override replaces the configurations (it exists because NVD had none, or had them
  wrong); `configurations_source` then says so.
- `products` are those of the part that supplied the configurations; without configurations,
  those of every part. `cvss_source` names, per score, the source of a score that did not come
  from NVD; `sources` lists every contributing input.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from assay.vuln.importers.common import prune
from assay.vuln.importers.items import CvePart, PartKind
from assay.vuln.source import CveRecord

FULL_KINDS = (PartKind.NVD, PartKind.RECORD)
FILL_KINDS = (PartKind.CVE5, PartKind.OSV)
CVSS_FIELDS = ("cvss_v4", "cvss_v3", "cvss_v2")
DERIVED_FIELDS = frozenset({"products", "sources", "cvss_source", "configurations_source"})


@dataclass(frozen=True, slots=True)
class StoredPart:
    """A part as kept in the database, with its import sequence number."""

    part: CvePart
    seq: int

    @property
    def rank(self) -> tuple[str, int]:
        """Newer first: by last-modified time, then by import order."""
        return (self.part.modified or "", self.seq)


def supersedes(new: StoredPart, old: StoredPart | None) -> bool:
    """Whether a new part of the same kind replaces the stored one."""
    return old is None or new.rank >= old.rank


def _ordered(parts: Sequence[StoredPart]) -> list[StoredPart]:
    full = sorted((p for p in parts if p.part.kind in FULL_KINDS), key=lambda p: p.rank)[::-1]
    fills = [p for kind in FILL_KINDS for p in parts if p.part.kind is kind]
    overrides = [p for p in parts if p.part.kind is PartKind.OVERRIDE]
    return full + fills + overrides


def merge(parts: Sequence[StoredPart]) -> CveRecord:
    """The record of one CVE from all its parts (at least one)."""
    ordered = [stored.part for stored in _ordered(parts)]
    primary = ordered[0]
    merged: dict[str, Any] = dict(primary.record)
    scores = {k: v for k, v in primary.record.get("cvss_source", {}).items() if k in merged}
    configured_by = primary if merged.get("configurations") else None
    for part in ordered[1:]:
        for key, value in part.record.items():
            if key in DERIVED_FIELDS or key in merged:
                continue
            merged[key] = value
            if key in CVSS_FIELDS and key in part.record.get("cvss_source", {}):
                scores[key] = part.record["cvss_source"][key]
            if key == "configurations":
                configured_by = part
    override = next((p for p in ordered if p.kind is PartKind.OVERRIDE), None)
    if override is not None and override.record.get("configurations"):
        merged["configurations"] = override.record["configurations"]
        configured_by = override
    products: set[str] = set()
    for part in [configured_by] if configured_by else ordered:
        products.update(part.record.get("products", []))
    sources = [source for part in ordered for source in part.record.get("sources", [])]
    merged.update(
        products=sorted(products),
        cvss_source=scores,
        configurations_source=configured_by.record.get("configurations_source")
        if configured_by
        else None,
        sources=list(dict.fromkeys(sources)),
    )
    return prune(merged)
