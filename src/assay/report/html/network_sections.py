"""The network report's content, read from a check result: the milestones of the timeline and the
tables of violations, access shares, projection and exposure (the evaluation report's Cell and
Table, so they sort and filter the same way)."""

from collections import Counter
from collections.abc import Iterable, Sequence
from urllib.parse import urlsplit

from assay.network.exposure import ExposureGroup
from assay.network.model import CheckResult, Profile, Rule, RuleKind, Share
from assay.network.projection import RuleProjection, Status
from assay.report.html.network_figures import Milestone
from assay.report.html.tables import MAX_ROWS, Cell, Row, Table

SHOWN_IDS = 5
WORST_FIRST = (Status.LATE, Status.AT_RISK, Status.COMPLIANT)


def safe_href(url: str | None) -> str | None:
    """The URL when it is http(s), else None: a profile file is user input."""
    if url and urlsplit(url).scheme in ("http", "https"):
        return url
    return None


def ids_text(ids: Iterable[str]) -> str:
    """The first ids and how many more."""
    listed = list(ids)
    shown = ", ".join(listed[:SHOWN_IDS])
    return shown + (f" … +{len(listed) - SHOWN_IDS} more" if len(listed) > SHOWN_IDS else "")


def source_cell(rule: Rule, profile: Profile) -> Cell:
    """The rule's source id and section, linked to the document (titled under Sources)."""
    source = profile.sources.get(rule.source)
    label = f"{rule.source}, {rule.section}" if rule.section else rule.source
    if source is None:
        return Cell(label)
    return Cell(label, href=safe_href(source.url))


def _table(name: str, title: str, columns: tuple[str, ...], rows: Sequence[Row]) -> Table:
    return Table(name, title, columns, list(rows[:MAX_ROWS]), len(rows))


def violations_table(result: CheckResult) -> Table:
    """One row per violation: rule, operator, network type, problem, elements, source."""
    rows = [
        (
            Cell(v.rule.id, lines=(v.rule.title,)),
            Cell(v.operator),
            Cell(v.network_type),
            Cell(v.message),
            Cell(f"{len(v.elements):,}", len(v.elements)),
            Cell(ids_text(v.elements)),
            source_cell(v.rule, result.profile),
        )
        for v in result.violations
    ]
    columns = ("rule", "operator", "network", "problem", "elements", "first ids", "source")
    return _table("violations", "Violations", columns, rows)


def _share_cell(share: Share, value: float | None) -> Cell:
    if value is None:
        return Cell("unknown", -1.0)
    over = share.max_percent is not None and value > share.max_percent
    return Cell(f"{value:.1f} %", value, css="over" if over else "")


def shares_table(shares: tuple[Share, ...]) -> Table:
    """The access share of every operator and network type by each metric, with its cap."""
    rows = [
        (
            Cell(s.operator),
            Cell(s.network_type),
            Cell(s.vendors or "—"),
            _share_cell(s, s.sites),
            _share_cell(s, s.traffic),
            _share_cell(s, s.connections),
            Cell("—" if s.max_percent is None else f"{s.max_percent:g} %", s.max_percent),
            Cell(s.rule or "—"),
        )
        for s in shares
    ]
    columns = ("operator", "network", "vendors", "sites", "traffic", "connections", "cap", "rule")
    return _table("shares", "Access shares", columns, rows)


def projection_table(projection: tuple[RuleProjection, ...]) -> Table:
    """The plan against each deadline, per rule and operator."""
    rows = [
        (
            Cell(p.deadline.isoformat()),
            Cell(p.rule.id, lines=(p.rule.title,)),
            Cell(p.operator),
            Cell(str(p.status), WORST_FIRST.index(p.status), css=f"status {p.status}"),
            Cell(f"{len(p.elements):,}", len(p.elements), lines=(ids_text(p.elements),)),
            Cell(ids_text(f"{s.element} on {s.date.isoformat()}" for s in p.late_swaps)),
        )
        for p in projection
    ]
    columns = ("deadline", "rule", "operator", "status", "elements left", "late swaps")
    return _table("projection", "Plan against each deadline", columns, rows)


def exposure_table(groups: tuple[ExposureGroup, ...]) -> Table:
    """The exposed groups, most exposed first, each with its sentence and first element ids."""
    rows = [
        (
            Cell(f"{len(g.elements):,}", len(g.elements)),
            Cell(g.operator),
            Cell(g.network_type),
            Cell(g.function),
            Cell(g.region or "—"),
            Cell(f"{g.risk.vendor} {g.risk.product} {g.risk.release}"),
            Cell(f"{len(g.risk.kev)}", len(g.risk.kev), css="kev" if g.risk.kev else ""),
            Cell(f"{len(g.risk.critical)}", len(g.risk.critical)),
            Cell(g.sentence(), lines=(ids_text(g.elements),)),
        )
        for g in groups
    ]
    columns = (
        "elements", "operator", "network", "function", "region", "release", "KEV", "critical",
        "exposure",
    )  # fmt: skip
    return _table("exposure", "Exposure", columns, rows)


def _projected(projection: tuple[RuleProjection, ...] | None) -> dict[str, Counter[Status]]:
    found: dict[str, Counter[Status]] = {}
    for outcome in projection or ():
        found.setdefault(outcome.rule.id, Counter())[outcome.status] += 1
    return found


def _status(counts: Counter[Status]) -> tuple[str, str]:
    """The worst status over the operators, and the spread when they differ."""
    present = [status for status in WORST_FIRST if counts[status]]
    spread = ", ".join(f"{counts[status]} {status}" for status in present)
    return str(present[0]), spread if len(present) > 1 else ""


def milestones(
    result: CheckResult, projection: tuple[RuleProjection, ...] | None
) -> list[Milestone]:
    """Every rule with a deadline (or an install cut-off), soonest first; its status from the
    projection (the worst over the operators, with the spread) when there is one, else
    enforced or upcoming on the check date."""
    projected = _projected(projection)
    broken = Counter(violation.rule.id for violation in result.violations)
    found = []
    for rule in result.profile.rules:
        if rule.deadline is not None:
            day, what, enforced = rule.deadline, "deadline", result.at > rule.deadline
        elif rule.kind is RuleKind.NO_NEW_INSTALLS and rule.installs_from is not None:
            day, what = rule.installs_from, "no installs from"
            enforced = result.at >= rule.installs_from
        else:
            continue
        status, spread = ("enforced" if enforced else "upcoming"), ""
        if rule.id in projected:
            status, spread = _status(projected[rule.id])
        found.append(Milestone(rule.id, rule.title, day, what, status, broken[rule.id], spread))
    return sorted(found, key=lambda m: (m.day, m.rule))


def timeline_table(result: CheckResult, entries: list[Milestone]) -> Table:
    """The milestones as a table: date, rule, status, violations on the check date, source."""
    rules = {rule.id: rule for rule in result.profile.rules}
    rows = [
        (
            Cell(m.day.isoformat(), lines=(m.what,)),
            Cell(m.rule, lines=(m.title,)),
            Cell(m.status, css=f"status {m.status}", lines=(m.spread,) if m.spread else ()),
            Cell(f"{m.violations:,}", m.violations),
            source_cell(rules[m.rule], result.profile),
        )
        for m in entries
    ]
    columns = ("date", "rule", "status", "violations", "source")
    return _table("deadlines", "Deadlines", columns, rows)
