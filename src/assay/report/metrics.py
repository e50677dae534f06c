"""Headline numbers of one evaluation document, shared by the reports and the store's trends.

Hardening coverage: the share (%) of distinct ELF executables (copies counted once) that have all
of NX, PIE, full RELRO and a stack canary; an unknown property (e.g. the canary of a stripped
static binary) counts as missing. Null when the release has no ELF executable.

Unsafe-call ratio: unsafe call sites as a share (%) of all call sites of the census's function
families over the whole release (`facts.census.families`). Null when no such call was found."""

from collections import Counter
from typing import Any

SEVERITIES = ("critical", "high", "medium", "low", "info")


def hardening_coverage(document: dict[str, Any]) -> float | None:
    """% of distinct ELF executables with NX, PIE, full RELRO and a canary."""
    files = ((document.get("facts") or {}).get("hardening") or {}).get("files") or []
    executables = [f for f in files if f.get("type") == "executable" and not f.get("copy_of")]
    if not executables:
        return None
    hardened = sum(1 for f in executables if _fully_hardened(f))
    return round(100.0 * hardened / len(executables), 2)


def _fully_hardened(row: dict[str, Any]) -> bool:
    return (
        row.get("nx") is True
        and row.get("pie") is True
        and row.get("relro") == "full"
        and row.get("canary") is True
    )


def unsafe_ratio(document: dict[str, Any]) -> float | None:
    """% of the release's census call sites that call an unsafe function."""
    families = ((document.get("facts") or {}).get("census") or {}).get("families") or []
    unsafe = sum(int(f.get("unsafe_calls") or 0) for f in families)
    total = unsafe + sum(int(f.get("safe_calls") or 0) for f in families)
    if total == 0:
        return None
    return round(100.0 * unsafe / total, 2)


def findings_by_severity(document: dict[str, Any]) -> dict[str, int]:
    """Findings of the checks per severity, every severity present (0 when none)."""
    counts = Counter(str(f.get("severity")) for f in document.get("findings") or [])
    return {severity: counts.get(severity, 0) for severity in SEVERITIES}


def open_vulnerabilities(document: dict[str, Any]) -> list[dict[str, Any]]:
    """The vulnerabilities not triaged away (`open` true)."""
    return [v for v in document.get("vulnerabilities") or [] if v.get("open", True)]


def kev_count(document: dict[str, Any]) -> int:
    """Open vulnerabilities listed in CISA's Known Exploited Vulnerabilities catalog."""
    return sum(1 for v in open_vulnerabilities(document) if v.get("kev"))


def copies_by_version(document: dict[str, Any]) -> dict[tuple[str, str | None], int]:
    """Copies of each (product, version) in the release, from the document's `copies` table."""
    copies: dict[tuple[str, str | None], int] = {}
    for product in document.get("copies") or []:
        for version in product.get("versions") or []:
            key = (str(product.get("product")), version.get("version"))
            copies[key] = int(version.get("copies") or 0)
    return copies
