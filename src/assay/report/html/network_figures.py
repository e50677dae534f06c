"""The network report's charts, inline SVG like the evaluation report's: each operator's access
share by sites, traffic and connections against the cap, and the timeline of a profile's
deadlines with the check date marked. ElementTree writes the markup, so every label is escaped."""

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from markupsafe import Markup

from assay.network.model import Share
from assay.report.html.charts import CHAR_WIDTH, Bar

ROW = 24
SHARE_SPAN = 360
TIMELINE_SPAN = 640
LABEL_LIMIT = 40


@dataclass(frozen=True, slots=True)
class Milestone:
    """One rule on the timeline: its date, what happens then and its status on the check date
    (enforced / upcoming, or with a plan compliant / at-risk / late)."""

    rule: str
    title: str
    day: date
    what: str
    status: str
    violations: int = 0
    spread: str = ""

    @property
    def label(self) -> str:
        """`2027-12-31 late (1 late, 1 at-risk)`: the date, the status and its spread."""
        spread = f" ({self.spread})" if self.spread else ""
        return f"{self.day.isoformat()} {self.status}{spread}"


def _svg(name: str, title: str, width: float, height: float) -> ET.Element:
    svg = ET.Element(
        "svg",
        {
            "xmlns": "http://www.w3.org/2000/svg",
            "class": "chart",
            "data-chart": name,
            "role": "img",
            "aria-label": title,
            "width": f"{width:.0f}",
            "height": f"{height:.0f}",
            "viewBox": f"0 0 {width:.0f} {height:.0f}",
        },
    )
    ET.SubElement(svg, "title").text = title
    ET.SubElement(svg, "text", {"x": "0", "y": "16", "class": "chart-title"}).text = title
    return svg


def _text(
    parent: ET.Element, x: float, y: float, text: str, css: str, anchor: str = "start"
) -> None:
    attributes = {"x": f"{x:.1f}", "y": f"{y:.1f}", "text-anchor": anchor, "class": css}
    ET.SubElement(parent, "text", attributes).text = text


def _line(parent: ET.Element, x1: float, y1: float, x2: float, y2: float, css: str) -> None:
    attributes = {"x1": f"{x1:.1f}", "y1": f"{y1:.1f}", "x2": f"{x2:.1f}", "y2": f"{y2:.1f}"}
    ET.SubElement(parent, "line", {**attributes, "class": css})


def _short(label: str) -> str:
    return label if len(label) <= LABEL_LIMIT else label[: LABEL_LIMIT - 1] + "…"


def _percent(value: float | None) -> str:
    return "unknown" if value is None else f"{value:.1f} %"


def share_bars(share: Share) -> list[Bar]:
    """Sites, traffic and connections; a bar over the cap is marked `bad`."""
    bars = []
    for metric, value in (
        ("sites", share.sites),
        ("traffic", share.traffic),
        ("connections", share.connections),
    ):
        over = value is not None and share.max_percent is not None and value > share.max_percent
        css = "none" if value is None else ("bad" if over else "mark")
        text = _percent(value) + (" over cap" if over else "")
        bars.append(Bar(metric, value or 0.0, text, css))
    return bars


def share_chart(name: str, share: Share) -> Markup:
    """The listed vendors' share of one operator's access network of one type by each metric,
    on a 0–100 % scale, with the cap as a labelled vertical line."""
    vendors = share.vendors or "listed vendors"
    title = f"{share.operator}, {share.network_type} access: share of {vendors}"
    label_width = len("connections") * CHAR_WIDTH + 12
    bars = share_bars(share)
    text_room = max(len(bar.text) for bar in bars) * (CHAR_WIDTH + 1) + 12
    width = max(label_width + SHARE_SPAN + text_room, len(title) * (CHAR_WIDTH + 1) + 10)
    top = 30
    height = top + ROW * len(bars) + 34
    svg = _svg(name, title, width, height)
    for index, bar in enumerate(bars):
        y = top + index * ROW
        bar_width = SHARE_SPAN * min(bar.value, 100.0) / 100.0
        _text(svg, label_width - 6, y + 15, bar.label, "label", "end")
        rect = ET.SubElement(
            svg,
            "rect",
            {
                "x": str(label_width),
                "y": f"{y + 3}",
                "width": f"{bar_width:.1f}",
                "height": str(ROW - 6),
                "class": f"mark {bar.css}",
            },
        )
        ET.SubElement(rect, "title").text = f"{bar.label}: {bar.text}"
        _text(svg, label_width + bar_width + 6, y + 16, bar.text, "value")
    bottom = top + ROW * len(bars)
    _line(svg, label_width, bottom, label_width + SHARE_SPAN, bottom, "axis")
    for tick in (0, 25, 50, 75, 100):
        x = label_width + SHARE_SPAN * tick / 100
        _text(svg, x, bottom + 14, f"{tick} %", "tick", "middle")
    if share.max_percent is not None:
        x = label_width + SHARE_SPAN * min(share.max_percent, 100.0) / 100.0
        _line(svg, x, top - 4, x, bottom + 2, "cap")
        _text(svg, x, bottom + 28, f"cap {share.max_percent:g} % ({share.rule})", "cap-label")
    return Markup(ET.tostring(svg, encoding="unicode"))


def _scale(days: Sequence[date]) -> tuple[date, float]:
    first, last = min(days), max(days)
    margin = timedelta(days=max(30, (last - first).days // 20))
    start, end = first - margin, last + margin
    return start, TIMELINE_SPAN / max((end - start).days, 1)


def timeline_chart(name: str, milestones: Sequence[Milestone], at: date) -> Markup:
    """Each rule's date on one time axis (a row per rule, its status printed beside the mark,
    so it reads without colour), years ticked, the check date a labelled vertical line."""
    title = f"Deadlines, checked on {at.isoformat()}"
    label_width = max((len(_short(m.rule)) for m in milestones), default=8) * CHAR_WIDTH + 12
    text_room = max((len(m.label) for m in milestones), default=20) * (CHAR_WIDTH + 1) + 16
    width = label_width + TIMELINE_SPAN + text_room
    top = 44
    height = top + ROW * max(len(milestones), 1) + 30
    svg = _svg(name, title, width, height)
    start, per_day = _scale([at, *(m.day for m in milestones)])

    def x_of(day: date) -> float:
        return label_width + (day - start).days * per_day

    bottom = top + ROW * max(len(milestones), 1)
    _line(svg, label_width, bottom, label_width + TIMELINE_SPAN, bottom, "axis")
    end_year = (start + timedelta(days=TIMELINE_SPAN / per_day)).year
    for year in range(start.year + 1, end_year + 1):
        x = x_of(date(year, 1, 1))
        _line(svg, x, top - 6, x, bottom, "grid")
        _text(svg, x, bottom + 16, str(year), "tick", "middle")
    for index, milestone in enumerate(milestones):
        y = top + index * ROW + ROW / 2
        x = x_of(milestone.day)
        _text(svg, label_width - 8, y + 4, _short(milestone.rule), "label", "end")
        mark = ET.SubElement(
            svg,
            "circle",
            {
                "cx": f"{x:.1f}",
                "cy": f"{y:.1f}",
                "r": "6",
                "class": f"milestone {milestone.status}",
            },
        )
        tip = f"{milestone.rule}: {milestone.what} {milestone.label}"
        ET.SubElement(mark, "title").text = tip
        _text(svg, x + 10, y + 4, milestone.label, "value")
    x = x_of(at)
    _line(svg, x, 24, x, bottom, "today")
    _text(svg, x, 36, f"checked {at.isoformat()}", "today-label", "middle")
    return Markup(ET.tostring(svg, encoding="unicode"))
