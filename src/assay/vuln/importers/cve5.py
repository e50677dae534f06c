"""CVE JSON 5 records (CVEProject/cvelistV5, cisagov/vulnrichment) into normalised CVE records:
the CNA's and the ADPs' metrics, CWEs and `affected` entries.

Specification: https://github.com/CVEProject/cve-schema (CVE_Record_Format.json, 5.x)
"""

from collections.abc import Iterator
from typing import Any

from assay.vuln.importers.common import (
    RecordError,
    cpe_vendor_product,
    cvss_entry,
    english,
    mapping,
    product_for_name,
    product_for_pair,
    prune,
    require_cve_id,
    sequence,
    timestamp,
)
from assay.vuln.importers.items import CvePart, Document, DocumentFormat, FeedItem, PartKind
from assay.vuln.source import CveRecord

SOURCE = "cve-json-5"
METRIC_FIELDS = (
    ("cvssV4_0", "cvss_v4"),
    ("cvssV3_1", "cvss_v3"),
    ("cvssV3_0", "cvss_v3"),
    ("cvssV2_0", "cvss_v2"),
)
AFFECTED_FIELDS = ("vendor", "product", "packageName", "repo", "cpes", "defaultStatus", "versions")


def _containers(document: Document) -> list[tuple[str, dict[str, Any]]]:
    """(provider, container) for the CNA then every ADP; the CNA's provider is its short name."""
    containers = mapping(document.get("containers"))
    found = [("cna", containers["cna"])] if isinstance(containers.get("cna"), dict) else []
    found.extend(("adp", adp) for adp in sequence(containers.get("adp")) if isinstance(adp, dict))
    return found


def _provider(container: dict[str, Any], fallback: str) -> str:
    return str(mapping(container.get("providerMetadata")).get("shortName") or fallback)


def _scores(containers: list[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    """The first CVSS of each version, the CNA's before the ADPs', and where each came from."""
    scores: dict[str, Any] = {}
    origin: dict[str, str] = {}
    for role, container in containers:
        label = "cve5:cna" if role == "cna" else f"cve5:{_provider(container, 'adp')}"
        for metric in sequence(container.get("metrics")):
            for key, field in METRIC_FIELDS:
                data = mapping(metric).get(key)
                entry = cvss_entry(data) if isinstance(data, dict) and field not in scores else None
                if entry:
                    scores[field] = entry
                    origin[field] = label
    if origin:
        scores["cvss_source"] = origin
    return scores


def _cwes(containers: list[tuple[str, dict[str, Any]]]) -> list[str]:
    found: list[str] = []
    for _, container in containers:
        for problem in sequence(container.get("problemTypes")):
            for entry in sequence(mapping(problem).get("descriptions")):
                cwe = mapping(entry).get("cweId")
                if isinstance(cwe, str) and cwe not in found:
                    found.append(cwe)
    return found


def is_affected(entry: dict[str, Any]) -> bool:
    """Whether an `affected` entry says some version is (or may be) affected."""
    if any(mapping(v).get("status") == "affected" for v in sequence(entry.get("versions"))):
        return True
    return entry.get("defaultStatus", "unknown") in ("affected", "unknown")


def affected_entries(containers: list[tuple[str, dict[str, Any]]]) -> list[dict[str, Any]]:
    """Every `affected` entry of every container, with the container's provider."""
    entries = []
    for role, container in containers:
        provider = _provider(container, role)
        for entry in sequence(container.get("affected")):
            if isinstance(entry, dict):
                shaped = {key: entry[key] for key in AFFECTED_FIELDS if entry.get(key)}
                entries.append({**shaped, "provider": provider})
    return entries


def entry_product(entry: dict[str, Any]) -> str | None:
    """The product key of an `affected` entry: from its CPEs, its vendor:product as an NVD
    pair, its package name, then its product name."""
    for cpe in sequence(entry.get("cpes")):
        pair = cpe_vendor_product(cpe)
        if pair and (product := product_for_pair(pair)):
            return product
    vendor, name = (str(entry.get(k, "")).lower().replace(" ", "_") for k in ("vendor", "product"))
    if vendor and name and (product := product_for_pair((vendor, name))):
        return product
    return product_for_name(entry.get("packageName")) or product_for_name(entry.get("product"))


def cve5_record(document: Document) -> CveRecord:
    """The normalised record of one CVE 5 document."""
    meta = mapping(document.get("cveMetadata"))
    cve_id = require_cve_id(meta.get("cveId"), "CVE 5 record")
    containers = _containers(document)
    cna = mapping(mapping(document.get("containers")).get("cna"))
    affected = affected_entries(containers)
    products = {entry_product(entry) for entry in affected if is_affected(entry)}
    return prune(
        {
            "id": cve_id,
            "published": meta.get("datePublished"),
            "last_modified": meta.get("dateUpdated"),
            "products": sorted(product for product in products if product),
            "description": english(cna.get("descriptions")),
            "cwes": _cwes(containers),
            **_scores(containers),
            "cve5_affected": affected,
            "rejected": meta.get("state") == "REJECTED" or None,
            "sources": [SOURCE],
        }
    )


def recognise(document: Document) -> bool:
    """`dataType: CVE_RECORD`, or `cveMetadata` with `containers`."""
    return document.get("dataType") == "CVE_RECORD" or (
        isinstance(document.get("cveMetadata"), dict) and "containers" in document
    )


def read(document: Document) -> Iterator[FeedItem]:
    """One part; a record of another major schema version than 5 is refused."""
    version = document.get("dataVersion")
    if version is not None and str(version).split(".")[0] != "5":
        raise RecordError(f"CVE JSON dataVersion {version!r} is not supported (5.x is)")
    record = cve5_record(document)
    yield CvePart(PartKind.CVE5, record, timestamp(record.get("last_modified")))


CVE5 = DocumentFormat(SOURCE, recognise, read)
