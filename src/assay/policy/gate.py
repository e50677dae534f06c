"""The policy gate: every rule a policy sets, read against an evaluation document, with waivers
applied — the verdict CI acts on."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from assay.policy import rules, rules_facts
from assay.policy.rules import Check, Document, Item
from assay.policy.schema import Policy, Waiver

Rule = Callable[[Policy, Document], Check | None]
RULES: tuple[tuple[str, Rule], ...] = (
    ("fail_on_kev", rules.fail_on_kev),
    ("max_cvss", rules.max_cvss),
    ("max_severity", rules.max_severity),
    ("max_epss", rules.max_epss),
    ("fail_on_private_keys", rules.fail_on_private_keys),
    ("min_hardening", rules_facts.min_hardening),
    ("fail_on_eol", rules.fail_on_eol),
    ("max_unsafe_ratio", rules_facts.max_unsafe_ratio),
    ("forbidden_rules", rules.forbidden_rules),
    ("require_complete", rules_facts.require_complete),
    ("vuln_data_max_age_days", rules_facts.vuln_data_max_age_days),
)


@dataclass(frozen=True, slots=True)
class RuleResult:
    """One rule's outcome: the items that failed it and the ones a waiver excused."""

    id: str
    passed: bool
    reason: str
    failed: tuple[Item, ...] = ()
    waived: tuple[Item, ...] = ()


@dataclass(frozen=True, slots=True)
class WaiverStatus:
    """A waiver as the gate used it: `applied` (to `matched` items), `unused`, or `expired`
    (no longer applies; what it covered counts again)."""

    id: str
    reason: str
    expires: date
    status: str
    matched: int


@dataclass(frozen=True, slots=True)
class Verdict:
    """The gate's answer: passed when every rule passed."""

    policy: str
    passed: bool
    rules: tuple[RuleResult, ...]
    waivers: tuple[WaiverStatus, ...]
    date: date

    @property
    def failed_rules(self) -> tuple[RuleResult, ...]:
        """The rules that failed, in policy order."""
        return tuple(r for r in self.rules if not r.passed)


def _waiver_for(item: Item, waivers: list[Waiver]) -> Waiver | None:
    return next((w for w in waivers if w.matches(*item.keys)), None)


def _judge(rule_id: str, check: Check, active: list[Waiver], used: dict[int, int]) -> RuleResult:
    if check.unavailable is not None:
        return RuleResult(rule_id, False, f"cannot be checked: {check.unavailable}")
    failed: list[Item] = []
    waived: list[Item] = []
    for item in check.items:
        waiver = _waiver_for(item, active)
        if waiver is None:
            failed.append(item)
        else:
            waived.append(item)
            used[id(waiver)] = used.get(id(waiver), 0) + 1
    reason = check.failing.format(n=len(failed)) if failed else check.passing
    if waived:
        reason += f" ({len(waived)} waived)"
    return RuleResult(rule_id, not failed, reason, tuple(failed), tuple(waived))


def evaluate_policy(document: Document, policy: Policy, today: date | None = None) -> Verdict:
    """Judge an evaluation document (evaluation.json) against a policy on `today` (default:
    the current date, which decides which waivers have expired)."""
    today = today or date.today()
    active = [w for w in policy.waivers if w.active_on(today)]
    used: dict[int, int] = {}
    results = []
    for rule_id, rule in RULES:
        check = rule(policy, document)
        if check is not None:
            results.append(_judge(rule_id, check, active, used))
    statuses = tuple(
        WaiverStatus(
            w.id,
            w.reason,
            w.expires,
            "expired" if not w.active_on(today) else "applied" if used.get(id(w)) else "unused",
            used.get(id(w), 0),
        )
        for w in policy.waivers
    )
    passed = all(r.passed for r in results)
    return Verdict(policy.name, passed, tuple(results), statuses, today)


def _items_json(items: tuple[Item, ...]) -> list[dict[str, str]]:
    return [{"id": item.id, "detail": item.detail} for item in items]


def verdict_json(verdict: Verdict) -> dict[str, Any]:
    """The verdict as the `policy` object of evaluation.json."""
    return {
        "name": verdict.policy,
        "passed": verdict.passed,
        "date": verdict.date.isoformat(),
        "rules": [
            {
                "id": r.id,
                "passed": r.passed,
                "reason": r.reason,
                "failed": _items_json(r.failed),
                "waived": _items_json(r.waived),
            }
            for r in verdict.rules
        ],
        "waivers": [
            {
                "id": w.id,
                "reason": w.reason,
                "expires": w.expires.isoformat(),
                "status": w.status,
                "matched": w.matched,
            }
            for w in verdict.waivers
        ],
    }
