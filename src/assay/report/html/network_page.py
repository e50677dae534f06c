"""The network check as one self-contained HTML page, with the evaluation report's look (its CSS,
script and Content-Security-Policy; nothing loads from the network): verdict, violations, the
access share per operator against the cap, the timeline of deadlines, the projection and the
exposure."""

from dataclasses import dataclass
from importlib.resources import files

from jinja2 import Environment, PackageLoader
from markupsafe import Markup

from assay import __version__
from assay.network.exposure import ExposureGroup
from assay.network.model import CheckResult
from assay.network.projection import RuleProjection, Status
from assay.report.html.network_figures import share_chart, timeline_chart
from assay.report.html.network_sections import (
    exposure_table,
    milestones,
    projection_table,
    safe_href,
    shares_table,
    timeline_table,
    violations_table,
)
from assay.report.html.reporter import content_security_policy
from assay.report.html.tables import MAX_ROWS

TEMPLATES = files("assay.report.html") / "templates"


@dataclass(frozen=True, slots=True)
class NetworkPage:
    """What the page shows: the check, and the projection and exposure when there are some."""

    result: CheckResult
    projection: tuple[RuleProjection, ...] | None = None
    exposure: tuple[ExposureGroup, ...] | None = None
    inventory: str = ""


def verdict_line(page: NetworkPage) -> str:
    """`uk-dvd-2022 on 2024-06-01: 3 violations of 2 rules; plan: 1 deadline late`."""
    result = page.result
    count = len(result.violations)
    rules = len({violation.rule.id for violation in result.violations})
    line = f"{result.profile.id} on {result.at.isoformat()}: "
    line += "compliant" if not count else f"{count} violation(s) of {rules} rule(s)"
    if page.projection is not None:
        behind = [p.status for p in page.projection if p.status is not Status.COMPLIANT]
        late = behind.count(Status.LATE)
        at_risk = len(behind) - late
        plan = "every deadline met" if not behind else f"{at_risk} at risk, {late} late"
        line += f"; plan: {plan}"
    if page.exposure is not None:
        exposed = sum(len(group.elements) for group in page.exposure)
        line += f"; {exposed:,} element(s) exposed"
    return line


def _clean(page: NetworkPage) -> bool:
    behind = any(p.status is not Status.COMPLIANT for p in page.projection or ())
    return not page.result.violations and not behind


def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("assay.report.html", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_network_page(page: NetworkPage) -> str:
    """The page as text."""
    script = (TEMPLATES / "report.js").read_text(encoding="utf-8")
    style = "\n".join(
        (TEMPLATES / name).read_text(encoding="utf-8") for name in ("report.css", "network.css")
    )
    result = page.result
    entries = milestones(result, page.projection)
    sources = [
        (source, safe_href(source.url))
        for source in sorted(result.profile.sources.values(), key=lambda s: s.id)
    ]
    return (
        _environment()
        .get_template("network.html.j2")
        .render(
            page=page,
            profile=result.profile,
            version=__version__,
            verdict=verdict_line(page),
            clean=_clean(page),
            violations=violations_table(result),
            shares=shares_table(result.shares),
            share_charts=[
                share_chart(f"share-{number}", share) for number, share in enumerate(result.shares)
            ],
            timeline=timeline_chart("timeline", entries, result.at) if entries else None,
            deadlines=timeline_table(result, entries),
            projection=projection_table(page.projection) if page.projection is not None else None,
            exposure=exposure_table(page.exposure) if page.exposure is not None else None,
            sources=sources,
            max_rows=MAX_ROWS,
            csp=content_security_policy(script, style),
            script=Markup(script),
            style=Markup(style),
        )
    )
