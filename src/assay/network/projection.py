"""Projection of a plan of swaps against each deadline of a profile: compliant, at risk (with
the elements still violating) or late, per rule and operator."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from assay.network.check import evaluate
from assay.network.index import InventoryIndex, covers
from assay.network.model import Inventory, Profile, Rule, Violation
from assay.network.plan import Swap, apply_swaps

ONE_DAY = timedelta(days=1)


class Status(StrEnum):
    """Where an operator stands against one deadline once the plan is done."""

    COMPLIANT = "compliant"
    AT_RISK = "at-risk"
    LATE = "late"


@dataclass(frozen=True, slots=True)
class RuleProjection:
    """One rule's deadline for one operator: the status, the elements still violating on the
    day after the deadline, and the planned swaps of those elements dated after it."""

    rule: Rule
    operator: str
    deadline: date
    status: Status
    elements: tuple[str, ...]
    late_swaps: tuple[Swap, ...]


@dataclass(slots=True)
class _Scenarios:
    """The inventory after the swaps up to a date, indexed once per date."""

    inventory: Inventory
    profile: Profile
    swaps: tuple[Swap, ...]
    _cache: dict[date, InventoryIndex]

    def by(self, day: date) -> InventoryIndex:
        index = self._cache.get(day)
        if index is None:
            done = tuple(swap for swap in self.swaps if swap.date <= day)
            index = InventoryIndex.build(apply_swaps(self.inventory.elements, done), self.profile)
            self._cache[day] = index
        return index


def _by_operator(violations: tuple[Violation, ...]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = defaultdict(list)
    for violation in violations:
        grouped[violation.operator].extend(violation.elements)
    return grouped


def _operators(inventory: Inventory, rule: Rule) -> list[str]:
    return sorted({e.operator for e in inventory.elements if covers(rule, e.network_type)})


def _project_rule(rule: Rule, deadline: date, at: date, plans: _Scenarios) -> list[RuleProjection]:
    passed = deadline < at
    cutoff = at if passed else deadline
    day = at if passed else deadline + ONE_DAY
    left = _by_operator(evaluate(plans.by(cutoff), [rule], day))
    horizon = max([day, *(swap.date for swap in plans.swaps)])
    still = _by_operator(evaluate(plans.by(horizon), [rule], horizon))
    found: list[RuleProjection] = []
    for operator in _operators(plans.inventory, rule):
        elements = tuple(dict.fromkeys(left.get(operator, [])))
        late_swaps = tuple(s for s in plans.swaps if s.date > cutoff and s.element in elements)
        if not elements:
            status = Status.COMPLIANT
        elif passed or operator not in still:
            status = Status.LATE
        else:
            status = Status.AT_RISK
        found.append(RuleProjection(rule, operator, deadline, status, elements, late_swaps))
    return found


def project(
    inventory: Inventory, profile: Profile, swaps: tuple[Swap, ...], at: date
) -> tuple[RuleProjection, ...]:
    """Every rule with a deadline, per operator: on or after `at`, the rule re-checked on the day
    after its deadline with the swaps dated up to the deadline done; compliant, at risk when
    violations remain that no swap fixes, late when only swaps dated after the deadline fix
    them. A deadline before `at` is late when violations remain on `at` (swaps up to `at`
    done), else compliant."""
    plans = _Scenarios(inventory, profile, swaps, {})
    found: list[RuleProjection] = []
    for rule in sorted(profile.rules, key=lambda rule: (rule.deadline or date.min, rule.id)):
        if rule.deadline is not None:
            found.extend(_project_rule(rule, rule.deadline, at, plans))
    return tuple(found)
