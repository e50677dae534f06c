"""`assay sbom` (CycloneDX 1.6 or SPDX 2.3 of a release) and the SBOM parts of `assay scan`: the
two SBOM files beside evaluation.json and the comparison with a vendor's SBOM (`--sbom`)."""

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape

from assay.catalog.declared import compare
from assay.catalog.vendor_sbom import SbomFormatError, VendorSbom, read_vendor_sbom
from assay.cli.baseline_option import with_baseline
from assay.cli.errors import EXIT_INCOMPLETE, EXIT_OK, UsageError, readable_input
from assay.cli.progress import RichProgress
from assay.model.evaluation import Evaluation
from assay.pipeline.evaluator import Evaluator, ScanOptions
from assay.plugins import reporters
from assay.report.cyclonedx import cyclonedx_json
from assay.report.declared_json import declared_json
from assay.report.json_report import evaluation_json
from assay.report.sbom_input import FileHashes
from assay.report.spdx import SpdxError, spdx_json

CYCLONEDX_FILE = "sbom.cdx.json"
SPDX_FILE = "sbom.spdx.json"
err_console = Console(stderr=True)


class SbomFormat(StrEnum):
    """The SBOM formats assay writes."""

    CYCLONEDX = "cyclonedx"
    SPDX = "spdx"


def render(evaluation: Evaluation, fmt: SbomFormat, hashes: FileHashes) -> str:
    """The SBOM document in one format."""
    if fmt is SbomFormat.CYCLONEDX:
        return cyclonedx_json(evaluation)
    return spdx_json(evaluation, hashes.sha1)


def read_declared(path: Path) -> VendorSbom:
    """The vendor SBOM given with `--sbom`; a malformed one is a usage error."""
    try:
        return read_vendor_sbom(path)
    except SbomFormatError as err:
        raise UsageError(f"--sbom: {err}") from err


def write_scan_outputs(
    out_dir: Path,
    evaluation: Evaluation,
    hashes: FileHashes,
    vendor: VendorSbom | None,
    baseline: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Write evaluation.json (with a `declared` section when a vendor SBOM was given), both
    SBOMs and every registered reporter's file into `out_dir` (the HTML report compared with
    `baseline` when given); return the evaluation document."""
    document = evaluation_json(evaluation)
    if vendor is not None:
        document["declared"] = declared_json(compare(vendor, evaluation.components))
    text = json.dumps(document, indent=2, ensure_ascii=False)
    (out_dir / "evaluation.json").write_bytes(text.encode("utf-8") + b"\n")
    for fmt, name in ((SbomFormat.CYCLONEDX, CYCLONEDX_FILE), (SbomFormat.SPDX, SPDX_FILE)):
        try:
            (out_dir / name).write_text(render(evaluation, fmt, hashes), encoding="utf-8")
        except SpdxError as err:
            err_console.print(f"[yellow]warning:[/] {name} not written: {escape(str(err))}")
    for reporter in reporters():
        with (out_dir / reporter.file_name).open("wb") as out:
            with_baseline(reporter, baseline).render(document, out)
    return document


def declared_line(declared: dict[str, Any]) -> str:
    """One line: how the vendor's SBOM compares with what was found."""
    counts = declared["summary"]
    return (
        f"vendor SBOM ({declared['source']['format']}): {counts['declared']} declared — "
        f"{counts['matched']} matched, {counts['version_mismatch']} version mismatch, "
        f"{counts['missing']} missing; {counts['undeclared']} found but undeclared"
    )


def sbom(
    path: Annotated[Path, typer.Argument(help="Firmware image, archive, package or directory.")],
    fmt: Annotated[SbomFormat, typer.Option("-f", "--format", help="SBOM format.")],
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="File to write (default: stdout).")
    ] = None,
) -> None:
    """Scan a release and write its SBOM: CycloneDX 1.6 JSON or SPDX 2.3 JSON.

    Exit codes: 0 complete, 2 usage error, 3 evaluation incomplete (the SBOM is still written)."""
    source = readable_input(path)
    hashes = FileHashes()
    with RichProgress(err_console) as progress:
        evaluation = Evaluator(ScanOptions(after_identify=hashes), progress).evaluate(source)
    text = render(evaluation, fmt, hashes)
    if output is None:
        sys.stdout.write(text)
    else:
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as err:
            raise UsageError(f"cannot write {output}: {err.strerror}") from err
    if not evaluation.complete:
        err_console.print("[yellow]evaluation incomplete:[/] run `assay scan` for the problems")
    raise typer.Exit(EXIT_OK if evaluation.complete else EXIT_INCOMPLETE)


def register(app: typer.Typer) -> None:
    """Add `assay sbom` to the command line."""
    app.command("sbom")(sbom)
