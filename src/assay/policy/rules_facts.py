"""Policy rules on the release as a whole: hardening coverage, unsafe-call ratios, completeness
and the age of the vulnerability data."""

from typing import Any

from assay.policy.rules import Check, Document, Item
from assay.policy.schema import TOTAL, Policy

POPULATIONS = ("executables", "libraries")


def _coverage(row: dict[str, Any]) -> tuple[int, int]:
    """(have, total) over executables and libraries together."""
    have = sum(int((row.get(p) or {}).get("have") or 0) for p in POPULATIONS)
    total = sum(int((row.get(p) or {}).get("total") or 0) for p in POPULATIONS)
    return have, total


def min_hardening(policy: Policy, document: Document) -> Check | None:
    """Each protection present in at least the given share of ELF files."""
    if policy.min_hardening is None:
        return None
    minimums = policy.min_hardening.minimums()
    hardening = (document.get("facts") or {}).get("hardening")
    if not isinstance(hardening, dict) or "matrix" not in hardening:
        return Check((), "", "", "no hardening facts in the evaluation (the check did not run)")
    rows = {row.get("property"): row for row in hardening["matrix"]}
    items = []
    for name, minimum in minimums.items():
        have, total = _coverage(rows.get(name) or {})
        if total and 100.0 * have / total < minimum:
            key = f"min_hardening.{name.replace('-', '_')}"
            percent = 100.0 * have / total
            detail = f"{name}: {percent:.1f}% ({have} of {total} ELF files), minimum {minimum:g}%"
            items.append(Item(key, detail, (key,)))
    wanted = ", ".join(f"{name} ≥ {minimum:g}%" for name, minimum in minimums.items())
    return Check(
        tuple(items),
        "{n} protections are below their minimum coverage",
        f"hardening coverage meets the minimums ({wanted})",
    )


def _ratios(families: list[dict[str, Any]]) -> dict[str, tuple[int, int]]:
    """Family (and `total`) → (unsafe calls, all calls)."""
    counts = {
        str(f.get("family")): (
            int(f.get("unsafe_calls") or 0),
            int(f.get("unsafe_calls") or 0) + int(f.get("safe_calls") or 0),
        )
        for f in families
    }
    counts[TOTAL] = (sum(u for u, _ in counts.values()), sum(a for _, a in counts.values()))
    return counts


def max_unsafe_ratio(policy: Policy, document: Document) -> Check | None:
    """The share of unsafe calls in a family (or over every family) above the limit."""
    limits = policy.max_unsafe_ratio
    if not limits:
        return None
    census = (document.get("facts") or {}).get("census")
    if not isinstance(census, dict) or "families" not in census:
        return Check((), "", "", "no unsafe-function census in the evaluation (it did not run)")
    ratios = _ratios(census["families"])
    items = []
    for family, limit in limits.items():
        unsafe, calls = ratios.get(family, (0, 0))
        if calls and 100.0 * unsafe / calls > limit:
            key = f"max_unsafe_ratio.{family}"
            percent = 100.0 * unsafe / calls
            detail = (
                f"{family}: {percent:.1f}% unsafe ({unsafe} of {calls} calls), limit {limit:g}%"
            )
            items.append(Item(key, detail, (key,)))
    lower_bound = (census.get("coverage") or {}).get("lower-bound") or 0
    caveat = f" ({lower_bound} binaries are lower bounds)" if lower_bound else ""
    return Check(
        tuple(items),
        "{n} unsafe-call ratios are above their limit" + caveat,
        "unsafe-call ratios are within their limits" + caveat,
    )


def require_complete(policy: Policy, document: Document) -> Check | None:
    """The whole release was evaluated: nothing left unpacked, no stage failed."""
    if not policy.require_complete:
        return None
    if (document.get("summary") or {}).get("complete") is True:
        return Check((), "", "the evaluation is complete")
    items = [
        Item(f"stage.{s.get('name')}", f"stage {s.get('name')}: {s.get('status')}")
        for s in document.get("stages", [])
        if s.get("status") in ("failed", "partial")
    ]
    for problem in document.get("problems", []):
        if problem.get("level") == "error":
            where = problem.get("location") or ""
            detail = f"{problem.get('kind')}: {problem.get('message')}" + (
                f" — {where}" if where else ""
            )
            items.append(Item(str(problem.get("kind")), detail))
    if not items:
        items.append(Item("summary.complete", "the evaluation says it is incomplete"))
    return Check(
        tuple(items),
        "the evaluation is incomplete: {n} problems or stages left part of it unevaluated",
        "the evaluation is complete",
    )


def vuln_data_max_age_days(policy: Policy, document: Document) -> Check | None:
    """The vulnerability data snapshot no older than the limit."""
    limit = policy.vuln_data_max_age_days
    if limit is None:
        return None
    vulndata = document.get("vulndata")
    if not isinstance(vulndata, dict) or vulndata.get("age_days") is None:
        return Check(
            (), "", "", "no vulnerability data in the evaluation (scanned with --no-vulns?)"
        )
    age, snapshot = int(vulndata["age_days"]), vulndata.get("snapshot_date")
    items: tuple[Item, ...] = ()
    if age > limit:
        key = "vuln_data_max_age_days"
        items = (Item(key, f"snapshot {snapshot} is {age} days old, limit {limit} days", (key,)),)
    return Check(
        items,
        f"the vulnerability data is {age} days old (limit {limit}); run `assay db update`",
        f"the vulnerability data is {age} days old (limit {limit})",
    )
