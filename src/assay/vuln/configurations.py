"""NVD 2.0 CPE configurations: parsed once, then evaluated for one component in three-valued logic.

Semantics (NVD API 2.0): a CVE applies when any configuration is satisfied; a configuration's nodes
combine with its operator (OR when absent, AND for "X running on Y"); a node's cpeMatch entries
combine with the node operator; `negate` inverts a node or a configuration.

Policy for one component (the *subject*):
- A configuration concerns the subject only if one of its `vulnerable: true` cpeMatch entries names
  one of the subject's vendor:product names. Entries naming the subject are checked against its
  version (bounds, or the exact version in the criteria).
- Other entries in an OR node holding a subject entry are alternatives (other vulnerable products)
  and count as false. Every other entry, and every node without a subject entry (the platform of an
  AND configuration: `o:` OS, `h:` hardware, other applications), is a condition on the platform:
  true when a platform CPE the caller passes matches it; false when the caller passes platform CPEs
  of that part (`h`, `o`) and none matches (the hardware or OS is then known); else unknown.
- Result: true → a match; unknown because of platform conditions → a match *with those conditions
  listed* ("applies when running on X"); unknown because a version could not be compared → could
  not decide; false → no match.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from enum import Enum
from functools import lru_cache
from typing import Any, TypeVar

from assay.vuln import bounds as vb
from assay.vuln.cpe import Cpe, Logical, attribute_matches, literal, names_match, parse_cpe
from assay.vuln.versions import Scheme


class Truth(Enum):
    """Kleene three-valued truth."""

    TRUE = "true"
    FALSE = "false"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class CpeMatch:
    """One cpeMatch entry: criteria, its parsed CPE, vulnerable flag and version bounds; `plain`
    when every attribute but part, vendor, product, version and update is ANY; `key` the
    criteria with its bounds (what decides whether a version is inside); `name` its
    vendor:product."""

    criteria: str
    cpe: Cpe
    vulnerable: bool
    bounds: vb.Bounds
    plain: bool = False
    key: str = ""
    name: str | None = None


@dataclass(frozen=True, slots=True)
class Node:
    """cpeMatch entries combined with an operator, possibly negated."""

    operator: str
    negate: bool
    matches: tuple[CpeMatch, ...]


@dataclass(frozen=True, slots=True)
class Configuration:
    """One configuration of a CVE (its index in the record), nodes combined with an operator."""

    index: int
    operator: str
    negate: bool
    nodes: tuple[Node, ...]
    vulnerable_names: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Subject:
    """The component being matched: product key, version and scheme, the vendor:product names it
    is filed under, and its own CPEs (for part and target attributes)."""

    product: str
    version: str
    scheme: Scheme
    names: frozenset[str]
    cpes: tuple[Cpe, ...] = ()
    verdicts: dict[str, vb.Verdict] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Hit:
    """A cpeMatch entry the subject's version satisfied."""

    configuration: int
    criteria: str
    bounds: vb.Bounds
    sentence: str


@dataclass(frozen=True, slots=True)
class Outcome:
    """The truth of a configuration (or part of one) with what made it so."""

    truth: Truth
    hits: tuple[Hit, ...] = ()
    conditions: tuple[str, ...] = ()
    undecided: tuple[str, ...] = ()


FALSE = Outcome(Truth.FALSE)
T = TypeVar("T")
PLATFORM_ATTRIBUTES = ("edition", "language", "sw_edition", "target_sw", "target_hw", "other")

KNOWN_PLATFORM_PARTS = ("h", "o")


def parse_configurations(raw: list[dict[str, Any]]) -> tuple[Configuration, ...]:
    """Configurations from a record's NVD 2.0 `configurations` list; unparseable criteria are
    dropped (they cannot match anything)."""
    parsed = []
    for index, config in enumerate(raw):
        nodes = tuple(_node(n) for n in config.get("nodes", ()))
        operator = str(config.get("operator") or "OR").upper()
        names = frozenset(m.name for n in nodes for m in n.matches if m.vulnerable and m.name)
        parsed.append(Configuration(index, operator, bool(config.get("negate")), nodes, names))
    return tuple(parsed)


def _node(raw: dict[str, Any]) -> Node:
    matches = []
    for entry in raw.get("cpeMatch", ()):
        criteria = str(entry.get("criteria") or entry.get("cpe23Uri") or "")
        bounds = tuple(entry.get(k) or None for k in vb.BOUND_KEYS)
        match = _cpe_match(criteria, bool(entry.get("vulnerable")), *bounds)
        if match is not None:
            matches.append(match)
    operator = str(raw.get("operator") or "OR").upper()
    return Node(operator, bool(raw.get("negate")), tuple(matches))


@lru_cache(maxsize=131072)
def _cpe_match(criteria: str, vulnerable: bool, *bounds: str | None) -> CpeMatch | None:
    """One cpeMatch entry (the same entries recur across many records: kept once)."""
    parsed = _criteria(criteria)
    if parsed is None:
        return None
    cpe, plain, name = parsed
    limits = vb.Bounds(*(str(b) if b is not None else None for b in bounds))
    key = f"{criteria} {limits.interval()}" if not limits.empty else criteria
    return CpeMatch(criteria, cpe, vulnerable, limits, plain, key, name)


@lru_cache(maxsize=65536)
def _criteria(criteria: str) -> tuple[Cpe, bool, str | None] | None:
    """A criteria's CPE, whether it is plain, and its vendor:product (criteria recur a lot)."""
    cpe = parse_cpe(criteria)
    if cpe is None:
        return None
    plain = all(getattr(cpe, a) is Logical.ANY for a in PLATFORM_ATTRIBUTES)
    return cpe, plain, cpe.vendor_product


def evaluate(config: Configuration, subject: Subject, platforms: tuple[Cpe, ...]) -> Outcome:
    """The configuration's truth for the subject on the given platform CPEs."""
    if config.vulnerable_names.isdisjoint(subject.names):
        return FALSE
    results = [_evaluate_node(node, config.index, subject, platforms) for node in config.nodes]
    outcome = _all(results) if config.operator == "AND" else _any(results)
    return _negated(outcome) if config.negate else outcome


def _evaluate_node(node: Node, index: int, subject: Subject, platforms: tuple[Cpe, ...]) -> Outcome:
    flags = [_names_subject(m, subject) for m in node.matches]
    names_subject = any(flags)
    results = []
    for entry, about_subject in zip(node.matches, flags, strict=True):
        if about_subject:
            results.append(_subject_entry(entry, index, subject))
        elif names_subject and node.operator != "AND":
            results.append(FALSE)
        else:
            results.append(_platform_entry(entry, platforms))
    outcome = _all(results) if node.operator == "AND" else _any(results)
    return _negated(outcome) if node.negate else outcome


def _names_subject(entry: CpeMatch, subject: Subject) -> bool:
    name = entry.name
    if name is not None:
        return name in subject.names
    return any(
        attribute_matches(entry.cpe.vendor, vendor, unknown_target_matches=False)
        and attribute_matches(entry.cpe.product, product, unknown_target_matches=False)
        for vendor, _, product in (n.partition(":") for n in subject.names)
    )


def _subject_entry(entry: CpeMatch, index: int, subject: Subject) -> Outcome:
    verdict = subject.verdicts.get(entry.key)
    if verdict is None:
        verdict = subject.verdicts[entry.key] = _entry_verdict(entry, subject)
    if verdict.undecided:
        return Outcome(Truth.UNKNOWN, undecided=(f"{verdict.detail} ({entry.criteria})",))
    if not verdict.inside:
        return FALSE
    sentence = f"{subject.product} {subject.version} {verdict.detail} of {entry.criteria}"
    return Outcome(Truth.TRUE, hits=(Hit(index, entry.criteria, entry.bounds, sentence),))


def _entry_verdict(entry: CpeMatch, subject: Subject) -> vb.Verdict:
    """Whether the subject is inside a cpeMatch (the same criteria recur across many records, so
    the subject keeps the answers)."""
    own = _subject_cpe(entry.cpe, subject)
    if entry.plain:
        if own is not None and not attribute_matches(
            entry.cpe.part, own.part, unknown_target_matches=True
        ):
            return vb.OUTSIDE
    elif not names_match(entry.cpe, own or _alias_cpe(entry.cpe)):
        return vb.OUTSIDE
    return vb.check(entry.cpe, entry.bounds, subject.version, subject.scheme, subject.product)


def _subject_cpe(criteria: Cpe, subject: Subject) -> Cpe | None:
    """The subject's own CPE under the criteria's vendor:product, if it has one."""
    return next((c for c in subject.cpes if c.vendor_product == criteria.vendor_product), None)


def _alias_cpe(criteria: Cpe) -> Cpe:
    """The subject as named by an alias: the criteria's part, vendor and product, nothing else
    known."""
    return Cpe(criteria.part, criteria.vendor, criteria.product, *([Logical.ANY] * 8))


def _platform_entry(entry: CpeMatch, platforms: tuple[Cpe, ...]) -> Outcome:
    for platform in platforms:
        if names_match(entry.cpe, platform) and _platform_version_fits(entry, platform):
            return Outcome(Truth.TRUE)
    part = literal(entry.cpe.part)
    if part in KNOWN_PLATFORM_PARTS and any(literal(p.part) == part for p in platforms):
        return FALSE
    return Outcome(Truth.UNKNOWN, conditions=(vb.describe_criteria(entry.criteria, entry.bounds),))


def _platform_version_fits(entry: CpeMatch, platform: Cpe) -> bool:
    """A platform CPE without a version (ANY or NA) fits, and so does any version when the entry
    gives none (NA: NVD's `linux_kernel:-` means the platform in any version); otherwise the
    version must be within the entry's version or bounds (compared generically)."""
    version = literal(platform.version)
    if version is None or entry.cpe.version is Logical.NA:
        return True

    verdict = vb.check(entry.cpe, entry.bounds, version, Scheme.GENERIC, "")
    return verdict.inside and not verdict.undecided


def _any(results: list[Outcome]) -> Outcome:
    true = [r for r in results if r.truth is Truth.TRUE]
    if true:
        return Outcome(Truth.TRUE, hits=_join(r.hits for r in true))
    unknown = [r for r in results if r.truth is Truth.UNKNOWN]
    if unknown:
        return _unknown(unknown)
    return FALSE


def _all(results: list[Outcome]) -> Outcome:
    if not results or any(r.truth is Truth.FALSE for r in results):
        return FALSE
    if any(r.truth is Truth.UNKNOWN for r in results):
        return _unknown(results)
    return Outcome(Truth.TRUE, hits=_join(r.hits for r in results))


def _unknown(results: list[Outcome]) -> Outcome:
    return Outcome(
        Truth.UNKNOWN,
        hits=_join(r.hits for r in results),
        conditions=_join(r.conditions for r in results),
        undecided=_join(r.undecided for r in results),
    )


def _negated(outcome: Outcome) -> Outcome:
    if outcome.truth is Truth.TRUE:
        return FALSE
    if outcome.truth is Truth.FALSE:
        return Outcome(Truth.TRUE)
    return replace(outcome, hits=(), conditions=tuple(f"not {c}" for c in outcome.conditions))


def _join(groups: Iterable[tuple[T, ...]]) -> tuple[T, ...]:
    return tuple(dict.fromkeys(item for group in groups for item in group))
