"""`assay report`: render a saved evaluation.json as SARIF, Markdown, HTML or normalised JSON."""

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, BinaryIO

import typer

from assay.cli.baseline_option import (
    BaselineOption,
    check_comparable,
    read_baseline,
    with_baseline,
)
from assay.cli.errors import UsageError
from assay.cli.evaluation_input import read_evaluation
from assay.plugins import reporters
from assay.report.base import Reporter


class ReportFormat(StrEnum):
    """The formats `assay report` writes."""

    SARIF = "sarif"
    MARKDOWN = "markdown"
    HTML = "html"
    JSON = "json"


def reporter_named(name: str) -> Reporter:
    """The registered reporter called `name`."""
    for reporter in reporters():
        if reporter.name == name:
            return reporter
    raise UsageError(f"the {name} reporter is not available in this installation")


def render(
    document: dict[str, Any],
    fmt: ReportFormat,
    out: BinaryIO,
    baseline: dict[str, Any] | None = None,
) -> None:
    """Write the document in one format (the HTML report compared with `baseline` if given)."""
    if fmt is ReportFormat.JSON:
        text = json.dumps(document, indent=2, ensure_ascii=False)
        out.write(text.encode("utf-8") + b"\n")
        return
    with_baseline(reporter_named(fmt.value), baseline).render(document, out)


def report(
    evaluation: Annotated[
        Path, typer.Argument(help="An evaluation.json written by `assay scan`.", readable=False)
    ],
    fmt: Annotated[ReportFormat, typer.Option("-f", "--format", help="Report format.")],
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="File to write (default: stdout).")
    ] = None,
    baseline_file: BaselineOption = None,
) -> None:
    """Render a saved evaluation: SARIF 2.1.0 (code scanning), Markdown (CI logs and pull
    requests), a self-contained HTML report, or the JSON document itself.

    With --baseline OLD/evaluation.json (HTML only), the report also shows the changes since that
    release, as `assay diff` does.

    Exit codes: 0 written, 2 usage error (missing file, not an evaluation, unwritable output,
    --baseline with a format other than html)."""
    if baseline_file is not None and fmt is not ReportFormat.HTML:
        raise UsageError("--baseline only affects the HTML report: use it with -f html")
    document = read_evaluation(evaluation)
    baseline = read_baseline(baseline_file) if baseline_file is not None else None
    if baseline is not None:
        check_comparable(baseline, document, evaluation)
    if fmt is not ReportFormat.JSON:
        reporter_named(fmt.value)  # an unknown reporter fails before the output is created
    if output is None:
        render(document, fmt, sys.stdout.buffer, baseline)
        sys.stdout.flush()
        return
    try:
        with output.open("wb") as out:
            render(document, fmt, out, baseline)
    except OSError as err:
        raise UsageError(f"cannot write {output}: {err.strerror}") from err


def register(app: typer.Typer) -> None:
    """Add `assay report` to the command line."""
    app.command("report")(report)
