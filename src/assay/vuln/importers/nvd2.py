"""NVD CVE JSON 2.0 (API 2.0 responses, NVD's and fkie-cad's yearly feeds, one file per CVE) and
anchore's nvd-data-overrides, into normalised CVE records.

Specification: https://csrc.nist.gov/schema/nvd/api/2.0/cve_api_json_2.0.schema
"""

from collections.abc import Iterator
from typing import Any

from assay.vuln.importers.common import (
    RecordError,
    cvss_entry,
    english,
    mapping,
    products_of_configurations,
    prune,
    require_cve_id,
    sequence,
    timestamp,
)
from assay.vuln.importers.items import CvePart, Document, DocumentFormat, FeedItem, PartKind
from assay.vuln.source import CveRecord

SOURCE = "nvd-json-2.0"
OVERRIDE_SOURCE = "nvd-data-overrides"
MATCH_FIELDS = (
    "vulnerable",
    "criteria",
    "versionStartIncluding",
    "versionStartExcluding",
    "versionEndIncluding",
    "versionEndExcluding",
)
V3_METRICS = ("cvssMetricV31", "cvssMetricV30")


def normalise_configurations(configurations: object) -> list[dict[str, Any]]:
    """NVD 2.0 configurations with only what matching needs (no matchCriteriaId)."""
    result: list[dict[str, Any]] = []
    for configuration in configurations if isinstance(configurations, list) else []:
        if not isinstance(configuration, dict):
            continue
        nodes = [_node(node) for node in configuration.get("nodes", []) if isinstance(node, dict)]
        if not nodes:
            continue
        shaped: dict[str, Any] = {}
        if configuration.get("operator"):
            shaped["operator"] = configuration["operator"]
        if configuration.get("negate"):
            shaped["negate"] = True
        shaped["nodes"] = nodes
        result.append(shaped)
    return result


def _node(node: dict[str, Any]) -> dict[str, Any]:
    matches = [
        {key: match[key] for key in MATCH_FIELDS if key in match}
        for match in node.get("cpeMatch", [])
        if isinstance(match, dict) and "criteria" in match
    ]
    return {
        "operator": node.get("operator", "OR"),
        "negate": bool(node.get("negate", False)),
        "cpeMatch": matches,
    }


def _pick(metrics: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any] | None:
    """The Primary (NVD's own) metric of the first version that has one, else the first."""
    candidates = [m for key in keys for m in sequence(metrics.get(key)) if isinstance(m, dict)]
    primary = [m for m in candidates if m.get("type") == "Primary"]
    chosen = (primary or candidates or [{}])[0]
    if not isinstance(chosen.get("cvssData"), dict):
        return None
    return cvss_entry(chosen["cvssData"], chosen.get("baseSeverity"))


def cwes(weaknesses: object) -> list[str]:
    """CWE ids, real CWE-n before NVD's placeholders, the Primary source's first."""
    ordered = sorted(
        (w for w in weaknesses if isinstance(w, dict)) if isinstance(weaknesses, list) else [],
        key=lambda w: w.get("type") != "Primary",
    )
    found: list[str] = []
    for weakness in ordered:
        for entry in weakness.get("description", []):
            value = entry.get("value") if isinstance(entry, dict) else None
            if isinstance(value, str) and value not in found:
                found.append(value)
    return sorted(found, key=lambda value: value.startswith("NVD-"))


def cve_record(cve: dict[str, Any]) -> CveRecord:
    """The normalised record of one NVD 2.0 `cve` object."""
    cve_id = require_cve_id(cve.get("id"), "NVD 2.0 record")
    metrics = mapping(cve.get("metrics"))
    configurations = normalise_configurations(cve.get("configurations"))
    kev = None
    if cve.get("cisaExploitAdd"):
        kev = prune({"date_added": cve["cisaExploitAdd"], "due_date": cve.get("cisaActionDue")})
    return prune(
        {
            "id": cve_id,
            "published": cve.get("published"),
            "last_modified": cve.get("lastModified"),
            "products": products_of_configurations(configurations),
            "description": english(cve.get("descriptions")),
            "cwes": cwes(cve.get("weaknesses")),
            "cvss_v3": _pick(metrics, V3_METRICS),
            "cvss_v4": _pick(metrics, ("cvssMetricV40",)),
            "cvss_v2": _pick(metrics, ("cvssMetricV2",)),
            "kev": kev,
            "configurations": configurations,
            "rejected": cve.get("vulnStatus") == "Rejected" or None,
            "sources": [SOURCE],
        }
    )


def _part(cve: object) -> CvePart:
    if not isinstance(cve, dict):
        raise RecordError("NVD 2.0: `cve` is not an object")
    record = cve_record(cve)
    return CvePart(PartKind.NVD, record, timestamp(record.get("last_modified")))


def _collection(document: Document) -> list[Any] | None:
    """The CVE objects of a collection: an API 2.0 response or NVD 2.0 feed (`vulnerabilities`
    of `{"cve": {...}}`), or fkie-cad's yearly release feed (`cve_items` of CVE objects)."""
    items = document.get("cve_items")
    if isinstance(items, list) and all(isinstance(i, dict) and "id" in i for i in items[:1]):
        return items
    items = document.get("vulnerabilities")
    if not isinstance(items, list) or "catalogVersion" in document:
        return None
    if document.get("format") == "NVD_CVE" or any(
        isinstance(item, dict) and isinstance(item.get("cve"), dict) for item in items[:1]
    ):
        return [item.get("cve") if isinstance(item, dict) else None for item in items]
    return None


def recognise(document: Document) -> bool:
    """An NVD 2.0 collection, a `{"cve": {...}}` item, or a bare CVE object."""
    if _collection(document) is not None:
        return True
    if "_annotation" in document:
        return False
    cve = document.get("cve")
    if isinstance(cve, dict):
        return "id" in cve and "CVE_data_meta" not in cve
    return "id" in document and any(
        key in document for key in ("descriptions", "sourceIdentifier", "vulnStatus", "metrics")
    )


SUPPORTED_MAJOR = "2"


def read(document: Document) -> Iterator[FeedItem]:
    """One part per CVE of the document; a collection of another schema version is refused."""
    version = document.get("version")
    known = version is None or str(version).split(".")[0] == SUPPORTED_MAJOR
    if document.get("format") == "NVD_CVE" and not known:
        raise RecordError(f"NVD feed schema version {version!r} is not supported (2.x is)")
    collection = _collection(document)
    if collection is not None:
        for cve in collection:
            yield _part(cve)
    elif isinstance(document.get("cve"), dict):
        yield _part(document["cve"])
    else:
        yield _part(document)


def feed_date(document: Document) -> str | None:
    """The generation time of an API response or a yearly feed."""
    return timestamp(document.get("timestamp"))


def recognise_override(document: Document) -> bool:
    """anchore/nvd-data-overrides: `{"_annotation": {cve_id, …}, "cve": {"configurations"}}`."""
    return isinstance(document.get("_annotation"), dict) and isinstance(document.get("cve"), dict)


def read_override(document: Document) -> Iterator[FeedItem]:
    """A part carrying only the override's configurations (and its annotation's dates)."""
    note = document["_annotation"]
    cve_id = require_cve_id(note.get("cve_id") or document["cve"].get("id"), "NVD override")
    configurations = normalise_configurations(document["cve"].get("configurations"))
    record = prune(
        {
            "id": cve_id,
            "published": note.get("published"),
            "last_modified": note.get("modified"),
            "products": products_of_configurations(configurations),
            "description": note.get("description"),
            "configurations": configurations,
            "configurations_source": OVERRIDE_SOURCE if configurations else None,
            "sources": [OVERRIDE_SOURCE],
        }
    )
    yield CvePart(PartKind.OVERRIDE, record, timestamp(note.get("modified")))


NVD2 = DocumentFormat(SOURCE, recognise, read, feed_date)
OVERRIDES = DocumentFormat(OVERRIDE_SOURCE, recognise_override, read_override)
