"""`--baseline OLD_EVALUATION.json` (`assay scan`, `assay report -f html`): the older release
whose evaluation the HTML report compares with, in a "Changes since <old release>" section."""

from pathlib import Path
from typing import Annotated, Any

import typer

from assay.cli.errors import UsageError
from assay.cli.evaluation_input import read_evaluation
from assay.diff import compare_evaluations
from assay.diff.keys import DiffInputError
from assay.report.base import Reporter
from assay.report.html.reporter import HtmlReporter

BaselineOption = Annotated[
    Path | None,
    typer.Option(
        "--baseline",
        help="The evaluation.json of an older release: report.html gets a 'Changes since' "
        "section comparing with it (other outputs are unchanged).",
        readable=False,
    ),
]


def check_comparable(old: dict[str, Any], new: dict[str, Any], name: Path) -> None:
    """A usage error naming `name` unless the release comparison can read both documents."""
    try:
        compare_evaluations(old, new)
    except DiffInputError as err:
        raise UsageError(f"{name}: {err}") from err


def read_baseline(path: Path) -> dict[str, Any]:
    """The baseline evaluation document in `path`; anything else is a one-line usage error."""
    document = read_evaluation(path)
    check_comparable(document, document, path)
    return document


def with_baseline(reporter: Reporter, baseline: dict[str, Any] | None) -> Reporter:
    """The HTML reporter comparing with `baseline`; any other reporter as it is."""
    if baseline is not None and isinstance(reporter, HtmlReporter):
        return HtmlReporter(baseline=baseline)
    return reporter
