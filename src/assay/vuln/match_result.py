"""What matching says about one component: the vulnerabilities that apply (with why), and those it
could not decide."""

from dataclasses import dataclass, field
from enum import Enum, StrEnum
from typing import Any

from assay.vuln.source import CveRecord


class MatchMethod(StrEnum):
    """Which data decided a match, from the most to the least exact."""

    CPE_CONFIGURATION = "cpe-configuration"
    OSV = "osv"
    CVE5_AFFECTED = "cve5-affected"
    KERNEL_STABLE_FIX = "kernel-stable-fix"
    DISTRIBUTION_FIX = "distribution-fix"


class Status(Enum):
    """What one kind of data says about one CVE and one version."""

    AFFECTED = "affected"
    UNAFFECTED = "unaffected"
    UNDECIDED = "undecided"
    SILENT = "silent"


@dataclass(frozen=True, slots=True)
class Decision:
    """A verdict of one method, with the sentence and data that explain it."""

    status: Status
    sentence: str = ""
    why: dict[str, Any] = field(default_factory=dict, compare=False)
    fixed: str | None = None
    presumed: bool = False
    conditions: tuple[str, ...] = ()


SILENT = Decision(Status.SILENT)


@dataclass(frozen=True, slots=True)
class VulnMatch:
    """A vulnerability that applies to a component.

    `cve` is the vulnerability id (a CVE id, or an OSV id such as GHSA-… when the OSV record has
    no CVE alias). `sentence` says why in words, `why` as data (configuration index, criteria and
    bounds; CVE 5 entry; OSV range; kernel branch). `conditions` are platform conditions of an
    AND configuration that could not be established ("applies when running on …"). `presumed`
    marks an inference rather than a statement of the data (a kernel branch the fix list does not
    name; an upstream version judged from distribution fixes; the upstream version of a
    distribution package whose distribution has no entry for the CVE). `record` is the CVE record
    (or the OSV record) the match came from."""

    cve: str
    product: str
    component_id: str
    component_version: str
    method: MatchMethod
    sentence: str
    why: dict[str, Any] = field(compare=False)
    fixed_version: str | None = None
    conditions: tuple[str, ...] = ()
    presumed: bool = False
    record: CveRecord = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Undecided:
    """A vulnerability that may apply but could not be decided: a version could not be compared
    (`reason` says which, with the scheme)."""

    cve: str
    product: str
    component_id: str
    component_version: str
    method: MatchMethod
    reason: str


@dataclass(frozen=True, slots=True)
class ComponentMatches:
    """Everything matching found for one component, each list sorted by vulnerability id."""

    component_id: str
    matches: tuple[VulnMatch, ...]
    undecided: tuple[Undecided, ...]
