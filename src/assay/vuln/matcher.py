"""Match a component against vulnerability records, exactly, and say why.

Which data decides, per record:
- Upstream components (identified in binaries, or packages of other kinds), looked up under every
  vendor:product name of the product (aliases) and its product key:
  - a record with CPE `configurations`: those only, with NVD semantics (`configurations.py`);
  - otherwise, for the kernel, `kernel_fixed_in` when it lists the version's branch; then the CVE 5
    `affected` entries of the product; then, for the kernel, the unlisted-branch policy
    (`affected_kernel.py`); then the distributions' fixed versions (`affected_distro.py`).
- Distribution packages (`pkg:deb/debian/…`, `pkg:apk/alpine/…`) and language packages
  (`pkg:pypi`, `pkg:npm`, `pkg:golang`, `pkg:cargo`): OSV ranges for the ecosystem package (raw OSV
  records from `osv_for_package`, and the records' `osv_affected`). For a distribution package,
  CVEs its distribution release has no entry for are then matched on the upstream version (with
  the rules above), marked `presumed`: a distribution may have patched without a new release.
  Packages of distributions without OSV data here (OpenWrt opkg, RPM) are matched that way too.
A version that cannot be compared never matches: it is listed as undecided. Results are one per
vulnerability id (the most exact method wins) in id order.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache

from assay.catalog.metadata.products import DISTRO_ECOSYSTEMS, product_table, upstream_version
from assay.model.component import Component
from assay.vuln import affected_cve5, affected_distro, affected_kernel, affected_osv
from assay.vuln.aliases import product_names
from assay.vuln.configurations import Configuration, Subject, Truth, evaluate, parse_configurations
from assay.vuln.cpe import Cpe, parse_cpe
from assay.vuln.match_result import (
    SILENT,
    ComponentMatches,
    Decision,
    MatchMethod,
    Status,
    Undecided,
    VulnMatch,
)
from assay.vuln.source import CveRecord, VulnSource
from assay.vuln.versions import scheme_for_product

METHOD_RANK = {method: rank for rank, method in enumerate(MatchMethod)}
CVE_ID = re.compile(r"^CVE-([0-9]+)-([0-9]+)$")


class Matcher:
    """Matches components against one source, keeping parsed records across components."""

    def __init__(self, source: VulnSource) -> None:
        self.source = source
        self._records: dict[str, Parsed] = {}

    def assess(self, component: Component, platform_cpes: Iterable[str] = ()) -> ComponentMatches:
        """The vulnerabilities that apply to the component and those that could not be decided.
        `platform_cpes` are CPE names of the platform it runs on (the release's OS, hardware and
        other components), for configurations of the form "X running on Y"."""
        platforms = tuple(c for c in (parse_cpe(t) for t in platform_cpes) if c is not None)
        found = Found(component)
        target = affected_osv.target_for(component.purl, _source_names(component.product))
        covered = set() if target is None else self._packages(component, target, found)
        if target is not None and not target.distribution:
            return found.result()
        if component.ecosystem in DISTRO_ECOSYSTEMS:
            upstream = upstream_version(component.ecosystem, component.version)
            basis = f"upstream version {upstream} of the distribution package {component.version}"
            self._upstream(_subject(component, upstream), platforms, found, covered, basis)
        else:
            self._upstream(_subject(component, component.version), platforms, found, covered)
        return found.result()

    def _packages(
        self, component: Component, target: affected_osv.OsvTarget, found: "Found"
    ) -> set[str]:
        covered: set[str] = set()
        for name in sorted(target.names):
            for osv in self.source.osv_for_package(target.query_ecosystem, name):
                decision = affected_osv.decide(affected_osv.of_osv(osv), target)
                if decision.status is not Status.SILENT:
                    ident = affected_osv.vulnerability_id(osv)
                    covered.add(ident)
                    found.add(ident, MatchMethod.OSV, decision, osv)
        for record in self.source.cves_for_product(component.product):
            decision = affected_osv.decide(affected_osv.of_record(record), target)
            if decision.status is not Status.SILENT:
                covered.add(str(record["id"]))
                found.add(str(record["id"]), MatchMethod.OSV, decision, record)
        return covered

    def _upstream(
        self,
        subject: Subject,
        platforms: tuple[Cpe, ...],
        found: "Found",
        skip: set[str],
        basis: str | None = None,
    ) -> None:
        for record in self._candidates(subject).values():
            if str(record["id"]) in skip:
                continue
            method, decision = self._decide(record, subject, platforms)
            found.add(str(record["id"]), method, decision, record, basis)

    def _candidates(self, subject: Subject) -> dict[str, CveRecord]:
        records: dict[str, CveRecord] = {}
        for name in sorted(subject.names):
            vendor, _, product = name.partition(":")
            for record in self.source.cves_for_cpe(vendor, product):
                records.setdefault(str(record["id"]), record)
        for record in self.source.cves_for_product(subject.product):
            records.setdefault(str(record["id"]), record)
        return records

    def _decide(
        self, record: CveRecord, subject: Subject, platforms: tuple[Cpe, ...]
    ) -> tuple[MatchMethod, Decision]:
        if record.get("configurations"):
            return MatchMethod.CPE_CONFIGURATION, self._configured(record, subject, platforms)
        fixed_in = record.get("kernel_fixed_in") if subject.product == "linux_kernel" else None
        branch = affected_kernel.decide(fixed_in, subject.version) if fixed_in else SILENT
        if branch.status is not Status.SILENT and not branch.presumed:
            return MatchMethod.KERNEL_STABLE_FIX, branch
        names = product_names(subject.product)
        packages = frozenset({subject.product, *(n.partition(":")[2] for n in names.cpe)})
        entries = self._parsed(record).cve5
        cve5 = affected_cve5.decide(entries, names, subject.version, subject.scheme, packages)
        if cve5.status is not Status.SILENT:
            return MatchMethod.CVE5_AFFECTED, cve5
        if branch.status is not Status.SILENT:
            return MatchMethod.KERNEL_STABLE_FIX, branch
        inferred = affected_distro.decide(record, subject.product, subject.version, subject.scheme)
        return MatchMethod.DISTRIBUTION_FIX, inferred

    def _configured(
        self, record: CveRecord, subject: Subject, platforms: tuple[Cpe, ...]
    ) -> Decision:
        outcomes = [evaluate(c, subject, platforms) for c in self._parsed(record).configurations]
        certain = [o for o in outcomes if o.truth is Truth.TRUE and o.hits]
        conditional = [
            o for o in outcomes if o.truth is Truth.UNKNOWN and o.hits and not o.undecided
        ]
        chosen = certain or conditional
        if chosen:
            hits = [h for o in chosen for h in o.hits]
            conditions = (
                () if certain else tuple(dict.fromkeys(c for o in chosen for c in o.conditions))
            )
            sentence = hits[0].sentence
            if conditions:
                sentence += "; applies when running with " + " and ".join(conditions)
            why = {
                "matched": [
                    {"configuration": h.configuration, "criteria": h.criteria, **h.bounds.as_dict()}
                    for h in hits
                ]
            }
            fixed = next((h.bounds.end_excluding for h in hits if h.bounds.end_excluding), None)
            return Decision(Status.AFFECTED, sentence, why, fixed=fixed, conditions=conditions)
        undecided = [u for o in outcomes if o.truth is Truth.UNKNOWN for u in o.undecided]
        if undecided:
            return Decision(Status.UNDECIDED, undecided[0])
        return SILENT

    def _parsed(self, record: CveRecord) -> "Parsed":
        ident = str(record["id"])
        stamp = record.get("last_modified") or record.get("published")
        cached = self._records.get(ident)
        if cached is not None and (cached.record is record or (stamp and cached.stamp == stamp)):
            return cached
        configurations = parse_configurations(record.get("configurations") or [])
        parsed = Parsed(record, stamp, configurations, affected_cve5.parse_entries(record))
        self._records[ident] = parsed
        return parsed


@dataclass(frozen=True, slots=True)
class Parsed:
    """A record with its configurations and CVE 5 entries parsed, kept while the source returns
    the same record (the same object, or a copy with the same modification date)."""

    record: CveRecord = field(compare=False)
    stamp: str | None
    configurations: tuple[Configuration, ...]
    cve5: tuple[affected_cve5.Entry, ...]


class Found:
    """Matches and undecided vulnerabilities of one component, one per vulnerability id."""

    def __init__(self, component: Component) -> None:
        self.component = component
        self.matches: dict[str, VulnMatch] = {}
        self.undecided: dict[str, Undecided] = {}

    def add(
        self,
        ident: str,
        method: MatchMethod,
        decision: Decision,
        record: CveRecord,
        basis: str | None = None,
    ) -> None:
        """Record what a method decided about a vulnerability (affected or undecided)."""
        c = self.component
        if decision.status is Status.UNDECIDED:
            reason = f"{decision.sentence} ({basis})" if basis else decision.sentence
            self.undecided.setdefault(
                ident, Undecided(ident, c.product, c.id, c.version, method, reason)
            )
            return
        if decision.status is not Status.AFFECTED:
            return
        why = {"method": method.value, **decision.why, **({"basis": basis} if basis else {})}
        match = VulnMatch(
            cve=ident,
            product=c.product,
            component_id=c.id,
            component_version=c.version,
            method=method,
            sentence=f"{decision.sentence} (judged on the {basis})" if basis else decision.sentence,
            why=why,
            fixed_version=decision.fixed,
            conditions=decision.conditions,
            presumed=decision.presumed or basis is not None,
            record=record,
        )
        current = self.matches.get(ident)
        if current is None or _rank(match) < _rank(current):
            self.matches[ident] = match

    def result(self) -> ComponentMatches:
        """The matches and the undecided (those not matched another way), by vulnerability id."""
        matches = tuple(self.matches[k] for k in sorted(self.matches, key=vulnerability_order))
        undecided = tuple(
            self.undecided[k]
            for k in sorted(self.undecided, key=vulnerability_order)
            if k not in self.matches
        )
        return ComponentMatches(self.component.id, matches, undecided)


def match_component(
    component: Component, source: VulnSource, platform_cpes: Iterable[str] = ()
) -> list[VulnMatch]:
    """The vulnerabilities that apply to a component (see `Matcher.assess` for the undecided)."""
    return list(Matcher(source).assess(component, platform_cpes).matches)


def assess_components(
    components: Iterable[Component], source: VulnSource, platform_cpes: Iterable[str] = ()
) -> list[ComponentMatches]:
    """Matches and undecided vulnerabilities of every component, sharing one matcher's caches."""
    matcher = Matcher(source)
    platforms = tuple(platform_cpes)
    return [matcher.assess(c, platforms) for c in components]


def vulnerability_order(ident: str) -> tuple[int, int, int, str]:
    """Sort key of vulnerability ids: CVE ids by year and number, then other ids by text."""
    match = CVE_ID.match(ident)
    if match:
        return (0, int(match[1]), int(match[2]), "")
    return (1, 0, 0, ident)


def _rank(match: VulnMatch) -> tuple[bool, bool, int]:
    return (bool(match.conditions), match.presumed, METHOD_RANK[match.method])


def _subject(component: Component, version: str) -> Subject:
    cpes = tuple(c for c in (parse_cpe(t) for t in component.cpes) if c is not None)
    names = set(product_names(component.product).cpe)
    names |= {c.vendor_product for c in cpes if c.vendor_product}
    scheme = scheme_for_product(component.product)
    return Subject(component.product, version, scheme, frozenset(names), cpes)


@cache
def _source_names(product: str) -> tuple[str, ...]:
    """Package names that ship a product (Debian source `openssl` for a `libssl3` component)."""
    table = product_table()
    return tuple(sorted(n for n, p in table.exact.items() if p == product))
