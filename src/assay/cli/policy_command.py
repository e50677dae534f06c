"""`assay policy`: check a saved evaluation against a policy, validate a policy file; and the
gate's part of `assay scan --policy` (loading the policy, printing and recording the verdict)."""

import json
from importlib import resources
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape

from assay.cli.errors import EXIT_OK, EXIT_POLICY, UsageError, readable_input
from assay.cli.evaluation_input import read_evaluation
from assay.policy import Policy, PolicyError, Verdict, evaluate_policy, load_policy, parse_policy
from assay.policy.gate import RuleResult, verdict_json

SHOWN_ITEMS = 5
err_console = Console(stderr=True)
out_console = Console()
policy_app = typer.Typer(
    name="policy",
    help="The policy gate: check a saved evaluation against a policy, validate a policy file.",
    no_args_is_help=True,
)
POLICY_HELP = "Policy YAML file, or the name of a shipped policy (lab-strict, ci)."
PolicyOption = Annotated[Path, typer.Option("--policy", help=POLICY_HELP)]
ScanPolicyOption = Annotated[
    Path | None,
    typer.Option("--policy", help=POLICY_HELP + " Exit code 1 when the gate fails."),
]


def shipped_policies() -> tuple[str, ...]:
    """The names of the policies shipped in assay/data/policies."""
    folder = resources.files("assay.data").joinpath("policies")
    return tuple(sorted(p.name.removesuffix(".yaml") for p in folder.iterdir() if p.is_file()))


def resolve_policy(path: Path) -> Policy:
    """The policy in a file, or a shipped one by name; UsageError (one line) when unusable."""
    try:
        if not path.exists() and str(path) in shipped_policies():
            folder = resources.files("assay.data").joinpath("policies")
            text = folder.joinpath(f"{path}.yaml").read_text(encoding="utf-8")
            return parse_policy(text, f"{path}.yaml")
        return load_policy(readable_input(path))
    except PolicyError as err:
        raise UsageError(str(err)) from None


def _print_rule(console: Console, result: RuleResult) -> None:
    mark = "[green]pass[/]" if result.passed else "[red]FAIL[/]"
    console.print(f"  {mark} {result.id}: {escape(result.reason)}", soft_wrap=True)
    for item in result.failed[:SHOWN_ITEMS]:
        text = item.detail if item.id in item.detail else f"{item.id}: {item.detail}"
        console.print(f"       {escape(text)}", soft_wrap=True)
    if len(result.failed) > SHOWN_ITEMS:
        console.print(
            f"       … and {len(result.failed) - SHOWN_ITEMS} more (`policy` in evaluation.json)"
        )


def print_verdict(console: Console, verdict: Verdict) -> None:
    """Which rules failed and why, then the ones that passed and the waivers' state."""
    failed = verdict.failed_rules
    if verdict.passed:
        head = f"[green]policy {escape(verdict.policy)}: passed[/] ({len(verdict.rules)} rules)"
    else:
        head = (
            f"[red]policy {escape(verdict.policy)}: FAILED[/] — {len(failed)} of "
            f"{len(verdict.rules)} rules failed"
        )
    console.print(head, soft_wrap=True)
    for result in (*failed, *(r for r in verdict.rules if r.passed)):
        _print_rule(console, result)
    for waiver in verdict.waivers:
        if waiver.status == "expired":
            console.print(
                f"  [yellow]waiver {escape(waiver.id)} expired on {waiver.expires}[/]: no longer "
                "applies",
                soft_wrap=True,
            )
        elif waiver.status == "unused":
            console.print(f"  waiver {escape(waiver.id)} matched nothing", soft_wrap=True)


def record_verdict(out_dir: Path, document: dict[str, Any], verdict: Verdict) -> None:
    """Add the `policy` object to the document and rewrite OUT/evaluation.json with it."""
    document["policy"] = verdict_json(verdict)
    text = json.dumps(document, indent=2, ensure_ascii=False)
    (out_dir / "evaluation.json").write_bytes(text.encode("utf-8") + b"\n")


@policy_app.command("check")
def check(
    evaluation: Annotated[Path, typer.Argument(help="The evaluation.json of `assay scan`.")],
    policy: PolicyOption,
    as_json: Annotated[bool, typer.Option("--json", help="Print the verdict as JSON.")] = False,
) -> None:
    """Judge a saved evaluation against a policy.

    Exit codes: 0 the gate passed, 1 it failed, 2 usage error (a malformed policy or file)."""
    rules = resolve_policy(policy)
    verdict = evaluate_policy(read_evaluation(evaluation), rules)
    if as_json:
        out_console.print_json(json.dumps(verdict_json(verdict), ensure_ascii=False))
    else:
        print_verdict(err_console, verdict)
    raise typer.Exit(EXIT_OK if verdict.passed else EXIT_POLICY)


@policy_app.command("validate")
def validate(
    policy: Annotated[
        Path, typer.Argument(help="Policy YAML file, or a shipped policy's name.", readable=False)
    ],
) -> None:
    """Check that a policy file is valid (exit 0) or name what is wrong (exit 2)."""
    rules = resolve_policy(policy)
    set_rules = rules.rule_names()
    out_console.print(
        f"{escape(str(policy))}: valid policy {escape(rules.name)} — "
        f"{len(set_rules)} rules ({', '.join(set_rules) or 'none'}), "
        f"{len(rules.waivers)} waivers",
        soft_wrap=True,
        highlight=False,
    )


def register(app: typer.Typer) -> None:
    """Add `assay policy` to the main command."""
    app.add_typer(policy_app)
