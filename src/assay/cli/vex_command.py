"""`assay vex`: an evaluation's vulnerabilities as an OpenVEX file for a lab to triage, and a check
of VEX files (OpenVEX, CycloneDX VEX) before they are fed back with `--vex`."""

import json
import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape

from assay.cli.errors import UsageError, readable_input
from assay.cli.evaluation_input import read_evaluation
from assay.model.evaluation import Evaluation
from assay.model.vulnerability import TriageState
from assay.vuln.vex import VexDecisions, VexError, apply, load_vex
from assay.vuln.vex_evaluation import evaluation_from_json
from assay.vuln.vex_export import export_openvex
from assay.vuln.vex_statement import VexFile

err_console = Console(stderr=True)
out_console = Console()
vex_app = typer.Typer(
    name="vex",
    help="Triage as VEX: export vulnerabilities as OpenVEX to decide on, check VEX files.",
    no_args_is_help=True,
)


@vex_app.command("export")
def export(
    evaluation: Annotated[Path, typer.Argument(help="The evaluation.json of `assay scan`.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="The OpenVEX file to write.")],
    author: Annotated[
        str, typer.Option("--author", help="Who makes the decisions (OpenVEX `author`).")
    ] = "assay",
) -> None:
    """Write an evaluation's vulnerabilities as OpenVEX, to triage and feed back with --vex.

    One statement per vulnerability: its triage if it has one, else `under_investigation`.
    Products are named by purl without version (the decision carries over to later releases) and
    with the versions found. Edit the statuses (`not_affected` needs a justification or an
    impact_statement) and feed the file back with `assay scan --vex FILE`. Scan a new release
    with the earlier decisions (`--vex`) before exporting it, so they are carried into the new
    file rather than overridden by its newer `under_investigation` statements."""
    evaluated = _read_evaluation(evaluation)
    if not evaluated.vulnerabilities:
        err_console.print("nothing to export: the evaluation lists no vulnerabilities")
        return
    document = export_openvex(evaluated, author, datetime.now(UTC))
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as err:
        raise UsageError(f"cannot write {output}: {err.strerror or err}") from None
    triaged = sum(1 for v in evaluated.vulnerabilities if v.triage is not None)
    err_console.print(
        f"wrote {escape(str(output))}: {len(document['statements'])} statements for "
        f"{len(evaluated.vulnerabilities)} vulnerabilities ({triaged} triaged)",
        soft_wrap=True,
    )


@vex_app.command("check")
def check(
    files: Annotated[list[Path], typer.Argument(help="OpenVEX or CycloneDX VEX JSON files.")],
    evaluation: Annotated[
        Path | None,
        typer.Option("--evaluation", help="An evaluation.json: show which decisions apply to it."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Read VEX files as --vex would and summarise them.

    Statements by status and what could not be used; with --evaluation, how many of its
    vulnerabilities the decisions settle. Exit code 2 names the first bad file and why."""
    try:
        decisions = load_vex([readable_input(path) for path in files])
        evaluated = _read_evaluation(evaluation) if evaluation else None
    except VexError as err:
        raise UsageError(str(err)) from None
    summary: dict[str, Any] = {"files": [_file_summary(f) for f in decisions.files]}
    if evaluated is not None:
        summary["evaluation"] = _coverage(decisions, evaluated)
    if as_json:
        sys.stdout.write(json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
        return
    _print_summary(summary)


def _read_evaluation(path: Path) -> Evaluation:
    """The release, components and vulnerabilities of a saved evaluation.json."""
    document = read_evaluation(readable_input(path))
    try:
        return evaluation_from_json(document)
    except (KeyError, TypeError, ValueError) as err:
        message = f"{path}: malformed evaluation.json: {type(err).__name__}: {err}"
        raise UsageError(message) from None


def _file_summary(vex_file: VexFile) -> dict[str, Any]:
    states = Counter(s.triage.state.value for s in vex_file.statements)
    return {
        "path": vex_file.path,
        "format": vex_file.format,
        "statements": len(vex_file.statements),
        "by_status": {state.value: states.get(state.value, 0) for state in TriageState},
        "warnings": list(vex_file.warnings),
    }


def _coverage(decisions: VexDecisions, evaluated: Evaluation) -> dict[str, Any]:
    triaged = apply(evaluated.vulnerabilities, evaluated.components, decisions)
    states = Counter(v.triage.state.value for v in triaged if v.triage is not None)
    return {
        "vulnerabilities": len(triaged),
        "decided": sum(states.values()),
        "by_status": {state.value: states.get(state.value, 0) for state in TriageState},
        "open": sum(1 for v in triaged if v.open),
    }


def _print_summary(summary: dict[str, Any]) -> None:
    for entry in summary["files"]:
        counts = ", ".join(f"{n} {state}" for state, n in entry["by_status"].items() if n)
        out_console.print(
            f"{escape(entry['path'])}: {entry['format']}, {entry['statements']} statements"
            + (f" ({counts})" if counts else ""),
            soft_wrap=True,
        )
        for warning in entry["warnings"]:
            out_console.print(f"  [yellow]warning:[/] {escape(warning)}", soft_wrap=True)
    coverage = summary.get("evaluation")
    if coverage:
        counts = ", ".join(f"{n} {state}" for state, n in coverage["by_status"].items() if n)
        out_console.print(
            f"evaluation: {coverage['decided']} of {coverage['vulnerabilities']} vulnerabilities "
            f"decided" + (f" ({counts})" if counts else "") + f"; {coverage['open']} open",
            soft_wrap=True,
        )


def register(app: typer.Typer) -> None:
    """Add `assay vex` to the command line."""
    app.add_typer(vex_app, name="vex")
