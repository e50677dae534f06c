"""assay's own normalised CVE records (the `nvd-subset*.jsonl.gz` lines of the shipped snapshot):
read almost as they are."""

from collections.abc import Iterator

from assay.vuln.importers.common import products_of_configurations, require_cve_id, timestamp
from assay.vuln.importers.items import CvePart, Document, DocumentFormat, FeedItem, PartKind

SOURCE = "assay-records"
RECORD_FIELDS = ("products", "sources", "last_modified", "cve5_affected", "osv_affected")


def recognise(document: Document) -> bool:
    """A CVE id and the snake_case fields of the record schema (no OSV `modified`)."""
    return (
        isinstance(document.get("id"), str)
        and document["id"].upper().startswith("CVE-")
        and "modified" not in document
        and any(key in document for key in RECORD_FIELDS)
    )


def read(document: Document) -> Iterator[FeedItem]:
    """The record as one part; `products` derived from its configurations if it has none."""
    record = dict(document)
    record["id"] = require_cve_id(document["id"], "assay record")
    if "products" not in record and record.get("configurations"):
        record["products"] = products_of_configurations(record["configurations"])
    yield CvePart(PartKind.RECORD, record, timestamp(record.get("last_modified")))


RECORDS = DocumentFormat(SOURCE, recognise, read)
