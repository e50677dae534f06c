"""Hardening of two evaluation documents compared: per ELF path, the properties that got worse
or better, and the release matrix's coverage moves."""

from typing import Any

from assay.diff.keys import path_key, section
from assay.diff.model import CoverageChange, HardeningChange

ROLES = ("executables", "libraries")
RELRO_RANK = {"none": 0, "partial": 1, "full": 2}
PROPERTIES = ("nx", "pie", "relro", "canary", "fortify")


def rank(prop: str, value: Any) -> int | None:
    """How good a row's value is (higher is better); None when unknown or not comparable (a
    shared object has no PIE setting)."""
    if prop == "relro":
        return RELRO_RANK.get(str(value))
    if isinstance(value, bool):
        return int(value)
    return None


def _rows(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    rows: dict[str, dict[str, Any]] = {}
    for row in section(document, "facts", "hardening").get("files") or ():
        if not isinstance(row, dict):
            continue
        location = str(row.get("location", ""))
        key = path_key(location) or str(row.get("path", location))
        rows.setdefault(key, row)
    return rows


def hardening_changes(
    old: dict[str, Any], new: dict[str, Any]
) -> tuple[tuple[HardeningChange, ...], tuple[HardeningChange, ...]]:
    """(regressions, improvements) of each hardening property on each ELF path in both."""
    before, after = _rows(old), _rows(new)
    regressions: list[HardeningChange] = []
    improvements: list[HardeningChange] = []
    for key in sorted(before.keys() & after.keys()):
        for prop in PROPERTIES:
            was, now = before[key].get(prop), after[key].get(prop)
            was_rank, now_rank = rank(prop, was), rank(prop, now)
            if was_rank is None or now_rank is None or was_rank == now_rank:
                continue
            change = HardeningChange(key, prop, _shown(was), _shown(now))
            (regressions if now_rank < was_rank else improvements).append(change)
    return tuple(regressions), tuple(improvements)


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _matrix(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    matrix = section(document, "facts", "hardening").get("matrix") or ()
    return {str(row.get("property")): row for row in matrix if isinstance(row, dict)}


def coverage_changes(old: dict[str, Any], new: dict[str, Any]) -> tuple[CoverageChange, ...]:
    """Each matrix property and role (executables, libraries) whose percentage differs."""
    before, after = _matrix(old), _matrix(new)
    changes = []
    for prop in [*after, *(p for p in before if p not in after)]:
        for role in ROLES:
            was = _percent(before.get(prop), role)
            now = _percent(after.get(prop), role)
            if was != now:
                desirable = bool((after.get(prop) or before.get(prop) or {}).get("desirable"))
                changes.append(CoverageChange(prop, desirable, role, was, now))
    return tuple(changes)


def _percent(row: dict[str, Any] | None, role: str) -> float | None:
    cell = row.get(role) if row else None
    value = cell.get("percent") if isinstance(cell, dict) else None
    return float(value) if isinstance(value, int | float) else None
