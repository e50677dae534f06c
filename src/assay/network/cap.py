"""The access-share cap: a vendor list's share of an access network held against a maximum."""

from dataclasses import replace

from assay.network.index import GroupKey, InventoryIndex, access_layers
from assay.network.model import Element, Metric, Rule, Violation
from assay.network.shares import Measurement, measure

METRIC_DATA = {Metric.TRAFFIC: "traffic share", Metric.CONNECTIONS: "connections"}


def counted_metrics(rule: Rule) -> tuple[Metric, ...]:
    """The metrics a cap rule counts; none named: all three."""
    return rule.metrics or tuple(Metric)


def measure_cap(
    rule: Rule, index: InventoryIndex, key: GroupKey, members: list[Element]
) -> Measurement | None:
    """The rule's vendor list's share of the group's access layers, tagged with the rule."""
    found = measure(index, key, members, rule.vendors, access_layers(rule))
    if found is None:
        return None
    share = replace(found.share, rule=rule.id, max_percent=rule.max_percent)
    return replace(found, share=share)


def _unmeasurable(rule: Rule, key: GroupKey, found: Measurement, metric: Metric) -> Violation:
    missing = found.missing.get(metric, ())
    if missing:
        why = f"{len(missing)} access element(s) have no {METRIC_DATA[metric]}"
    else:
        why = f"no access element reports any {METRIC_DATA.get(metric, str(metric))}"
    return Violation(
        rule=rule,
        operator=key[0],
        network_type=key[1],
        elements=missing,
        message=f"share by {metric} cannot be measured: {why}",
        share=found.share,
    )


def cap_violations(rule: Rule, key: GroupKey, found: Measurement) -> list[Violation]:
    """Over the cap by a counted metric (strictly greater), or a counted metric unknown."""
    cap = rule.max_percent if rule.max_percent is not None else 100.0
    over: list[str] = []
    violations: list[Violation] = []
    for metric in counted_metrics(rule):
        percent = found.percent(metric)
        if percent is None:
            violations.append(_unmeasurable(rule, key, found, metric))
        elif percent > cap:
            over.append(f"{metric} {percent:.1f} %")
    if over:
        message = f"share of {rule.vendors or 'listed vendors'} over {cap:g} %: {', '.join(over)}"
        violations.insert(
            0,
            Violation(
                rule=rule,
                operator=key[0],
                network_type=key[1],
                elements=found.listed,
                message=message,
                share=found.share,
            ),
        )
    return violations
