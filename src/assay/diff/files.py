"""File-level comparison of two evaluation documents: paths added, removed and changed, and
files whose content changed while the component versions read from them stayed the same."""

from typing import Any

from assay.diff.keys import items, path_key, text
from assay.diff.model import FileCounts, SilentChange

Content = tuple[str, str]


def file_contents(document: dict[str, Any]) -> dict[str, Content]:
    """Each file below the input by in-release path: its sha256 and symlink target. A path that
    occurs twice (two identical filesystems) keeps its first occurrence."""
    contents: dict[str, Content] = {}
    for artifact in items(document, "artifacts"):
        key = path_key(text(artifact, "location", "artifact"))
        if key is not None and key not in contents:
            contents[key] = (str(artifact.get("sha256", "")), str(artifact.get("link_target", "")))
    return contents


def file_counts(old: dict[str, Any], new: dict[str, Any]) -> FileCounts:
    """Paths only in new, only in old, in both with other content, and how many are the same."""
    before, after = file_contents(old), file_contents(new)
    both = before.keys() & after.keys()
    changed = sorted(key for key in both if before[key] != after[key])
    return FileCounts(
        added=tuple(sorted(after.keys() - before.keys())),
        removed=tuple(sorted(before.keys() - after.keys())),
        changed=tuple(changed),
        unchanged=len(both) - len(changed),
    )


def component_evidence(document: dict[str, Any]) -> dict[str, set[tuple[str, str]]]:
    """Per in-release path, the (product, version) pairs whose evidence points at that file."""
    found: dict[str, set[tuple[str, str]]] = {}
    for component in items(document, "components"):
        identity = (text(component, "product", "component"), str(component.get("version", "")))
        for evidence in component.get("evidence") or ():
            location = evidence.get("location") if isinstance(evidence, dict) else None
            key = path_key(location) if isinstance(location, str) else None
            if key is not None:
                found.setdefault(key, set()).add(identity)
    return found


def silent_changes(old: dict[str, Any], new: dict[str, Any]) -> tuple[SilentChange, ...]:
    """Files at the same path whose sha256 differs although every component identified in them
    kept its version: a silent patch, or a tampered binary."""
    before, after = file_contents(old), file_contents(new)
    was, now = component_evidence(old), component_evidence(new)
    changes = []
    for key in sorted(was.keys() & now.keys() & before.keys() & after.keys()):
        old_sha, new_sha = before[key][0], after[key][0]
        if was[key] == now[key] and old_sha and new_sha and old_sha != new_sha:
            changes.append(SilentChange(key, tuple(sorted(was[key])), old_sha, new_sha))
    return tuple(changes)
