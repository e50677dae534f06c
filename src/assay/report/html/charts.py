"""Inline SVG charts drawn in Python: column, bar and line charts with a title and a text label
on every mark, so they read without colour (and without JavaScript). ElementTree writes the
markup, so every label is escaped."""

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup

FONT = 12
CHAR_WIDTH = 7  # average width of a 12 px sans-serif character, for layout
LABEL_LIMIT = 48  # characters of a bar label shown; the full label is the bar's tooltip


@dataclass(frozen=True, slots=True)
class Bar:
    """One mark: its label, its value and the text printed beside it (`12`, `85.7 % (6/7)`)."""

    label: str
    value: float
    text: str
    css: str = ""


@dataclass(frozen=True, slots=True)
class Series:
    """One line of a line chart: a name and a value per x position (None: no data)."""

    name: str
    values: tuple[float | None, ...]


def _svg(name: str, title: str, width: int, height: int) -> ET.Element:
    svg = ET.Element(
        "svg",
        {
            "xmlns": "http://www.w3.org/2000/svg",
            "class": "chart",
            "data-chart": name,
            "role": "img",
            "aria-label": title,
            "width": str(width),
            "height": str(height),
            "viewBox": f"0 0 {width} {height}",
        },
    )
    ET.SubElement(svg, "title").text = title
    heading = ET.SubElement(svg, "text", {"x": "0", "y": "16", "class": "chart-title"})
    heading.text = title
    return svg


def _text(
    parent: ET.Element, x: float, y: float, text: str, css: str = "", anchor: str = "start"
) -> None:
    attributes = {"x": f"{x:.1f}", "y": f"{y:.1f}", "text-anchor": anchor}
    if css:
        attributes["class"] = css
    ET.SubElement(parent, "text", attributes).text = text


def _rect(
    parent: ET.Element, x: float, y: float, width: float, height: float, css: str, tip: str
) -> None:
    attributes = {
        "x": f"{x:.1f}",
        "y": f"{y:.1f}",
        "width": f"{max(width, 0.0):.1f}",
        "height": f"{max(height, 0.0):.1f}",
        "class": f"mark {css}".strip(),
    }
    rect = ET.SubElement(parent, "rect", attributes)
    ET.SubElement(rect, "title").text = tip


def _markup(svg: ET.Element) -> Markup:
    return Markup(ET.tostring(svg, encoding="unicode"))


def _title_width(title: str) -> int:
    return len(title) * (CHAR_WIDTH + 1) + 10


def _short(label: str) -> str:
    return label if len(label) <= LABEL_LIMIT else label[: LABEL_LIMIT - 1] + "…"


def column_chart(name: str, title: str, bars: Sequence[Bar], height: int = 220) -> Markup:
    """Vertical bars, one per label, the value printed above each and the label below."""
    slot = max(56, max((len(b.label) for b in bars), default=0) * CHAR_WIDTH + 12)
    width = max(320, 40 + slot * len(bars), _title_width(title))
    svg = _svg(name, title, width, height)
    top, bottom = 40, height - 28
    peak = max((b.value for b in bars), default=0.0) or 1.0
    ET.SubElement(
        svg,
        "line",
        {"x1": "20", "x2": str(width - 10), "y1": str(bottom), "y2": str(bottom), "class": "axis"},
    )
    for index, bar in enumerate(bars):
        x = 30 + index * slot
        bar_height = (bottom - top) * bar.value / peak
        _rect(
            svg, x, bottom - bar_height, slot - 16, bar_height, bar.css, f"{bar.label}: {bar.text}"
        )
        centre = x + (slot - 16) / 2
        _text(svg, centre, bottom - bar_height - 4, bar.text, "value", "middle")
        _text(svg, centre, bottom + 16, bar.label, "label", "middle")
    return _markup(svg)


def bar_chart(
    name: str, title: str, bars: Sequence[Bar], maximum: float | None = None, width: int = 640
) -> Markup:
    """Horizontal bars, label on the left and the text at the end of each bar; `maximum` fixes
    the scale (100 for percentages)."""
    row = 22
    label_width = min(LABEL_LIMIT, max((len(b.label) for b in bars), default=4)) * CHAR_WIDTH + 10
    height = 34 + row * max(len(bars), 1)
    peak = maximum or max((b.value for b in bars), default=0.0) or 1.0
    text_room = max((len(b.text) for b in bars), default=4) * (CHAR_WIDTH + 1) + 12
    span = max(width - label_width - text_room, 120)
    width = max(label_width + span + text_room, _title_width(title))
    svg = _svg(name, title, width, height)
    for index, bar in enumerate(bars):
        y = 28 + index * row
        bar_width = span * min(bar.value, peak) / peak
        _text(svg, label_width - 6, y + 14, _short(bar.label), "label", "end")
        _rect(svg, label_width, y + 3, bar_width, row - 6, bar.css, f"{bar.label}: {bar.text}")
        _text(svg, label_width + bar_width + 6, y + 15, bar.text, "value")
    return _markup(svg)


def line_chart(
    name: str, title: str, x_labels: Sequence[str], series: Sequence[Series], unit: str = ""
) -> Markup:
    """One line per series across the x positions, each point labelled with its value and each
    line named at its end (lines are told apart by dash pattern, not only colour)."""
    slot = max(80, max((len(x) for x in x_labels), default=0) * CHAR_WIDTH + 10)
    name_width = max((len(s.name) for s in series), default=0) * CHAR_WIDTH + 16
    width = max(60 + slot * max(len(x_labels), 1) + name_width, _title_width(title))
    height = 260
    svg = _svg(name, title, width, height)
    top, bottom = 40, height - 30
    peak = max((v for s in series for v in s.values if v is not None), default=0.0) or 1.0
    ET.SubElement(
        svg,
        "line",
        {
            "x1": "30",
            "x2": str(width - name_width),
            "y1": str(bottom),
            "y2": str(bottom),
            "class": "axis",
        },
    )
    for index, label in enumerate(x_labels):
        _text(svg, 50 + index * slot, bottom + 18, label, "label", "middle")
    for number, line in enumerate(series):
        points = [
            (50 + index * slot, bottom - (bottom - top) * value / peak, value)
            for index, value in enumerate(line.values)
            if value is not None
        ]
        if not points:
            continue
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _ in points)
        polyline = ET.SubElement(
            svg, "polyline", {"points": path, "class": f"line line-{number % 6}"}
        )
        ET.SubElement(polyline, "title").text = line.name
        for x, y, value in points:
            ET.SubElement(
                svg,
                "circle",
                {"cx": f"{x:.1f}", "cy": f"{y:.1f}", "r": "3", "class": f"point line-{number % 6}"},
            )
            _text(svg, x, y - 6, f"{value:g}{unit}", "value", "middle")
        last_x, last_y, _ = points[-1]
        _text(svg, last_x + 10, last_y + 4, line.name, "label")
    return _markup(svg)


@dataclass(frozen=True, slots=True)
class Group:
    """A cluster of columns under one label (a severity with its fixed, new and open bars)."""

    label: str
    bars: tuple[Bar, ...]


def grouped_column_chart(
    name: str, title: str, groups: Sequence[Group], height: int = 240
) -> Markup:
    """Clusters of vertical bars: each bar's value above it and its own label below it, the
    group's label under the cluster (bars are told apart by their labels, not only colour)."""
    labels = [bar.label for group in groups for bar in group.bars]
    column = max(36, max((len(label) for label in labels), default=0) * CHAR_WIDTH + 8)
    gap = 24
    width = 40 + sum(len(g.bars) * column + gap for g in groups)
    width = max(320, width, _title_width(title))
    svg = _svg(name, title, width, height)
    top, bottom = 40, height - 44
    peak = max((bar.value for bar in groups_bars(groups)), default=0.0) or 1.0
    ET.SubElement(
        svg,
        "line",
        {"x1": "20", "x2": str(width - 10), "y1": str(bottom), "y2": str(bottom), "class": "axis"},
    )
    x = 30.0
    for group in groups:
        start = x
        for bar in group.bars:
            bar_height = (bottom - top) * bar.value / peak
            tip = f"{group.label}, {bar.label}: {bar.text}"
            _rect(svg, x, bottom - bar_height, column - 6, bar_height, bar.css, tip)
            centre = x + (column - 6) / 2
            _text(svg, centre, bottom - bar_height - 4, bar.text, "value", "middle")
            _text(svg, centre, bottom + 14, bar.label, "label", "middle")
            x += column
        _text(svg, (start + x - 6) / 2, bottom + 32, group.label, "group", "middle")
        x += gap
    return _markup(svg)


def groups_bars(groups: Sequence[Group]) -> list[Bar]:
    """Every bar of every group."""
    return [bar for group in groups for bar in group.bars]
