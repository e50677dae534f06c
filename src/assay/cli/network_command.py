"""`assay network`: check an inventory of network elements against a cited policy profile."""

import json
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from assay.cli.errors import EXIT_OK, EXIT_POLICY, UsageError, readable_input
from assay.cli.network_exposure import (
    ExposurePolicy,
    ExposureStore,
    exposure_of,
    exposure_renderable,
)
from assay.cli.network_profiles import profiles
from assay.cli.network_tables import print_check
from assay.network.check import check
from assay.network.check_json import check_json
from assay.network.errors import NetworkInputError
from assay.network.inventory import load_inventory
from assay.network.model import CheckResult
from assay.network.plan import load_plan
from assay.network.profiles import resolve_profile
from assay.network.projection import RuleProjection, Status, project

if TYPE_CHECKING:  # the exposure module brings SQLAlchemy: imported only with --store
    from assay.network.exposure import ExposureGroup

PIPE_WIDTH = 160
network_app = typer.Typer(
    name="network",
    help="Network deployment policy: check an inventory of elements against a cited profile.",
    no_args_is_help=True,
)
network_app.command("profiles")(profiles)


def _day(text: str | None) -> date:
    if text is None:
        return date.today()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"--at: not a date {text!r} (use YYYY-MM-DD)") from None


@network_app.command("check")
def check_command(
    inventory_path: Annotated[
        Path, typer.Argument(metavar="INVENTORY", help="Inventory of elements (YAML or CSV).")
    ],
    profile_name: Annotated[
        str,
        typer.Option(
            "--profile", help="A shipped profile id (see `assay network profiles`) or a file."
        ),
    ],
    at: Annotated[
        str | None, typer.Option("--at", help="The day to check on, YYYY-MM-DD (default today).")
    ] = None,
    plan_path: Annotated[
        Path | None,
        typer.Option(
            "--plan", help="Planned swaps (YAML or CSV) to project against each deadline."
        ),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the whole result as JSON.")
    ] = False,
    store_url: ExposureStore = None,
    policy_name: ExposurePolicy = None,
    html_path: Annotated[
        Path | None,
        typer.Option("--html", help="Also write a self-contained HTML report to this file."),
    ] = None,
) -> None:
    """Evaluate every rule of the profile in force on the day, per operator and network type:
    vendors excluded from functions or sensitive sites, the access-share cap (by sites, traffic
    and connections), installs after a cut-off, removal deadlines, single-vendor dependency.

    With --plan, also projects the planned swaps against every deadline: compliant, at-risk
    (elements left) or late (fixed only by swaps dated after the deadline).

    With --store, also lists the exposed elements: those running a release whose newest saved
    evaluation has open critical or KEV-listed vulnerabilities or end-of-life components, whose
    equivalence run failed, whose hardening is below --policy's min_hardening, or that was never
    evaluated. Exposure is information: it does not change the exit code.

    Exit codes: 0 compliant (and, with --plan, every deadline met), 1 violations (or a deadline
    at risk or late), 2 bad input (inventory, profile, plan, store, policy or option)."""
    day = _day(at)
    try:
        profile = resolve_profile(profile_name)
        inventory = load_inventory(readable_input(inventory_path))
        swaps = load_plan(readable_input(plan_path), inventory) if plan_path else None
    except NetworkInputError as err:
        raise UsageError(str(err)) from None
    exposed = exposure_of(inventory, store_url, policy_name)
    result = check(inventory, profile, day)
    projection: tuple[RuleProjection, ...] | None = None
    if swaps is not None:
        projection = project(inventory, profile, swaps, day)
    if html_path is not None:
        write_network_report(html_path, result, projection, exposed, inventory.source)
    _output(result, projection, exposed, as_json)
    behind = any(outcome.status is not Status.COMPLIANT for outcome in projection or ())
    raise typer.Exit(EXIT_POLICY if result.violations or behind else EXIT_OK)


def write_network_report(
    path: Path,
    result: CheckResult,
    projection: tuple[RuleProjection, ...] | None,
    exposed: "tuple[ExposureGroup, ...] | None",
    inventory_name: str,
) -> None:
    """Write the HTML report of the check; an unwritable path is a UsageError."""
    from assay.report.html.network_page import NetworkPage, render_network_page

    page = NetworkPage(result, projection, exposed, inventory_name)
    try:
        path.write_bytes(render_network_page(page).encode("utf-8"))
    except OSError as err:
        raise UsageError(f"--html: cannot write {path}: {err.strerror}") from None


def _output(
    result: CheckResult,
    projection: tuple[RuleProjection, ...] | None,
    exposed: "tuple[ExposureGroup, ...] | None",
    as_json: bool,
) -> None:
    if as_json:
        document = check_json(result, projection)
        document["exposure"] = None
        if exposed is not None:
            from assay.network.exposure import exposure_json

            document["exposure"] = exposure_json(exposed)
        sys.stdout.write(json.dumps(document, indent=2, ensure_ascii=False))
        sys.stdout.write("\n")
        return
    extra = [] if exposed is None else [exposure_renderable(exposed)]
    console = Console()
    if not console.is_terminal:
        console = Console(width=PIPE_WIDTH)
    print_check(console, result, projection, extra)


def register(app: typer.Typer) -> None:
    """Add `assay network` to the main command."""
    app.add_typer(network_app)
