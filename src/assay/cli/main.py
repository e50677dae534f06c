"""`assay` command line: scan, unpack and doctor."""

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape

from assay import __version__
from assay.cli.baseline_option import BaselineOption, read_baseline
from assay.cli.db_command import register as register_db
from assay.cli.diff_command import register as register_diff
from assay.cli.doctor import doctor_rows
from assay.cli.equiv_command import register as register_equiv
from assay.cli.errors import (
    EXIT_INCOMPLETE,
    EXIT_OK,
    EXIT_POLICY,
    EXIT_USAGE,
    UsageError,
    readable_input,
    writable_dir,
)
from assay.cli.hardening_command import register as register_hardening
from assay.cli.history_command import register as register_history
from assay.cli.network_command import register as register_network
from assay.cli.policy_command import (
    ScanPolicyOption,
    print_verdict,
    record_verdict,
    resolve_policy,
)
from assay.cli.policy_command import register as register_policy
from assay.cli.progress import RichProgress
from assay.cli.report_command import register as register_report
from assay.cli.repro_command import register as register_repro
from assay.cli.sbom_command import declared_line, read_declared, register, write_scan_outputs
from assay.cli.scan_inputs import existing_database, triage_from
from assay.cli.store_options import (
    Product,
    ReleaseVersion,
    SaveFlag,
    StoreUrl,
    Vendor,
    open_store,
    save_evaluation,
)
from assay.cli.summary import print_summary
from assay.cli.vex_command import register as register_vex
from assay.extract.limits import Limits
from assay.model.evaluation import Evaluation
from assay.pipeline.evaluator import Evaluator, ScanOptions
from assay.policy import evaluate_policy
from assay.report.json_report import evaluation_json
from assay.report.sbom_input import FileHashes

app = typer.Typer(
    name="assay",
    help="Independent security evaluation of vendor software releases.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
err_console = Console(stderr=True)
out_console = Console()

SIZE_UNITS = {"": 1, "K": 1024, "M": 1024**2, "G": 1024**3, "T": 1024**4}

MaxBytes = Annotated[str, typer.Option("--max-bytes", help="Total bytes unpacked, e.g. 500M, 32G.")]
MaxFiles = Annotated[int, typer.Option("--max-files", help="Total files unpacked.")]
MaxDepth = Annotated[int, typer.Option("--max-depth", help="Container nesting depth.")]
MaxRatio = Annotated[
    float, typer.Option("--max-ratio", help="Expansion ratio of one container (output:input).")
]
MaxTotalRatio = Annotated[
    float,
    typer.Option(
        "--max-total-ratio", help="Expansion ratio of the whole release (unpacked:input)."
    ),
]
Timeout = Annotated[
    float, typer.Option("--timeout", help="Seconds one extractor may run on one container.")
]
JsonFlag = Annotated[bool, typer.Option("--json", help="Print the evaluation as JSON on stdout.")]
InputPath = Annotated[
    Path,
    typer.Argument(
        help="Firmware image, archive, OCI image, package or directory.", readable=False
    ),
]

DEFAULTS = Limits()


def parse_size(text: str) -> int:
    """Parse `500M`, `32G`, `1024` into bytes."""
    cleaned = text.strip().upper().removesuffix("IB").removesuffix("B")
    unit = cleaned[-1:] if cleaned[-1:] in SIZE_UNITS and cleaned[-1:] else ""
    number = cleaned[: -len(unit)] if unit else cleaned
    try:
        value = float(number) * SIZE_UNITS[unit]
    except ValueError as err:
        raise UsageError(f"not a size: {text!r} (use e.g. 500M or 32G)") from err
    if value <= 0:
        raise UsageError(f"size must be positive: {text!r}")
    return int(value)


def make_limits(
    max_bytes: str,
    max_files: int,
    max_depth: int,
    ratio: float,
    total_ratio: float,
    timeout: float,
) -> Limits:
    """Limits from the command-line options, validated."""
    if min(max_files, max_depth, ratio, total_ratio, timeout) <= 0:
        raise UsageError("limits must be positive numbers")
    return Limits(
        max_total_bytes=parse_size(max_bytes),
        max_files=max_files,
        max_depth=max_depth,
        max_ratio=ratio,
        max_total_ratio=total_ratio,
        extractor_seconds=timeout,
    )


def _evaluate(source: Path, options: ScanOptions) -> Evaluation:
    with RichProgress(err_console) as progress:
        return Evaluator(options, progress).evaluate(source)


def _finish(
    evaluation: Evaluation,
    as_json: bool,
    document: dict[str, Any] | None = None,
    gate_failed: bool = False,
) -> None:
    document = document or evaluation_json(evaluation)
    if as_json:
        sys.stdout.write(json.dumps(document, indent=2, ensure_ascii=False))
        sys.stdout.write("\n")
    else:
        print_summary(out_console, evaluation)
        if "declared" in document:
            out_console.print(f"  {escape(declared_line(document['declared']))}", soft_wrap=True)
    if gate_failed:
        raise typer.Exit(EXIT_POLICY)
    raise typer.Exit(EXIT_OK if evaluation.complete else EXIT_INCOMPLETE)


@app.command()
def scan(
    path: InputPath,
    output: Annotated[
        Path, typer.Option("-o", "--output", help="Folder for evaluation.json.")
    ] = Path("assay-out"),
    as_json: JsonFlag = False,
    keep_unpacked: Annotated[
        bool, typer.Option("--keep-unpacked", help="Keep the unpacked tree in OUTPUT/unpacked.")
    ] = False,
    max_bytes: MaxBytes = "32G",
    max_files: MaxFiles = DEFAULTS.max_files,
    max_depth: MaxDepth = DEFAULTS.max_depth,
    max_ratio: MaxRatio = DEFAULTS.max_ratio,
    max_total_ratio: MaxTotalRatio = DEFAULTS.max_total_ratio,
    timeout: Timeout = DEFAULTS.extractor_seconds,
    sbom: Annotated[
        Path | None,
        typer.Option("--sbom", help="The vendor's SBOM (CycloneDX or SPDX JSON) to compare with."),
    ] = None,
    vuln_db: Annotated[
        Path | None,
        typer.Option(
            "--vuln-db",
            help="Vulnerability database (default: the shipped snapshot, built on first use; "
            "see `assay db`).",
        ),
    ] = None,
    no_vulns: Annotated[
        bool, typer.Option("--no-vulns", help="Do not match components against vulnerabilities.")
    ] = False,
    no_checks: Annotated[
        bool,
        typer.Option(
            "--no-checks",
            help="Skip the checks (hardening, unsafe-function census, secrets, configuration, "
            "end of life): unpack, inventory and identify only.",
        ),
    ] = False,
    vex: Annotated[
        list[Path] | None,
        typer.Option("--vex", help="Triage decisions (OpenVEX or CycloneDX VEX); repeatable."),
    ] = None,
    unredacted: Annotated[
        bool,
        typer.Option("--unredacted", help="Show secret values in full in every output (careful)."),
    ] = False,
    policy_file: ScanPolicyOption = None,
    store_url: StoreUrl = None,
    save: SaveFlag = False,
    vendor_name: Vendor = None,
    product: Product = None,
    release_version: ReleaseVersion = None,
    baseline_file: BaselineOption = None,
) -> None:
    """Unpack a release recursively, inventory every file, identify components, match them to
    known vulnerabilities, run the checks, and write OUTPUT/evaluation.json.

    Also writes OUTPUT/sbom.cdx.json (CycloneDX 1.6) and OUTPUT/sbom.spdx.json (SPDX 2.3); with
    --sbom, compares the vendor's SBOM with what was found (`declared` in evaluation.json).

    With --policy, judges the evaluation against the policy (docs/policy.md), prints which rules
    failed and why, and records the verdict as `policy` in evaluation.json.

    With --baseline OLD/evaluation.json, report.html also shows the changes since that release
    (as `assay diff` does); evaluation.json and the other files are unchanged.

    Exit codes: 0 complete (and the policy passed), 1 the policy gate failed (even when the
    evaluation is also incomplete), 2 usage error, 3 evaluation incomplete (a part could not be
    unpacked: see the problems)."""
    gate = resolve_policy(policy_file) if policy_file is not None else None
    source = readable_input(path)
    vendor = read_declared(sbom) if sbom is not None else None
    baseline = read_baseline(baseline_file) if baseline_file is not None else None
    out_dir = writable_dir(output)
    workspace = None
    if keep_unpacked:
        workspace = writable_dir(out_dir / "unpacked", must_be_empty=True)
    limits = make_limits(max_bytes, max_files, max_depth, max_ratio, max_total_ratio, timeout)
    store = open_store(store_url, save)
    hashes = FileHashes()
    options = ScanOptions(
        limits=limits,
        workspace=workspace,
        after_identify=hashes,
        vulnerabilities=not no_vulns,
        checks=() if no_checks else None,
        vuln_db=existing_database(vuln_db) if vuln_db is not None else None,
        triage=triage_from(vex or []),
        unredacted=unredacted,
        vendor=vendor_name,
        product=product,
        version=release_version,
    )
    evaluation = _evaluate(source, options)
    document = write_scan_outputs(out_dir, evaluation, hashes, vendor, baseline)
    verdict = evaluate_policy(document, gate) if gate is not None else None
    if verdict is not None:
        record_verdict(out_dir, document, verdict)
    if store is not None:
        saved = save_evaluation(store, document, out_dir)
        if not as_json:
            err_console.print(f"saved {saved} to {escape(store.name)}", soft_wrap=True)
    if not as_json:
        err_console.print(f"wrote {escape(str(out_dir / 'evaluation.json'))}", soft_wrap=True)
    if verdict is not None:
        print_verdict(err_console, verdict)
    _finish(evaluation, as_json, document, gate_failed=verdict is not None and not verdict.passed)


@app.command()
def unpack(
    path: InputPath,
    output: Annotated[Path, typer.Option("-o", "--output", help="Empty folder to unpack into.")],
    as_json: JsonFlag = False,
    max_bytes: MaxBytes = "32G",
    max_files: MaxFiles = DEFAULTS.max_files,
    max_depth: MaxDepth = DEFAULTS.max_depth,
    max_ratio: MaxRatio = DEFAULTS.max_ratio,
    max_total_ratio: MaxTotalRatio = DEFAULTS.max_total_ratio,
    timeout: Timeout = DEFAULTS.extractor_seconds,
) -> None:
    """Unpack a release recursively into OUTPUT for a person to inspect.

    Each container's content goes into a folder beside it named `<name>.extracted`; blobs carved
    from a raw image are named `0x<offset>.<format>`."""
    source = readable_input(path)
    workspace = writable_dir(output, must_be_empty=True)
    limits = make_limits(max_bytes, max_files, max_depth, max_ratio, max_total_ratio, timeout)
    evaluation = _evaluate(source, ScanOptions(limits=limits, workspace=workspace))
    if not as_json:
        err_console.print(f"unpacked into {escape(str(workspace))}", soft_wrap=True)
    _finish(evaluation, as_json)


@app.command()
def doctor(as_json: JsonFlag = False) -> None:
    """List the external tools and libraries each format needs and whether each is present."""
    rows = doctor_rows()
    if as_json:
        sys.stdout.write(json.dumps(rows, indent=2) + "\n")
        return
    from rich.table import Table

    table = Table(title="assay doctor: what each format needs")
    for column in ("format", "needs", "present", "description"):
        table.add_column(column)
    for row in rows:
        present = "[green]yes[/]" if row["ok"] else "[red]MISSING[/] " + ", ".join(row["missing"])
        table.add_row(row["format"], ", ".join(row["needs"]) or "—", present, row["description"])
    out_console.print(table)
    missing = [row["format"] for row in rows if not row["ok"]]
    if missing:
        out_console.print(
            f"[red]{len(missing)} format(s) cannot be unpacked here:[/] " + ", ".join(missing)
        )


def version_callback(value: bool) -> None:
    """Print the version and exit."""
    if value:
        out_console.print(f"assay {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool,
        typer.Option("--version", callback=version_callback, is_eager=True, help="Show version."),
    ] = False,
) -> None:
    """assay: unpack a vendor release safely and evaluate what is inside."""


register(app)  # `assay sbom`, listed after the commands above
register_db(app)  # `assay db`
register_hardening(app)  # `assay hardening`
register_vex(app)  # `assay vex`
register_history(app)  # `assay history`
register_policy(app)  # `assay policy`
register_report(app)  # `assay report`
register_equiv(app)  # `assay equiv`
register_repro(app)  # `assay repro`
register_diff(app)  # `assay diff`
register_network(app)  # `assay network`


def run() -> None:
    """Console-script entry point: usage errors become one line and exit code 2."""
    try:
        app()
    except UsageError as err:
        err_console.print(f"[red]error:[/] {escape(str(err))}", highlight=False, soft_wrap=True)
        sys.exit(EXIT_USAGE)
