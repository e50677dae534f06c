"""NVD JSON 1.1 (legacy `CVE_Items` yearly feeds, or one item per file) into normalised CVE
records, with the configurations converted to the NVD 2.0 shape.

Specification: https://csrc.nist.gov/schema/nvd/feed/1.1/nvd_cve_feed_json_1.1.schema
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

SOURCE = "nvd-json-1.1"
BOUNDS = ("versionStartIncluding", "versionStartExcluding", "versionEndIncluding")
BOUNDS_ALL = (*BOUNDS, "versionEndExcluding")


def _matches(node: dict[str, Any]) -> list[dict[str, Any]]:
    matches = []
    for match in node.get("cpe_match", []):
        if not isinstance(match, dict) or "cpe23Uri" not in match:
            continue
        shaped = {"vulnerable": bool(match.get("vulnerable")), "criteria": match["cpe23Uri"]}
        shaped.update({key: match[key] for key in BOUNDS_ALL if key in match})
        matches.append(shaped)
    return matches


def _leaf(node: dict[str, Any], matches: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "operator": node.get("operator", "OR"),
        "negate": bool(node.get("negate", False)),
        "cpeMatch": matches,
    }


def _flatten(node: dict[str, Any]) -> list[dict[str, Any]]:
    """A node and its descendants as 2.0 nodes (2.0 has no nesting below a configuration)."""
    nodes = [_leaf(node, matches)] if (matches := _matches(node)) else []
    for child in node.get("children", []):
        if isinstance(child, dict):
            nodes.extend(_flatten(child))
    return nodes


def convert_configurations(configurations: object) -> list[dict[str, Any]]:
    """1.1 top-level nodes → 2.0 configurations: an OR node becomes a configuration of one
    node; an AND node with `children` becomes a configuration with operator AND and its
    children as nodes (firmware AND hardware)."""
    nodes = configurations.get("nodes", []) if isinstance(configurations, dict) else []
    result: list[dict[str, Any]] = []
    for node in nodes:
        if not isinstance(node, dict):
            continue
        if node.get("operator") == "AND" and node.get("children"):
            inner = _flatten({**node, "operator": "OR", "children": []}) + [
                n for child in node["children"] if isinstance(child, dict) for n in _flatten(child)
            ]
            shaped: dict[str, Any] = {"operator": "AND", "nodes": inner}
            if node.get("negate"):
                shaped["negate"] = True
            result.append(shaped)
        else:
            result.extend({"nodes": [leaf]} for leaf in _flatten(node))
    return [configuration for configuration in result if configuration["nodes"]]


def _cwes(cve: dict[str, Any]) -> list[str]:
    found: list[str] = []
    for problem in sequence(mapping(cve.get("problemtype")).get("problemtype_data")):
        for entry in sequence(mapping(problem).get("description")):
            value = mapping(entry).get("value")
            if isinstance(value, str) and value not in found:
                found.append(value)
    return sorted(found, key=lambda value: value.startswith("NVD-"))


def _metric(impact: dict[str, Any], key: str, data_key: str) -> dict[str, Any] | None:
    metric = impact.get(key)
    if not isinstance(metric, dict) or not isinstance(metric.get(data_key), dict):
        return None
    return cvss_entry(metric[data_key], metric.get("severity"))


def item_record(item: dict[str, Any]) -> CveRecord:
    """The normalised record of one `CVE_Items` entry."""
    cve = mapping(item.get("cve"))
    cve_id = require_cve_id(mapping(cve.get("CVE_data_meta")).get("ID"), "NVD 1.1 item")
    description = english(mapping(cve.get("description")).get("description_data"))
    impact = mapping(item.get("impact"))
    configurations = convert_configurations(item.get("configurations"))
    return prune(
        {
            "id": cve_id,
            "published": item.get("publishedDate"),
            "last_modified": item.get("lastModifiedDate"),
            "products": products_of_configurations(configurations),
            "description": description,
            "cwes": _cwes(cve),
            "cvss_v3": _metric(impact, "baseMetricV3", "cvssV3"),
            "cvss_v2": _metric(impact, "baseMetricV2", "cvssV2"),
            "configurations": configurations,
            "rejected": (description or "").startswith("** REJECT **") or None,
            "sources": [SOURCE],
        }
    )


def _part(item: object) -> CvePart:
    if not isinstance(item, dict):
        raise RecordError("NVD 1.1: a CVE item is not an object")
    record = item_record(item)
    return CvePart(PartKind.NVD, record, timestamp(record.get("last_modified")))


def recognise(document: Document) -> bool:
    """A `CVE_Items` feed or a single item (`{"cve": {"CVE_data_meta": …}}`)."""
    if isinstance(document.get("CVE_Items"), list):
        return True
    cve = document.get("cve")
    return isinstance(cve, dict) and "CVE_data_meta" in cve


def read(document: Document) -> Iterator[FeedItem]:
    """One part per CVE item."""
    for item in document.get("CVE_Items", [document]):
        yield _part(item)


def feed_date(document: Document) -> str | None:
    """The feed's `CVE_data_timestamp`."""
    return timestamp(document.get("CVE_data_timestamp"))


NVD11 = DocumentFormat(SOURCE, recognise, read, feed_date)
