"""`assay network profiles`: the shipped policy profiles (and the user's) with their rules,
thresholds, deadlines and the sources they cite."""

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from assay.cli.errors import UsageError, readable_input
from assay.network.errors import NetworkInputError
from assay.network.model import Profile, Rule, RuleKind
from assay.network.profiles import load_profile, shipped_profiles


def rule_terms(rule: Rule) -> str:
    """What a rule restricts, in a few words: functions, layers, sites, cap, cut-off, scope."""
    parts: list[str] = []
    if rule.network_types:
        parts.append("/".join(rule.network_types))
    if rule.layers:
        parts.append("layers " + ", ".join(layer.value for layer in rule.layers))
    if rule.functions:
        parts.append("functions " + ", ".join(rule.functions))
    if rule.site_classes:
        parts.append("sites " + ", ".join(site.value for site in rule.site_classes))
    if rule.max_percent is not None:
        layers = "" if rule.layers else " of access"
        metrics = ", ".join(metric.value for metric in rule.metrics)
        parts.append(f"≤ {rule.max_percent:g} %{layers} by {metrics}")
    if rule.installs_from is not None:
        parts.append(f"no installs from {rule.installs_from}")
    if rule.kind is RuleKind.SINGLE_VENDOR:
        parts.append(f"≥ {rule.min_vendors} vendors per {rule.scope}")
    if rule.kind is RuleKind.REMOVAL:
        parts.append("all elements")
    return "; ".join(parts)


def rule_json(rule: Rule) -> dict[str, Any]:
    """One rule as JSON (fields that do not apply are left out)."""
    document: dict[str, Any] = {"id": rule.id, "kind": rule.kind.value, "title": rule.title}
    values: dict[str, Any] = {
        "source": rule.source,
        "section": rule.section,
        "vendors": rule.vendors,
        "network_types": list(rule.network_types),
        "functions": list(rule.functions),
        "layers": [layer.value for layer in rule.layers],
        "site_classes": [site.value for site in rule.site_classes],
        "max_percent": rule.max_percent,
        "metrics": [metric.value for metric in rule.metrics],
        "installs_from": rule.installs_from and rule.installs_from.isoformat(),
        "deadline": rule.deadline and rule.deadline.isoformat(),
        "scope": rule.scope,
        "min_vendors": rule.min_vendors if rule.kind is RuleKind.SINGLE_VENDOR else None,
    }
    document.update({key: value for key, value in values.items() if value not in (None, [])})
    return document


def profile_json(profile: Profile) -> dict[str, Any]:
    """One profile as JSON: its rules, vendor lists and sources."""
    return {
        "id": profile.id,
        "title": profile.title,
        "jurisdiction": profile.jurisdiction,
        "description": profile.description,
        "origin": profile.origin,
        "sources": {
            key: {
                "title": source.title,
                "publisher": source.publisher,
                "published": source.published.isoformat(),
                "url": source.url,
            }
            for key, source in profile.sources.items()
        },
        "vendor_lists": {
            key: {"vendors": list(listed.vendors), "source": listed.source}
            for key, listed in profile.vendor_lists.items()
        },
        "rules": [rule_json(rule) for rule in profile.rules],
    }


def print_profile(console: Console, profile: Profile) -> None:
    """A profile's heading, its rules as a table, then its vendor lists and sources."""
    console.print(
        f"[bold]{escape(profile.id)}[/] — {escape(profile.title)} ({escape(profile.jurisdiction)})",
        soft_wrap=True,
    )
    table = Table(show_lines=False, pad_edge=False)
    for column in ("rule", "kind", "vendors", "restricts", "deadline", "source"):
        table.add_column(column, overflow="fold")
    for rule in profile.rules:
        cite = rule.source + (f": {rule.section}" if rule.section else "")
        table.add_row(
            escape(f"{rule.id}\n{rule.title}"),
            rule.kind.value,
            escape(rule.vendors or "any"),
            escape(rule_terms(rule)),
            str(rule.deadline or "in force"),
            escape(cite),
        )
    console.print(table)
    for key, listed in profile.vendor_lists.items():
        names = ", ".join(listed.vendors)
        console.print(escape(f"  vendor list {key}: {names} [{listed.source}]"), soft_wrap=True)
    for key, source in profile.sources.items():
        line = f"  [{key}] {source.publisher}, {source.published}: {source.title} — {source.url}"
        console.print(escape(line), soft_wrap=True)
    console.print()


def profiles(
    profile_file: Annotated[
        list[Path] | None,
        typer.Option("--profile-file", help="A profile file of your own to show (repeatable)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the profiles as JSON.")] = False,
) -> None:
    """List the shipped policy profiles (and your own files) with every rule, its threshold,
    deadline and the source it cites. Exit codes: 0 listed, 2 a profile file is bad."""
    try:
        chosen = shipped_profiles() + [load_profile(readable_input(p)) for p in profile_file or ()]
    except NetworkInputError as err:
        raise UsageError(str(err)) from None
    if as_json:
        document = [profile_json(profile) for profile in chosen]
        sys.stdout.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
        return
    console = Console()
    for profile in chosen:
        print_profile(console, profile)
