"""The exposure part of `assay network check`: open the store `--store` names (read only: it must
exist), join the inventory with its evaluations, and print the exposed groups as a table."""

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import RenderableType
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from assay.cli.errors import UsageError
from assay.cli.policy_command import resolve_policy
from assay.network.model import Inventory

if TYPE_CHECKING:  # SQLAlchemy is imported only when a check joins a store
    from assay.network.exposure import ExposureGroup
    from assay.store import EvaluationStore

SHOWN_GROUPS = 20

ExposureStore = Annotated[
    str | None,
    typer.Option(
        "--store",
        help="Join the inventory with the evaluations in this store (sqlite:///PATH, "
        "postgresql://USER:PASSWORD@HOST/DB or a file path): the exposed elements.",
    ),
]
ExposurePolicy = Annotated[
    str | None,
    typer.Option(
        "--policy",
        help="With --store: the policy (shipped name or file) whose min_hardening decides "
        "'hardening below policy'.",
    ),
]


def _open_existing(url: str) -> "EvaluationStore":
    from assay.store import EvaluationStore, StoreError
    from assay.store.url import StoreUrlError, store_url

    try:
        parsed = store_url(url)
    except StoreUrlError as err:
        raise UsageError(f"--store: {err}") from None
    if parsed.get_backend_name() == "sqlite" and not Path(parsed.database or "").is_file():
        raise UsageError(f"--store: no store at {parsed.database} (scan with --store to fill one)")
    try:
        return EvaluationStore(url)
    except StoreError as err:
        raise UsageError(str(err)) from None


def exposure_of(
    inventory: Inventory, store_url: str | None, policy_name: str | None
) -> "tuple[ExposureGroup, ...] | None":
    """The exposed groups of the inventory, or None without `--store`; a bad store or policy is
    a UsageError. A SQLite store must already exist: a typo must not report every release as
    never evaluated."""
    if store_url is None:
        if policy_name is not None:
            raise UsageError("--policy needs --store (the evaluations to judge hardening by)")
        return None
    from assay.network.exposure import exposure
    from assay.store import StoreError

    policy = resolve_policy(Path(policy_name)) if policy_name is not None else None
    store = _open_existing(store_url)
    try:
        with store:
            return exposure(inventory, store, policy)
    except StoreError as err:
        raise UsageError(str(err)) from None


def exposure_table(groups: "tuple[ExposureGroup, ...]") -> Table:
    """The most exposed groups first, capped at SHOWN_GROUPS rows."""
    elements = sum(len(group.elements) for group in groups)
    table = Table(title=f"Exposure: {elements} element(s) in {len(groups)} group(s)")
    table.add_column("elements", justify="right")
    table.add_column("exposure", overflow="fold")
    for group in groups[:SHOWN_GROUPS]:
        table.add_row(str(len(group.elements)), escape(group.sentence()))
    if len(groups) > SHOWN_GROUPS:
        rest = len(groups) - SHOWN_GROUPS
        table.add_row("", f"… and {rest} more group(s) (`exposure` in --json has them all)")
    return table


def exposure_renderable(groups: "tuple[ExposureGroup, ...]") -> RenderableType:
    """The exposure table, or one line when nothing deployed is exposed."""
    if groups:
        return exposure_table(groups)
    return Text("Exposure: no element runs an exposed or unevaluated release")
