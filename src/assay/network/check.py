"""Check an inventory against a profile on a date: every rule in force, per operator and network
type, the access shares, and the deadlines still to come."""

from collections.abc import Iterable
from datetime import date

from assay.network.cap import cap_violations, measure_cap
from assay.network.index import InventoryIndex, covers
from assay.network.model import (
    CheckResult,
    Inventory,
    Layer,
    Profile,
    Rule,
    RuleKind,
    Share,
    Violation,
)
from assay.network.rules import ELEMENT_RULES
from assay.network.shares import measure


def check(inventory: Inventory, profile: Profile, at: date) -> CheckResult:
    """Every rule of the profile in force on `at`, evaluated on the inventory."""
    index = InventoryIndex.build(inventory.elements, profile)
    return CheckResult(
        profile=profile,
        at=at,
        violations=evaluate(index, profile.rules, at),
        shares=access_shares(index, profile),
        upcoming=upcoming_rules(profile.rules, at),
    )


def enforced(rule: Rule, at: date) -> bool:
    """A rule with a deadline is enforced from the day after it; without one, always."""
    return rule.deadline is None or at > rule.deadline


def upcoming_rules(rules: Iterable[Rule], at: date) -> tuple[Rule, ...]:
    """Rules whose deadline (or install cut-off) is on or after `at`, soonest first."""
    ahead = [rule for rule in rules if (_start(rule) or date.min) >= at]
    return tuple(sorted(ahead, key=lambda rule: (_start(rule) or date.min, rule.id)))


def _start(rule: Rule) -> date | None:
    if rule.deadline is not None:
        return rule.deadline
    if rule.kind is RuleKind.NO_NEW_INSTALLS:
        return rule.installs_from
    return None


def evaluate(index: InventoryIndex, rules: Iterable[Rule], at: date) -> tuple[Violation, ...]:
    """The violations of the given rules that are enforced on `at`."""
    found: list[Violation] = []
    for rule in rules:
        if not enforced(rule, at):
            continue
        for key, members in index.groups_for(rule):
            if rule.kind is RuleKind.ACCESS_SHARE_CAP:
                measured = measure_cap(rule, index, key, members)
                if measured is not None:
                    found.extend(cap_violations(rule, key, measured))
            else:
                found.extend(ELEMENT_RULES[rule.kind](rule, index, key, members, at))
    return tuple(found)


def _default_list(profile: Profile) -> str | None:
    capped = [r for r in profile.rules if r.kind is RuleKind.ACCESS_SHARE_CAP and r.vendors]
    named = [*capped, *(r for r in profile.rules if r.vendors)]
    return named[0].vendors if named else None


def access_shares(index: InventoryIndex, profile: Profile) -> tuple[Share, ...]:
    """The share of every operator's access network of every type: against each cap rule that
    covers it, or, where none does, of the profile's first capped (or otherwise named) list."""
    caps = [rule for rule in profile.rules if rule.kind is RuleKind.ACCESS_SHARE_CAP]
    fallback = _default_list(profile)
    shares: list[Share] = []
    for key, members in sorted(index.groups.items()):
        covering = [rule for rule in caps if covers(rule, key[1])]
        for rule in covering:
            measured = measure_cap(rule, index, key, members)
            if measured is not None:
                shares.append(measured.share)
        if not covering and fallback is not None:
            found = measure(index, key, members, fallback, (Layer.ACCESS,))
            if found is not None:
                shares.append(found.share)
    return tuple(shares)
