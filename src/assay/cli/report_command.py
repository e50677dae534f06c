"""`assay report`: render a saved evaluation.json as SARIF, Markdown, HTML or normalised JSON."""

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, BinaryIO

import typer

from assay.cli.errors import UsageError
from assay.plugins import reporters
from assay.report.base import Reporter

EVALUATION_SCHEMA = "https://assay.dev/schemas/evaluation"
SUPPORTED_MAJOR = "1"
REQUIRED_FIELDS = ("schema_version", "tool", "release", "summary", "findings", "vulnerabilities")


class ReportFormat(StrEnum):
    """The formats `assay report` writes."""

    SARIF = "sarif"
    MARKDOWN = "markdown"
    HTML = "html"
    JSON = "json"


def read_evaluation(path: Path) -> dict[str, Any]:
    """The evaluation document in `path`; anything else is a usage error."""
    try:
        text = path.read_bytes()
    except FileNotFoundError as err:
        raise UsageError(f"no such file: {path}") from err
    except IsADirectoryError as err:
        raise UsageError(f"{path} is a directory; give its evaluation.json") from err
    except OSError as err:
        raise UsageError(f"cannot read {path}: {err.strerror}") from err
    try:
        document = json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise UsageError(f"{path} is not JSON: {err}") from err
    check_evaluation(document, path)
    return dict(document)


def check_evaluation(document: Any, path: Path) -> None:
    """Raise a usage error unless `document` is an assay evaluation this version can render."""
    if not isinstance(document, dict) or document.get("schema") != EVALUATION_SCHEMA:
        raise UsageError(f"{path} is not an assay evaluation.json (no schema {EVALUATION_SCHEMA})")
    missing = [name for name in REQUIRED_FIELDS if name not in document]
    if missing:
        raise UsageError(f"{path} is not a complete evaluation: missing {', '.join(missing)}")
    major = str(document["schema_version"]).split(".", 1)[0]
    if major != SUPPORTED_MAJOR:
        raise UsageError(
            f"{path} has evaluation format {document['schema_version']}; "
            f"this assay reads {SUPPORTED_MAJOR}.x"
        )


def reporter_named(name: str) -> Reporter:
    """The registered reporter called `name`."""
    for reporter in reporters():
        if reporter.name == name:
            return reporter
    raise UsageError(f"the {name} reporter is not available in this installation")


def render(document: dict[str, Any], fmt: ReportFormat, out: BinaryIO) -> None:
    """Write the document in one format."""
    if fmt is ReportFormat.JSON:
        text = json.dumps(document, indent=2, ensure_ascii=False)
        out.write(text.encode("utf-8") + b"\n")
        return
    reporter_named(fmt.value).render(document, out)


def report(
    evaluation: Annotated[
        Path, typer.Argument(help="An evaluation.json written by `assay scan`.", readable=False)
    ],
    fmt: Annotated[ReportFormat, typer.Option("-f", "--format", help="Report format.")],
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="File to write (default: stdout).")
    ] = None,
) -> None:
    """Render a saved evaluation: SARIF 2.1.0 (code scanning), Markdown (CI logs and pull
    requests), a self-contained HTML report, or the JSON document itself.

    Exit codes: 0 written, 2 usage error (missing file, not an evaluation, unwritable output)."""
    document = read_evaluation(evaluation)
    if fmt is not ReportFormat.JSON:
        reporter_named(fmt.value)  # an unknown reporter fails before the output is created
    if output is None:
        render(document, fmt, sys.stdout.buffer)
        sys.stdout.flush()
        return
    try:
        with output.open("wb") as out:
            render(document, fmt, out)
    except OSError as err:
        raise UsageError(f"cannot write {output}: {err.strerror}") from err


def register(app: typer.Typer) -> None:
    """Add `assay report` to the command line."""
    app.command("report")(report)
