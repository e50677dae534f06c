"""A ReleaseDiff as JSON (`assay diff --json`) and as its one-line verdict.

The JSON object (`schema`: `https://assay.dev/schemas/release-diff`, `schema_version` 1.0):

- `old`, `new`: `label` (release version, else input name), `id`, `sha256`, `complete`
- `verdict`: the verdict line
- `summary`: counts — `components_added`, `components_removed`, `components_upgraded`,
  `components_downgraded`, `components_changed`, `vulnerabilities_fixed`,
  `vulnerabilities_new`, `vulnerabilities_new_kev`, `vulnerabilities_open`,
  `hardening_regressions`, `hardening_improvements`, `new_secrets`, `removed_secrets`,
  `new_services`, `removed_services`, `new_setuid`, `removed_setuid`, `silent_changes`,
  `files_added`, `files_removed`, `files_changed`, `files_unchanged`
- `components`: `{product, name, change, old_versions, new_versions}`; `change` is `added`,
  `removed`, `upgraded`, `downgraded` or `changed` (the version sets differ, neither is newer)
- `vulnerabilities`: `fixed`, `new`, `still_open` — each `{cve, product, severity, kev,
  old_versions, new_versions}`; by CVE and product, open ones only (triaged not_affected or
  fixed are not open), KEV first, then by severity
- `hardening`: `regressions`, `improvements` — `{path, property, old, new}` per ELF path and
  property (`nx`, `pie`, `relro`, `canary`, `fortify`); `coverage` — `{property, desirable,
  role, old_percent, new_percent}` for each matrix cell whose percentage moved
- `findings`: `new`, `removed` — `{id, rule, group, severity, title, path}`; `group` is
  `secret`, `service`, `setuid` or `other`
- `silent_changes`: `{path, components: [{product, version}], old_sha256, new_sha256}` — a file
  whose content changed while every component version read from it stayed the same
- `files`: `added`, `removed`, `changed` (in-release paths) and `unchanged` (a count)

Paths are in-release places: the chain below the input, with carved containers' offsets
dropped (`squashfs › /usr/bin/x`)."""

from dataclasses import asdict
from typing import Any

from assay.diff.model import ReleaseDiff

SCHEMA = "https://assay.dev/schemas/release-diff"


def summary_counts(diff: ReleaseDiff) -> dict[str, int]:
    """The counts of every category of the diff."""
    counts = {f"components_{c}": len(diff.components_with(c)) for c in CHANGES}
    counts |= {
        "vulnerabilities_fixed": len(diff.vulns_fixed),
        "vulnerabilities_new": len(diff.vulns_new),
        "vulnerabilities_new_kev": sum(1 for v in diff.vulns_new if v.kev),
        "vulnerabilities_open": len(diff.vulns_open),
        "hardening_regressions": len(diff.hardening_regressions),
        "hardening_improvements": len(diff.hardening_improvements),
    }
    for group, plural in (("secret", "secrets"), ("service", "services"), ("setuid", "setuid")):
        counts[f"new_{plural}"] = len(diff.findings_in(group))
        counts[f"removed_{plural}"] = len(diff.findings_in(group, new=False))
    counts["silent_changes"] = len(diff.silent_changes)
    counts |= {f"files_{k}": len(getattr(diff.files, k)) for k in ("added", "removed", "changed")}
    counts["files_unchanged"] = diff.files.unchanged
    return counts


CHANGES = ("added", "removed", "upgraded", "downgraded", "changed")


def verdict_line(diff: ReleaseDiff) -> str:
    """`release 2 vs 1: +3 −1 components, 5 CVEs fixed, 2 new (1 KEV), 1 hardening regression,
    0 new secrets`."""
    counts = summary_counts(diff)
    regressions = counts["hardening_regressions"]
    secrets = counts["new_secrets"]
    return (
        f"release {diff.new.label} vs {diff.old.label}: "
        f"+{counts['components_added']} −{counts['components_removed']} components"
        f" ({counts['components_upgraded']} upgraded, {counts['components_downgraded']}"
        f" downgraded), {counts['vulnerabilities_fixed']} CVEs fixed,"
        f" {counts['vulnerabilities_new']} new ({counts['vulnerabilities_new_kev']} KEV),"
        f" {regressions} hardening regression{'' if regressions == 1 else 's'},"
        f" {secrets} new secret{'' if secrets == 1 else 's'}"
    )


def diff_json(diff: ReleaseDiff) -> dict[str, Any]:
    """The ReleaseDiff as the JSON object described in this module's docstring."""
    return {
        "schema": SCHEMA,
        "schema_version": "1.0",
        "old": _release(diff, old=True),
        "new": _release(diff, old=False),
        "verdict": verdict_line(diff),
        "summary": summary_counts(diff),
        "components": [asdict(change) for change in diff.components],
        "vulnerabilities": {
            "fixed": [asdict(v) for v in diff.vulns_fixed],
            "new": [asdict(v) for v in diff.vulns_new],
            "still_open": [asdict(v) for v in diff.vulns_open],
        },
        "hardening": {
            "regressions": [asdict(h) for h in diff.hardening_regressions],
            "improvements": [asdict(h) for h in diff.hardening_improvements],
            "coverage": [asdict(c) for c in diff.coverage],
        },
        "findings": {
            "new": [asdict(f) for f in diff.findings_new],
            "removed": [asdict(f) for f in diff.findings_removed],
        },
        "silent_changes": [
            {
                "path": change.path,
                "components": [{"product": p, "version": v} for p, v in change.components],
                "old_sha256": change.old_sha256,
                "new_sha256": change.new_sha256,
            }
            for change in diff.silent_changes
        ],
        "files": {**asdict(diff.files), "unchanged": diff.files.unchanged},
    }


def _release(diff: ReleaseDiff, old: bool) -> dict[str, Any]:
    ref = diff.old if old else diff.new
    return {
        "label": ref.label,
        "id": ref.release_id,
        "sha256": ref.sha256,
        "complete": ref.complete,
    }
