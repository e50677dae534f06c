"""The CISA Known Exploited Vulnerabilities catalog (JSON feed).

Specification: https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities_schema.json
"""

from collections.abc import Iterator

from assay.vuln.importers.common import RecordError, require_cve_id, timestamp
from assay.vuln.importers.items import Document, DocumentFormat, FeedItem
from assay.vuln.source import KevEntry

SOURCE = "cisa-kev"


def recognise(document: Document) -> bool:
    """`catalogVersion`, or a `vulnerabilities` list of entries with `cveID`."""
    entries = document.get("vulnerabilities")
    if not isinstance(entries, list):
        return False
    return "catalogVersion" in document or any(
        isinstance(entry, dict) and "cveID" in entry for entry in entries[:1]
    )


def read(document: Document) -> Iterator[FeedItem]:
    """One entry per catalogued CVE."""
    for entry in document["vulnerabilities"]:
        if not isinstance(entry, dict) or not entry.get("dateAdded"):
            raise RecordError(f"KEV entry without dateAdded: {str(entry)[:80]}")
        yield KevEntry(
            cve=require_cve_id(entry.get("cveID"), "KEV entry"),
            date_added=str(entry["dateAdded"]),
            due_date=entry.get("dueDate"),
            ransomware=entry.get("knownRansomwareCampaignUse"),
        )


def feed_date(document: Document) -> str | None:
    """The catalog's release time."""
    return timestamp(document.get("dateReleased"))


KEV = DocumentFormat(SOURCE, recognise, read, feed_date)
