"""The report's charts, read from the evaluation document: severities, KEV and EPSS, the
hardening matrix, component copies, unsafe-call shares and — when the document carries a
`history` — the trend across releases."""

from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from assay.report.base import EvaluationDocument
from assay.report.html.charts import Bar, Series, bar_chart, column_chart, line_chart
from assay.report.html.summary import count_by_severity
from assay.report.metrics import SEVERITIES, open_vulnerabilities

MAX_COPY_BARS = 40
EPSS_BUCKETS = (0.01, 0.1, 0.5, 0.9, 1.0)


@dataclass(frozen=True, slots=True)
class Figure:
    """One chart with a note under it (what was left out, how to read it)."""

    name: str
    svg: Markup
    note: str = ""


def _severity_bars(counts: dict[str, int]) -> list[Bar]:
    return [Bar(s, counts.get(s, 0), f"{counts.get(s, 0):,}", f"sev-{s}") for s in SEVERITIES]


def severity_figures(document: EvaluationDocument) -> list[Figure]:
    """Open vulnerabilities and check findings per severity."""
    vulns = count_by_severity(open_vulnerabilities(document))
    findings = count_by_severity(list(document.get("findings") or []))
    return [
        Figure(
            "vulnerabilities-by-severity",
            column_chart(
                "vulnerabilities-by-severity",
                "Open vulnerabilities by severity",
                _severity_bars(vulns),
            ),
        ),
        Figure(
            "findings-by-severity",
            column_chart(
                "findings-by-severity", "Check findings by severity", _severity_bars(findings)
            ),
        ),
    ]


def _epss_label(low: float, high: float) -> str:
    return f"{low:g}–{high:g}"


def kev_epss_figures(document: EvaluationDocument) -> list[Figure]:
    """Open vulnerabilities in CISA KEV or not, and their EPSS scores as a histogram."""
    vulns = open_vulnerabilities(document)
    kev = sum(1 for v in vulns if v.get("kev"))
    kev_bars = [
        Bar("in CISA KEV", kev, f"{kev:,}", "kev"),
        Bar("not in KEV", len(vulns) - kev, f"{len(vulns) - kev:,}", "not-kev"),
    ]
    buckets = [0] * len(EPSS_BUCKETS)
    unscored = 0
    for vuln in vulns:
        score = (vuln.get("epss") or {}).get("score")
        if score is None:
            unscored += 1
            continue
        buckets[next(i for i, top in enumerate(EPSS_BUCKETS) if score < top or top == 1.0)] += 1
    lows = (0.0, *EPSS_BUCKETS[:-1])
    epss_bars = [
        Bar(_epss_label(low, high), count, f"{count:,}", "epss")
        for low, high, count in zip(lows, EPSS_BUCKETS, buckets, strict=True)
    ]
    epss_bars.append(Bar("no score", unscored, f"{unscored:,}", "none"))
    return [
        Figure("kev", column_chart("kev", "Open vulnerabilities in CISA KEV", kev_bars)),
        Figure(
            "epss",
            column_chart("epss", "EPSS score of open vulnerabilities", epss_bars),
            "EPSS: the probability of exploitation in the next 30 days.",
        ),
    ]


def _coverage_text(cell: dict[str, Any]) -> str:
    if cell.get("percent") is None:
        return "none of this kind"
    return f"{cell['percent']:g} % ({cell.get('have', 0)}/{cell.get('total', 0)})"


def hardening_figure(document: EvaluationDocument) -> list[Figure]:
    """Per hardening property, the share of executables and of libraries that have it."""
    matrix = ((document.get("facts") or {}).get("hardening") or {}).get("matrix") or []
    bars: list[Bar] = []
    for row in matrix:
        undesirable = "" if row.get("desirable", True) else " (undesirable)"
        for kind in ("executables", "libraries"):
            cell = row.get(kind) or {}
            if not cell.get("total"):
                continue
            label = f"{row.get('property')}{undesirable} — {kind}"
            css = "good" if row.get("desirable", True) else "bad"
            bars.append(Bar(label, float(cell.get("percent") or 0.0), _coverage_text(cell), css))
    if not bars:
        return []
    title = "Hardening: share of ELF executables and libraries with each property"
    return [Figure("hardening", bar_chart("hardening", title, bars, maximum=100.0))]


def _copies_text(copies: int, eol: bool) -> str:
    text = "1 copy" if copies == 1 else f"{copies:,} copies"
    return text + (" (end of life)" if eol else "")


def copies_figure(document: EvaluationDocument) -> list[Figure]:
    """Copies of each version of each product; products with several versions come first."""
    products = sorted(
        document.get("copies") or [],
        key=lambda p: (-len(p.get("versions") or []), -int(p.get("copies") or 0)),
    )
    bars = [
        Bar(
            f"{product.get('name') or product.get('product')} {version.get('version')}",
            float(version.get("copies") or 0),
            _copies_text(int(version.get("copies") or 0), bool(version.get("eol"))),
            "multi" if len(product.get("versions") or []) > 1 else "single",
        )
        for product in products
        for version in product.get("versions") or []
    ]
    if not bars:
        return []
    note = ""
    if len(bars) > MAX_COPY_BARS:
        note = f"Showing {MAX_COPY_BARS} of {len(bars)} versions; the components table lists all."
    title = "Component copies: versions per product"
    return [Figure("copies", bar_chart("copies", title, bars[:MAX_COPY_BARS]), note)]


def unsafe_figure(document: EvaluationDocument) -> list[Figure]:
    """Per function family, the share of calls that go to the unsafe variant."""
    families = ((document.get("facts") or {}).get("census") or {}).get("families") or []
    bars = [
        Bar(
            str(f.get("family")),
            float(f.get("percent_unsafe") or 0.0),
            f"{f.get('percent_unsafe', 0):g} % ({f.get('unsafe_calls', 0)} of "
            f"{int(f.get('unsafe_calls') or 0) + int(f.get('safe_calls') or 0)} calls)",
            "bad",
        )
        for f in families
        if f.get("percent_unsafe") is not None
    ]
    if not bars:
        return []
    title = "Unsafe calls: share per function family"
    return [Figure("unsafe", bar_chart("unsafe", title, bars, maximum=100.0))]


def trend_figures(document: EvaluationDocument) -> list[Figure]:
    """The trend across releases, only when the document carries a `history` list."""
    history = [h for h in document.get("history") or [] if isinstance(h, dict)]
    if not history:
        return []
    releases = [str(h.get("release") or h.get("date") or "?") for h in history]
    severity_series = [
        Series(s, tuple(float((h.get("by_severity") or {}).get(s, 0)) for h in history))
        for s in SEVERITIES
    ]
    counts = [
        Series(key.replace("_", " "), tuple(_number(h.get(key)) for h in history))
        for key in ("components", "open_vulnerabilities", "kev")
        if any(_number(h.get(key)) is not None for h in history)
    ]
    percent_series = [
        Series("hardening coverage", tuple(_number(h.get("hardening_coverage")) for h in history)),
        Series("unsafe-call ratio", tuple(_number(h.get("unsafe_ratio")) for h in history)),
    ]
    return [
        Figure(
            "trend-severity",
            line_chart("trend-severity", "Trend: findings by severity", releases, severity_series),
        ),
        Figure(
            "trend-counts",
            line_chart("trend-counts", "Trend: components and vulnerabilities", releases, counts),
        ),
        Figure(
            "trend-percent",
            line_chart(
                "trend-percent",
                "Trend: hardening coverage and unsafe-call ratio (%)",
                releases,
                percent_series,
                unit=" %",
            ),
        ),
    ]


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) else None


def figures(document: EvaluationDocument) -> list[Figure]:
    """Every chart the document has data for, in reading order."""
    return [
        *severity_figures(document),
        *kev_epss_figures(document),
        *hardening_figure(document),
        *copies_figure(document),
        *unsafe_figure(document),
        *trend_figures(document),
    ]
