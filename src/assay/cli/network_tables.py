"""The tables of `assay network check`: violations, access shares, deadlines and projection."""

from collections.abc import Sequence

from rich.console import Console, RenderableType
from rich.markup import escape
from rich.table import Table

from assay.network.model import CheckResult, Profile, Rule, Share
from assay.network.projection import RuleProjection, Status

SHOWN_IDS = 5
STATUS_STYLE = {Status.COMPLIANT: "green", Status.AT_RISK: "yellow", Status.LATE: "red"}


def _ids(ids: tuple[str, ...]) -> str:
    shown = ", ".join(ids[:SHOWN_IDS])
    more = f" … +{len(ids) - SHOWN_IDS} more" if len(ids) > SHOWN_IDS else ""
    return f"{len(ids)}: {shown}{more}" if ids else "—"


def _source(rule: Rule) -> str:
    return f"{rule.source}, {rule.section}" if rule.section else rule.source


def _cited(rules: list[Rule], profile: Profile) -> list[str]:
    lines: list[str] = []
    for source_id in dict.fromkeys(rule.source for rule in rules):
        source = profile.sources.get(source_id)
        if source is not None:
            lines.append(f"[{source_id}] {source.title} ({source.publisher}, {source.published})")
            lines.append(f"    {source.url}")
    return lines


def _percent(value: float | None) -> str:
    return "unknown" if value is None else f"{value:.1f} %"


def _violations_table(result: CheckResult) -> Table:
    table = Table(title=f"Violations of {result.profile.id} on {result.at}")
    for column in ("rule", "operator", "network", "problem", "elements", "source"):
        table.add_column(column, overflow="fold")
    for violation in result.violations:
        table.add_row(
            escape(violation.rule.id),
            escape(violation.operator),
            escape(violation.network_type),
            escape(violation.message),
            escape(_ids(violation.elements)),
            escape(_source(violation.rule)),
        )
    return table


def _over(share: Share, value: float | None) -> str:
    text = _percent(value)
    if value is not None and share.max_percent is not None and value > share.max_percent:
        return f"[red]{text}[/]"
    return text


def _shares_table(shares: tuple[Share, ...]) -> Table:
    table = Table(title="Access share of listed vendors")
    for column in ("operator", "network", "vendors", "sites", "traffic", "connections", "cap"):
        table.add_column(column)
    for share in shares:
        cap = "—" if share.max_percent is None else f"{share.max_percent:g} % ({share.rule})"
        table.add_row(
            escape(share.operator),
            escape(share.network_type),
            escape(share.vendors or "all"),
            _over(share, share.sites),
            _over(share, share.traffic),
            _over(share, share.connections),
            escape(cap),
        )
    return table


def _upcoming_table(result: CheckResult) -> Table:
    table = Table(title="Deadlines to come")
    for column in ("date", "rule", "title", "source"):
        table.add_column(column, overflow="fold")
    for rule in result.upcoming:
        when = rule.deadline or rule.installs_from
        label = str(when) if rule.deadline else f"installs from {when}"
        table.add_row(label, escape(rule.id), escape(rule.title), escape(_source(rule)))
    return table


def _projection_table(projection: tuple[RuleProjection, ...]) -> Table:
    table = Table(title="Plan against each deadline")
    for column in ("deadline", "rule", "operator", "status", "elements left", "late swaps"):
        table.add_column(column, overflow="fold")
    for outcome in projection:
        style = STATUS_STYLE[outcome.status]
        late = tuple(f"{swap.element} on {swap.date}" for swap in outcome.late_swaps)
        table.add_row(
            str(outcome.deadline),
            escape(outcome.rule.id),
            escape(outcome.operator),
            f"[{style}]{outcome.status}[/]",
            escape(_ids(outcome.elements)),
            escape(_ids(late)),
        )
    return table


def print_check(
    console: Console,
    result: CheckResult,
    projection: tuple[RuleProjection, ...] | None,
    extra: Sequence[RenderableType] = (),
) -> None:
    """Every table of the check, then `extra` (the exposure); the verdict line last."""
    if result.violations:
        console.print(_violations_table(result))
    if result.shares:
        console.print(_shares_table(result.shares))
    if result.upcoming:
        console.print(_upcoming_table(result))
    if projection:
        console.print(_projection_table(projection))
    for renderable in extra:
        console.print(renderable)
    cited = [v.rule for v in result.violations] + list(result.upcoming)
    for line in _cited(cited, result.profile):
        console.print(escape(line), highlight=False, soft_wrap=True)
    count = len(result.violations)
    verdict = "[green]compliant[/]" if not count else f"[red]{count} violation(s)[/]"
    console.print(
        f"{escape(result.profile.id)} on {result.at}: {verdict}", highlight=False, soft_wrap=True
    )
