"""The network deployment model: elements of an inventory, policy profiles and their rules, and
the violations, exposure and projection a check produces."""

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum


class Layer(StrEnum):
    """Where a network function sits; profiles restrict vendors by layer or by function."""

    CORE = "core"
    ACCESS = "access"
    TRANSPORT = "transport"
    MANAGEMENT = "management"


class SiteClass(StrEnum):
    """How sensitive the site of an element is; `none` for an ordinary site."""

    NONE = "none"
    NUCLEAR = "nuclear"
    MILITARY = "military"
    NATIONAL_SECURITY = "national-security"
    CNI_SAFETY = "cni-safety"


class Metric(StrEnum):
    """How a vendor's share of an access network is measured."""

    SITES = "sites"
    TRAFFIC = "traffic"
    CONNECTIONS = "connections"


class RuleKind(StrEnum):
    """The kinds of rule a profile may state."""

    EXCLUDED_FUNCTION = "excluded-function"
    EXCLUDED_SITE = "excluded-site"
    ACCESS_SHARE_CAP = "access-share-cap"
    NO_NEW_INSTALLS = "no-new-installs"
    REMOVAL = "removal"
    SINGLE_VENDOR = "single-vendor"


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a record came from, for error messages and evidence: file and 1-based row."""

    file: str
    row: int

    def __str__(self) -> str:
        return f"{self.file}:{self.row}"


@dataclass(frozen=True, slots=True)
class Element:
    """One network element of the inventory. `traffic_share` is the element's percentage of its
    operator's traffic on that network type (0–100); `connections` its customer connections."""

    id: str
    operator: str
    network_type: str
    function: str
    layer: Layer
    vendor: str
    product: str | None
    release: str | None
    install_date: date | None
    site: str
    site_class: SiteClass
    region: str | None
    traffic_share: float | None
    connections: int | None
    origin: Origin


@dataclass(frozen=True, slots=True)
class Inventory:
    """The elements of one inventory file, in file order."""

    source: str
    elements: tuple[Element, ...]


@dataclass(frozen=True, slots=True)
class Source:
    """A citation: the document a rule comes from."""

    id: str
    title: str
    publisher: str
    published: date
    url: str


@dataclass(frozen=True, slots=True)
class Rule:
    """One rule of a profile. Which fields matter depends on `kind`:

    - excluded-function: `functions` and/or `layers` the listed vendors may not run;
    - excluded-site: `site_classes` the listed vendors may not be at;
    - access-share-cap: `max_percent` of the access `layers` (default access), measured by
      `metrics` (a violation when any of them is over the cap); the report shows all three;
    - no-new-installs: no element of the listed vendors installed on or after `installs_from`;
    - removal: no element of the listed vendors at all;
    - single-vendor: at least `min_vendors` vendors per `scope` (`function` or `region`).

    `deadline` is the last day the state may still exist (enforced from the day after); None:
    in force from the profile's date. `network_types` empty: every network type. `vendors` names
    a vendor list of the profile; None: every vendor (single-vendor rules)."""

    id: str
    kind: RuleKind
    title: str
    source: str
    section: str | None = None
    vendors: str | None = None
    network_types: tuple[str, ...] = ()
    functions: tuple[str, ...] = ()
    layers: tuple[Layer, ...] = ()
    site_classes: tuple[SiteClass, ...] = ()
    max_percent: float | None = None
    metrics: tuple[Metric, ...] = ()
    installs_from: date | None = None
    deadline: date | None = None
    scope: str | None = None
    min_vendors: int = 2


@dataclass(frozen=True, slots=True)
class VendorList:
    """A named list of vendors (high-risk, designated), with the names they trade under."""

    name: str
    vendors: tuple[str, ...]
    source: str


@dataclass(frozen=True, slots=True)
class Profile:
    """A policy profile: its rules, vendor lists and the sources they cite."""

    id: str
    title: str
    jurisdiction: str
    description: str
    sources: dict[str, Source]
    vendor_lists: dict[str, VendorList]
    rules: tuple[Rule, ...]
    origin: str = ""


@dataclass(frozen=True, slots=True)
class Share:
    """A vendor group's share of one operator's access network of one type, by each metric
    (None when the inventory lacks the metric for some element). `vendors` names the vendor
    list measured; `rule` and `max_percent` the cap rule it is held against (None: no cap rule
    covers this network type)."""

    operator: str
    network_type: str
    sites: float | None
    traffic: float | None
    connections: float | None
    vendors: str | None = None
    rule: str | None = None
    max_percent: float | None = None


@dataclass(frozen=True, slots=True)
class Violation:
    """A rule broken for one operator and network type, naming the elements that break it."""

    rule: Rule
    operator: str
    network_type: str
    elements: tuple[str, ...]
    message: str
    share: Share | None = None


@dataclass(frozen=True, slots=True)
class CheckResult:
    """The outcome of checking an inventory against a profile on a date."""

    profile: Profile
    at: date
    violations: tuple[Violation, ...]
    shares: tuple[Share, ...] = field(default=())
    upcoming: tuple[Rule, ...] = field(default=())
