"""OSV records (OSV.dev exports, google/oss-fuzz-vulns YAML, GitHub advisories): kept as published
for package look-ups, and, when the record's own id is a CVE id (OSV.dev's CVE conversions), also
read as a part of that CVE's record (`osv_affected`, description, CVSS from the vector).

Specification: https://ossf.github.io/osv-schema/
"""

import json
import re
from collections.abc import Iterator
from typing import Any

from cvss import CVSS2, CVSS3, CVSS4
from cvss.exceptions import CVSSError

from assay.vuln.importers.common import (
    CVE_ID,
    RecordError,
    mapping,
    product_for_name,
    prune,
    sequence,
    severity_v2,
    timestamp,
)
from assay.vuln.importers.items import (
    CvePart,
    Document,
    DocumentFormat,
    FeedItem,
    OsvEntry,
    PartKind,
)
from assay.vuln.source import CveRecord, OsvRecord

SOURCE = "osv"
SCORE_SOURCE = "osv-vector:score-computed"
PYPI_SEPARATORS = re.compile(r"[-_.]+")


def package_key(ecosystem: str, name: str) -> str:
    """A package name as compared in look-ups: PyPI names normalised as in PEP 503."""
    if ecosystem.split(":", 1)[0].lower() == "pypi":
        return PYPI_SEPARATORS.sub("-", name).lower()
    return name


def packages(record: OsvRecord) -> set[tuple[str, str]]:
    """(ecosystem, name) of every `affected[].package`."""
    found = set()
    for entry in sequence(record.get("affected")):
        package = mapping(mapping(entry).get("package"))
        if package.get("ecosystem") and package.get("name"):
            found.add((str(package["ecosystem"]), str(package["name"])))
    return found


def _score(kind: str, vector: str) -> dict[str, Any] | None:
    try:
        if kind == "CVSS_V4":
            v4 = CVSS4(vector)
            return {"version": "4.0", "score": float(v4.base_score), "severity": v4.severity}
        if kind == "CVSS_V3":
            v3 = CVSS3(vector)
            version = "3.0" if vector.startswith("CVSS:3.0") else "3.1"
            return {
                "version": version,
                "score": float(v3.base_score),
                "severity": v3.severities()[0],
            }
        if kind == "CVSS_V2":
            score = float(CVSS2(vector).base_score)
            return {"version": "2.0", "score": score, "severity": severity_v2(score)}
    except (CVSSError, ValueError, KeyError):
        return None
    return None


def _scores(record: OsvRecord) -> dict[str, Any]:
    fields = {"CVSS_V4": "cvss_v4", "CVSS_V3": "cvss_v3", "CVSS_V2": "cvss_v2"}
    scores: dict[str, Any] = {}
    for entry in map(mapping, sequence(record.get("severity"))):
        kind, vector = entry.get("type"), entry.get("score")
        if kind not in fields or not isinstance(vector, str) or fields[kind] in scores:
            continue
        if computed := _score(kind, vector):
            scores[fields[kind]] = {**computed, "severity": computed["severity"].upper()}
            scores[fields[kind]]["vector"] = vector
    if scores:
        scores["cvss_source"] = dict.fromkeys(scores, SCORE_SOURCE)
    return scores


def osv_affected(record: OsvRecord) -> list[dict[str, Any]]:
    """Ranges grouped by package: `{package, ecosystems[], ranges[]}` (ECOSYSTEM, SEMVER,
    enumerated `versions`), `{repo, ranges, versions}` for GIT ranges."""
    grouped: dict[str, dict[str, Any]] = {}
    for entry in map(mapping, sequence(record.get("affected"))):
        package = mapping(entry.get("package"))
        ranges = [r for r in sequence(entry.get("ranges")) if isinstance(r, dict)]
        for git in (r for r in ranges if r.get("type") == "GIT"):
            shaped = {"type": "GIT", "events": git.get("events", [])}
            grouped[json.dumps(git, sort_keys=True)] = prune(
                {"repo": git.get("repo"), "ranges": [shaped], "versions": entry.get("versions")}
            )
        others = [r for r in ranges if r.get("type") != "GIT"]
        versions = [] if others else sequence(entry.get("versions"))
        if not package.get("name") or not (others or versions):
            continue
        key = json.dumps([package["name"], others, versions], sort_keys=True)
        group = grouped.setdefault(
            key, {"package": package["name"], "ecosystems": [], "ranges": others}
        )
        if versions:
            group["versions"] = versions
        if package.get("ecosystem") and package["ecosystem"] not in group["ecosystems"]:
            group["ecosystems"].append(package["ecosystem"])
    return [prune(group) for group in grouped.values()]


def _products(affected: list[dict[str, Any]]) -> list[str]:
    names = [entry.get("package") for entry in affected]
    names += [str(entry.get("repo", "")).rstrip("/").rsplit("/", 1)[-1] for entry in affected]
    found = {product_for_name(str(name).removesuffix(".git")) for name in names if name}
    return sorted(product for product in found if product)


def cve_part(record: OsvRecord) -> CvePart:
    """The part an OSV record whose id is a CVE id contributes to that CVE's record."""
    affected = osv_affected(record)
    specific = record.get("database_specific")
    cwes = specific.get("cwe_ids") if isinstance(specific, dict) else None
    shaped: CveRecord = prune(
        {
            "id": record["id"],
            "published": record.get("published"),
            "last_modified": record.get("modified"),
            "products": _products(affected),
            "description": record.get("details") or record.get("summary"),
            "cwes": cwes if isinstance(cwes, list) else None,
            **_scores(record),
            "osv_affected": affected,
            "sources": [SOURCE],
        }
    )
    return CvePart(PartKind.OSV, shaped, timestamp(record.get("modified")))


def recognise(document: Document) -> bool:
    """An `id` and a `modified` time (the two fields OSV requires), and no NVD/CVE 5 fields."""
    return (
        isinstance(document.get("id"), str)
        and "modified" in document
        and not any(key in document for key in ("cveMetadata", "descriptions", "_annotation"))
    )


def read(document: Document) -> Iterator[FeedItem]:
    """The OSV record, and its CVE part when its id is a CVE id and it is not withdrawn."""
    if not document["id"].strip():
        raise RecordError("OSV record with an empty id")
    yield OsvEntry(document, timestamp(document.get("modified")))
    if CVE_ID.match(document["id"]) and not document.get("withdrawn"):
        yield cve_part(document)


OSV = DocumentFormat(SOURCE, recognise, read)
