"""The JSON document of a network check: violations with every element id, shares, upcoming
deadlines and, with a plan, the projection."""

from typing import Any

from assay.network.model import CheckResult, Profile, Rule, Share, Violation
from assay.network.plan import Swap
from assay.network.projection import RuleProjection


def rule_json(rule: Rule, profile: Profile) -> dict[str, Any]:
    """A rule with its source cited in full."""
    source = profile.sources.get(rule.source)
    return {
        "id": rule.id,
        "kind": str(rule.kind),
        "title": rule.title,
        "vendors": rule.vendors,
        "network_types": list(rule.network_types),
        "deadline": rule.deadline.isoformat() if rule.deadline else None,
        "installs_from": rule.installs_from.isoformat() if rule.installs_from else None,
        "max_percent": rule.max_percent,
        "metrics": [str(metric) for metric in rule.metrics],
        "source": {
            "id": rule.source,
            "title": source.title if source else None,
            "publisher": source.publisher if source else None,
            "url": source.url if source else None,
            "section": rule.section,
        },
    }


def share_json(share: Share) -> dict[str, Any]:
    """One access share, percentages by each metric (null: unknown)."""
    return {
        "operator": share.operator,
        "network_type": share.network_type,
        "vendors": share.vendors,
        "rule": share.rule,
        "max_percent": share.max_percent,
        "sites": share.sites,
        "traffic": share.traffic,
        "connections": share.connections,
    }


def violation_json(violation: Violation, profile: Profile) -> dict[str, Any]:
    """One violation with every element id."""
    return {
        "rule": rule_json(violation.rule, profile),
        "operator": violation.operator,
        "network_type": violation.network_type,
        "message": violation.message,
        "element_count": len(violation.elements),
        "elements": list(violation.elements),
        "share": share_json(violation.share) if violation.share else None,
    }


def swap_json(swap: Swap) -> dict[str, Any]:
    """One planned swap and where it is in the plan."""
    return {
        "element": swap.element,
        "date": swap.date.isoformat(),
        "vendor": swap.vendor,
        "release": swap.release,
        "product": swap.product,
        "remove": swap.remove,
        "origin": str(swap.origin),
    }


def projection_json(outcome: RuleProjection, profile: Profile) -> dict[str, Any]:
    """One rule's deadline for one operator."""
    return {
        "rule": rule_json(outcome.rule, profile),
        "operator": outcome.operator,
        "deadline": outcome.deadline.isoformat(),
        "status": str(outcome.status),
        "elements": list(outcome.elements),
        "late_swaps": [swap_json(swap) for swap in outcome.late_swaps],
    }


def check_json(
    result: CheckResult, projection: tuple[RuleProjection, ...] | None = None
) -> dict[str, Any]:
    """The whole result of `assay network check`."""
    profile = result.profile
    return {
        "profile": {"id": profile.id, "title": profile.title, "origin": profile.origin},
        "at": result.at.isoformat(),
        "compliant": not result.violations,
        "violations": [violation_json(v, profile) for v in result.violations],
        "shares": [share_json(share) for share in result.shares],
        "upcoming": [rule_json(rule, profile) for rule in result.upcoming],
        "projection": (
            None if projection is None else [projection_json(p, profile) for p in projection]
        ),
    }
