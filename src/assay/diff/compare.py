"""Two evaluation documents (the `evaluation.json` format) → a ReleaseDiff, by stable keys:
components by product, vulnerabilities by CVE and product, findings by id, files and hardening
rows by in-release path."""

from functools import cmp_to_key
from typing import Any

from assay.diff.files import file_counts, silent_changes
from assay.diff.hardening import coverage_changes, hardening_changes
from assay.diff.keys import check_evaluation, items, path_key, section, text
from assay.diff.model import (
    ComponentChange,
    FindingChange,
    ReleaseDiff,
    ReleaseRef,
    VulnChange,
)
from assay.vuln.versions import Scheme, compare, scheme_for_product

SECRET_RULES = ("secret.", "cert.", "password.", "credential.")
SERVICE_RULES = ("config.service.", "config.debug.")
SETUID_RULES = ("config.permissions.setuid", "elf.setuid")
SEVERITY_ORDER = ("critical", "high", "medium", "low", "info")


def compare_evaluations(old: dict[str, Any], new: dict[str, Any]) -> ReleaseDiff:
    """What changed from the `old` evaluation document to the `new` one."""
    old = check_evaluation(old, "old")
    new = check_evaluation(new, "new")
    fixed, opened, still = vulnerability_changes(old, new)
    regressions, improvements = hardening_changes(old, new)
    found_new, found_removed = finding_changes(old, new)
    return ReleaseDiff(
        old=release_ref(old),
        new=release_ref(new),
        components=component_changes(old, new),
        vulns_fixed=fixed,
        vulns_new=opened,
        vulns_open=still,
        hardening_regressions=regressions,
        hardening_improvements=improvements,
        coverage=coverage_changes(old, new),
        findings_new=found_new,
        findings_removed=found_removed,
        silent_changes=silent_changes(old, new),
        files=file_counts(old, new),
    )


def release_ref(document: dict[str, Any]) -> ReleaseRef:
    """The label (version, else name), id and hash of a document's release."""
    release = section(document, "release")
    label = release.get("version") or release.get("name") or "?"
    return ReleaseRef(
        label=str(label),
        release_id=str(release.get("id", "")),
        sha256=str(release.get("sha256", "")),
        complete=bool(section(document, "summary").get("complete", True)),
    )


def component_changes(old: dict[str, Any], new: dict[str, Any]) -> tuple[ComponentChange, ...]:
    """Per product, its version set on each side, when the sets differ."""
    before, after = _versions_by_product(old), _versions_by_product(new)
    names = {**{p: n for p, (n, _) in before.items()}, **{p: n for p, (n, _) in after.items()}}
    changes = []
    for product in sorted(before.keys() | after.keys()):
        was = before.get(product, ("", set()))[1]
        now = after.get(product, ("", set()))[1]
        if was == now:
            continue
        scheme = scheme_for_product(product)
        changes.append(
            ComponentChange(
                product=product,
                name=names[product],
                change=_direction(was, now, scheme),
                old_versions=_ordered(was, scheme),
                new_versions=_ordered(now, scheme),
            )
        )
    return tuple(changes)


def _versions_by_product(document: dict[str, Any]) -> dict[str, tuple[str, set[str]]]:
    found: dict[str, tuple[str, set[str]]] = {}
    for component in items(document, "components"):
        product = text(component, "product", "component")
        name = str(component.get("name") or product)
        found.setdefault(product, (name, set()))[1].add(str(component.get("version") or ""))
    return found


def _direction(was: set[str], now: set[str], scheme: Scheme) -> str:
    if not was:
        return "added"
    if not now:
        return "removed"
    gone, came = was - now, now - was
    if not gone or not came:
        return "changed"
    orders = {compare(a, b, scheme) for a in came for b in gone}
    if orders == {1}:
        return "upgraded"
    if orders == {-1}:
        return "downgraded"
    return "changed"


def _ordered(versions: set[str], scheme: Scheme) -> tuple[str, ...]:
    def order(a: str, b: str) -> int:
        result = compare(a, b, scheme)
        return result if result is not None else (a > b) - (a < b)

    return tuple(sorted(sorted(versions), key=cmp_to_key(order)))


VulnKey = tuple[str, str]


def vulnerability_changes(
    old: dict[str, Any], new: dict[str, Any]
) -> tuple[tuple[VulnChange, ...], tuple[VulnChange, ...], tuple[VulnChange, ...]]:
    """Open vulnerabilities by (CVE, product): fixed (open only in old), new (open only in new)
    and still open. A CVE triaged not_affected or fixed is not open."""
    before, after = _open_vulns(old), _open_vulns(new)

    def change(key: VulnKey) -> VulnChange:
        was, now = before.get(key), after.get(key)
        latest = now or was
        assert latest is not None
        return VulnChange(
            cve=key[0],
            product=key[1],
            severity=latest[0],
            kev=latest[1],
            old_versions=tuple(sorted(was[2])) if was else (),
            new_versions=tuple(sorted(now[2])) if now else (),
        )

    def ranked(keys: set[VulnKey]) -> tuple[VulnChange, ...]:
        return tuple(sorted((change(k) for k in keys), key=_vuln_order))

    return (
        ranked(before.keys() - after.keys()),
        ranked(after.keys() - before.keys()),
        ranked(before.keys() & after.keys()),
    )


def _open_vulns(document: dict[str, Any]) -> dict[VulnKey, tuple[str, bool, set[str]]]:
    found: dict[VulnKey, tuple[str, bool, set[str]]] = {}
    for vuln in items(document, "vulnerabilities"):
        if vuln.get("open") is False:
            continue
        key = (text(vuln, "cve", "vulnerability"), text(vuln, "product", "vulnerability"))
        severity, kev, versions = found.get(key, ("info", False, set()))
        severity = min(severity, str(vuln.get("severity", "medium")), key=_severity_rank)
        versions.add(str(vuln.get("version", "")))
        found[key] = (severity, kev or bool(vuln.get("kev")), versions)
    return found


def _severity_rank(severity: str) -> int:
    return SEVERITY_ORDER.index(severity) if severity in SEVERITY_ORDER else len(SEVERITY_ORDER)


def _vuln_order(change: VulnChange) -> tuple[bool, int, str, str]:
    return (not change.kev, _severity_rank(change.severity), change.product, change.cve)


def finding_changes(
    old: dict[str, Any], new: dict[str, Any]
) -> tuple[tuple[FindingChange, ...], tuple[FindingChange, ...]]:
    """Findings by stable id: those only in new, those only in old."""
    before, after = _findings(old), _findings(new)
    return (
        tuple(after[i] for i in sorted(after.keys() - before.keys())),
        tuple(before[i] for i in sorted(before.keys() - after.keys())),
    )


def _findings(document: dict[str, Any]) -> dict[str, FindingChange]:
    found = {}
    for finding in items(document, "findings"):
        rule = text(finding, "rule", "finding")
        evidence = finding.get("evidence") or [{}]
        location = str(evidence[0].get("location", "")) if isinstance(evidence[0], dict) else ""
        change = FindingChange(
            id=text(finding, "id", "finding"),
            rule=rule,
            group=finding_group(rule, str(finding.get("category", ""))),
            severity=str(finding.get("severity", "")),
            title=str(finding.get("title", "")),
            path=path_key(location) or location,
        )
        found[change.id] = change
    return found


def finding_group(rule: str, category: str) -> str:
    """`secret`, `service`, `setuid` or `other`: the groups the release comparison reports."""
    if category == "secret" or rule.startswith(SECRET_RULES):
        return "secret"
    if rule.startswith(SERVICE_RULES):
        return "service"
    if rule.startswith(SETUID_RULES):
        return "setuid"
    return "other"
