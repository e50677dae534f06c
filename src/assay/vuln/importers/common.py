"""Pieces every importer shares: timestamps, CVSS entries, CPE vendor:product and product keys."""

import re
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from fnmatch import fnmatchcase
from functools import lru_cache
from typing import Any
from urllib.parse import unquote

from assay.catalog.metadata.products import product_table
from assay.vuln.source import CveRecord

CVE_ID = re.compile(r"^CVE-\d{4}-\d{4,}$")
TIMESTAMP_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


class RecordError(ValueError):
    """A document that has the shape of a known format but lacks what the format requires."""


def mapping(value: object) -> dict[str, Any]:
    """The value if it is a JSON object, else an empty one."""
    return value if isinstance(value, dict) else {}


def sequence(value: object) -> list[Any]:
    """The value if it is a JSON array, else an empty one."""
    return value if isinstance(value, list) else []


def timestamp(text: object) -> str | None:
    """An ISO 8601 date or time as a sortable UTC string (`2021-03-26T20:02Z` →
    `2021-03-26T20:02:00.000000Z`); None when absent or unreadable."""
    if not isinstance(text, str) or not text.strip():
        return None
    cleaned = text.strip().replace(" ", "T", 1)
    fraction = re.search(r"\.(\d+)", cleaned)
    if fraction and len(fraction.group(1)) != 6:
        digits = fraction.group(1)[:6].ljust(6, "0")
        cleaned = cleaned[: fraction.start(1)] + digits + cleaned[fraction.end(1) :]
    try:
        moment = datetime.fromisoformat(cleaned)
    except ValueError:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.strftime(TIMESTAMP_FORMAT)


def newest(values: Iterable[str | None]) -> str | None:
    """The latest of several normalised timestamps."""
    present = [value for value in values if value]
    return max(present) if present else None


def english(entries: object) -> str | None:
    """The English `value` of a list of `{lang, value}` entries (the first one if none is)."""
    if not isinstance(entries, list):
        return None
    texts = [e for e in entries if isinstance(e, dict) and isinstance(e.get("value"), str)]
    for entry in texts:
        if str(entry.get("lang", "")).lower().startswith("en"):
            return str(entry["value"])
    return str(texts[0]["value"]) if texts else None


def severity_v2(score: float) -> str:
    """CVSS v2 has no severity in its vector: NVD's bands."""
    if score >= 7.0:
        return "HIGH"
    return "MEDIUM" if score >= 4.0 else "LOW"


def cvss_entry(data: dict[str, Any], severity: object = None) -> dict[str, Any] | None:
    """`{version, score, severity, vector}` from a CVSS data block (NVD and CVE 5 spell the
    fields alike: version, vectorString, baseScore, baseSeverity)."""
    score = data.get("baseScore")
    vector = data.get("vectorString")
    if not isinstance(score, int | float) or not isinstance(vector, str):
        return None
    version = str(data.get("version") or "")
    level = severity or data.get("baseSeverity")
    if not level and version.startswith("2"):
        level = severity_v2(float(score))
    return {
        "version": version,
        "score": float(score),
        "severity": str(level or "").upper(),
        "vector": vector,
    }


def cpe_vendor_product(cpe: object) -> tuple[str, str] | None:
    """Lower-case, unescaped vendor and product of a CPE 2.3 name or CPE 2.2 URI."""
    return _vendor_product(cpe) if isinstance(cpe, str) else None


@lru_cache(maxsize=1 << 16)
def _vendor_product(cpe: str) -> tuple[str, str] | None:
    if cpe.startswith("cpe:2.3:"):
        body = cpe[len("cpe:2.3:") :]
        if "\\" in body:
            fields = re.split(r"(?<!\\):", body)
            parts = [re.sub(r"\\(.)", r"\1", field) for field in fields[1:3]]
        else:
            parts = body.split(":", 3)[1:3]
    elif cpe.startswith("cpe:/"):
        parts = [unquote(field) for field in cpe[len("cpe:/") :].split(":")[1:3]]
    else:
        return None
    if len(parts) != 2 or not all(parts) or "*" in parts:
        return None
    return parts[0].lower(), parts[1].lower()


def cpe_matches(configurations: object) -> Iterator[dict[str, Any]]:
    """Every `cpeMatch` entry of NVD 2.0-shaped configurations."""
    if not isinstance(configurations, list):
        return
    for configuration in configurations:
        for node in configuration.get("nodes", []) if isinstance(configuration, dict) else []:
            for match in node.get("cpeMatch", []) if isinstance(node, dict) else []:
                if isinstance(match, dict):
                    yield match


def vulnerable_pairs(configurations: object) -> set[tuple[str, str]]:
    """vendor:product of every vulnerable CPE match."""
    pairs = set()
    for match in cpe_matches(configurations):
        pair = cpe_vendor_product(match.get("criteria")) if match.get("vulnerable") else None
        if pair:
            pairs.add(pair)
    return pairs


def product_for_pair(pair: tuple[str, str]) -> str | None:
    """assay's product key of an NVD vendor:product (package-products.yaml `nvd`)."""
    return product_table().nvd.get(f"{pair[0]}:{pair[1]}")


def pairs_of_product(product: str) -> list[tuple[str, str]]:
    """Every NVD vendor:product that package-products.yaml maps to a product key."""
    pairs = (pair.split(":", 1) for pair, key in product_table().nvd.items() if key == product)
    return sorted((vendor, name) for vendor, name in pairs)


def product_for_name(name: object) -> str | None:
    """assay's product key of a package or project name (package-products.yaml `names`)."""
    if not isinstance(name, str) or not name.strip():
        return None
    table = product_table()
    key = name.strip().lower()
    if key in table.exact:
        return table.exact[key]
    return next((product for pattern, product in table.patterns if fnmatchcase(key, pattern)), None)


def products_of_configurations(configurations: object) -> list[str]:
    """Product keys named by the vulnerable CPE matches, sorted."""
    found = {product_for_pair(pair) for pair in vulnerable_pairs(configurations)}
    return sorted(product for product in found if product)


def require_cve_id(value: object, where: str) -> str:
    """A CVE id, upper-case; a RecordError naming `where` if it is missing or malformed."""
    if not isinstance(value, str) or not CVE_ID.match(value.strip().upper()):
        raise RecordError(f"{where}: no CVE id (found {value!r})")
    return value.strip().upper()


def prune(record: CveRecord) -> CveRecord:
    """The record without absent or empty fields (the schema omits them)."""
    return {key: value for key, value in record.items() if value not in (None, "", [], {})}
