"""The comparison of two releases' evaluations: what `assay diff OLD NEW` reports."""

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ReleaseRef:
    """One side of the comparison: the release's label (version, else name), id and sha256."""

    label: str
    release_id: str
    sha256: str
    complete: bool


@dataclass(frozen=True, slots=True)
class ComponentChange:
    """A product whose version set differs: `change` is `added`, `removed`, `upgraded`,
    `downgraded` or `changed` (versions differ but neither side is newer, or they cannot be
    ordered)."""

    product: str
    name: str
    change: str
    old_versions: tuple[str, ...]
    new_versions: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class VulnChange:
    """An open vulnerability of a product on one or both sides, with the versions it is open in."""

    cve: str
    product: str
    severity: str
    kev: bool
    old_versions: tuple[str, ...]
    new_versions: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class HardeningChange:
    """One hardening property of one ELF path that got worse (regression) or better."""

    path: str
    property: str
    old: str
    new: str


@dataclass(frozen=True, slots=True)
class CoverageChange:
    """A row of the hardening matrix whose percentage moved (None: no file of that role)."""

    property: str
    desirable: bool
    role: str
    old_percent: float | None
    new_percent: float | None


@dataclass(frozen=True, slots=True)
class FindingChange:
    """A finding present on one side only, by its stable id."""

    id: str
    rule: str
    group: str
    severity: str
    title: str
    path: str


@dataclass(frozen=True, slots=True)
class SilentChange:
    """A file whose content changed while the component versions read from it stayed the same."""

    path: str
    components: tuple[tuple[str, str], ...]
    old_sha256: str
    new_sha256: str


@dataclass(frozen=True, slots=True)
class FileCounts:
    """File-level comparison by in-release path: the paths added, removed and changed."""

    added: tuple[str, ...]
    removed: tuple[str, ...]
    changed: tuple[str, ...]
    unchanged: int


@dataclass(frozen=True, slots=True)
class ReleaseDiff:
    """Everything that differs between two evaluations, `old` to `new`."""

    old: ReleaseRef
    new: ReleaseRef
    components: tuple[ComponentChange, ...]
    vulns_fixed: tuple[VulnChange, ...]
    vulns_new: tuple[VulnChange, ...]
    vulns_open: tuple[VulnChange, ...]
    hardening_regressions: tuple[HardeningChange, ...]
    hardening_improvements: tuple[HardeningChange, ...]
    coverage: tuple[CoverageChange, ...]
    findings_new: tuple[FindingChange, ...]
    findings_removed: tuple[FindingChange, ...]
    silent_changes: tuple[SilentChange, ...]
    files: FileCounts

    def components_with(self, change: str) -> tuple[ComponentChange, ...]:
        """The component changes of one kind (`added`, `upgraded`, …)."""
        return tuple(c for c in self.components if c.change == change)

    def findings_in(self, group: str, new: bool = True) -> tuple[FindingChange, ...]:
        """New (or removed) findings of one group: `secret`, `service`, `setuid`, `other`."""
        pool = self.findings_new if new else self.findings_removed
        return tuple(f for f in pool if f.group == group)
