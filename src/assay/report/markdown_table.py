"""GitHub-flavoured Markdown tables: cells that cannot break the table, rows capped with a note."""

from collections.abc import Sequence
from typing import Any

DEFAULT_LIMIT = 20
CELL_ESCAPES = str.maketrans({"|": "\\|", "<": "&lt;", ">": "&gt;", "\r": " ", "\n": " "})


def cell(value: Any) -> str:
    """Text safe inside a table cell: `|` escaped, no line breaks, no raw HTML."""
    if value is None:
        return "—"
    return str(value).translate(CELL_ESCAPES)


def code(value: Any) -> str:
    """A cell value as inline code (paths, ids), with backticks that cannot close it early."""
    text = cell(value)
    fence = "``" if "`" in text else "`"
    pad = " " if "`" in text else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def percent(value: Any) -> str:
    """`85.7 %`, or an em dash when there is nothing to count."""
    return "—" if value is None else f"{float(value):.1f} %"


def table(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    limit: int = DEFAULT_LIMIT,
    align: str = "",
) -> list[str]:
    """A table of at most `limit` rows; the rest is counted in a line below it. `align` holds
    one letter per column: `r` right-aligns (numbers), anything else left-aligns."""
    marks = ["--:" if align[i : i + 1] == "r" else "---" for i in range(len(headers))]
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join(marks) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows[:limit]]
    if len(rows) > limit:
        lines += ["", f"… {len(rows) - limit} more in evaluation.json"]
    return lines
