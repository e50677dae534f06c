"""The element rules of a profile evaluated on one operator's network of one type: excluded
functions and sites, no new installs, removal and single-vendor dependency."""

from collections import defaultdict
from collections.abc import Callable
from datetime import date

from assay.network.index import GroupKey, InventoryIndex, scope_of
from assay.network.model import Element, Rule, RuleKind, SiteClass, Violation
from assay.network.vendors import vendor_words

Evaluator = Callable[[Rule, InventoryIndex, GroupKey, list[Element], date], list[Violation]]


def _violation(rule: Rule, key: GroupKey, elements: list[Element], message: str) -> Violation:
    return Violation(
        rule=rule,
        operator=key[0],
        network_type=key[1],
        elements=tuple(element.id for element in elements),
        message=message,
    )


def _listed_in_scope(rule: Rule, index: InventoryIndex, members: list[Element]) -> list[Element]:
    in_scope = scope_of(rule)
    return [e for e in members if in_scope(e) and index.listed(e.vendor, rule.vendors)]


def _vendors_named(rule: Rule) -> str:
    return f"vendors on list '{rule.vendors}'" if rule.vendors else "any vendor"


def excluded_function(
    rule: Rule, index: InventoryIndex, key: GroupKey, members: list[Element], at: date
) -> list[Violation]:
    """Listed vendors running a function or layer the rule excludes them from."""
    found = _listed_in_scope(rule, index, members)
    if not found:
        return []
    named = sorted({f"{e.function} ({e.layer})" for e in found})
    message = f"{len(found)} element(s) of {_vendors_named(rule)} run {', '.join(named)}"
    return [_violation(rule, key, found, message)]


def excluded_site(
    rule: Rule, index: InventoryIndex, key: GroupKey, members: list[Element], at: date
) -> list[Violation]:
    """Listed vendors at sites of the excluded classes (none named: every sensitive class)."""
    classes = set(rule.site_classes) or set(SiteClass) - {SiteClass.NONE}
    found = [e for e in members if e.site_class in classes and index.listed(e.vendor, rule.vendors)]
    if not found:
        return []
    sites = sorted({f"{e.site} ({e.site_class})" for e in found})
    message = (
        f"{len(found)} element(s) of {_vendors_named(rule)} at sensitive sites: {', '.join(sites)}"
    )
    return [_violation(rule, key, found, message)]


def no_new_installs(
    rule: Rule, index: InventoryIndex, key: GroupKey, members: list[Element], at: date
) -> list[Violation]:
    """Listed vendors installed on or after the cut-off (and by `at`); an unknown install date
    cannot show compliance, so it is reported as a violation of its own."""
    cutoff = rule.installs_from or date.min
    listed = _listed_in_scope(rule, index, members)
    installed = [e for e in listed if e.install_date is not None and cutoff <= e.install_date <= at]
    unknown = [e for e in listed if e.install_date is None]
    found: list[Violation] = []
    if installed:
        message = f"{len(installed)} element(s) of {_vendors_named(rule)} installed on or after "
        found.append(_violation(rule, key, installed, message + cutoff.isoformat()))
    if unknown:
        message = (
            f"cannot be determined: {len(unknown)} element(s) of {_vendors_named(rule)} have no "
            f"install date (installs from {cutoff.isoformat()} are not allowed)"
        )
        found.append(_violation(rule, key, unknown, message))
    return found


def removal(
    rule: Rule, index: InventoryIndex, key: GroupKey, members: list[Element], at: date
) -> list[Violation]:
    """Any element of the listed vendors (narrowed by functions or layers when named)."""
    found = _listed_in_scope(rule, index, members)
    if not found:
        return []
    message = f"{len(found)} element(s) of {_vendors_named(rule)} still deployed"
    return [_violation(rule, key, found, message)]


def _scope_label(rule: Rule, element: Element) -> str | None:
    if rule.scope == "region":
        return element.region
    return element.function


def single_vendor(
    rule: Rule, index: InventoryIndex, key: GroupKey, members: list[Element], at: date
) -> list[Violation]:
    """Fewer than `min_vendors` distinct vendors per function (or per region). With a vendor
    list, only the functions or regions where a listed vendor is present count. Elements with
    no region are left out of a per-region rule."""
    in_scope = scope_of(rule)
    buckets: dict[str, list[Element]] = defaultdict(list)
    for element in members:
        label = _scope_label(rule, element)
        if label is not None and in_scope(element):
            buckets[label].append(element)
    found: list[Violation] = []
    for label, bucket in sorted(buckets.items()):
        if rule.vendors and not any(index.listed(e.vendor, rule.vendors) for e in bucket):
            continue
        vendors = {vendor_words(e.vendor) for e in bucket}
        if len(vendors) < rule.min_vendors:
            names = ", ".join(sorted({e.vendor for e in bucket}))
            message = (
                f"{rule.scope or 'function'} {label}: {len(vendors)} vendor(s) ({names}), "
                f"at least {rule.min_vendors} required"
            )
            found.append(_violation(rule, key, bucket, message))
    return found


ELEMENT_RULES: dict[RuleKind, Evaluator] = {
    RuleKind.EXCLUDED_FUNCTION: excluded_function,
    RuleKind.EXCLUDED_SITE: excluded_site,
    RuleKind.NO_NEW_INSTALLS: no_new_installs,
    RuleKind.REMOVAL: removal,
    RuleKind.SINGLE_VENDOR: single_vendor,
}
