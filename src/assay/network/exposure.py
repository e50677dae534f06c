"""Exposure: the network elements that run a release with open critical or KEV-listed
vulnerabilities, end-of-life components, failed binary equivalence or hardening below policy,
read from the evaluations and equivalence runs saved in the store."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from assay.network.model import Element, Inventory
from assay.policy.rules_facts import min_hardening
from assay.policy.schema import Policy
from assay.store.rows import evaluation_id

EOL_RULE = "component.end-of-life"
SHOWN_IDS = 5


class ReleaseRecords(Protocol):
    """What exposure reads from the store (EvaluationStore satisfies it)."""

    def latest_evaluation(
        self, product: str, version: str, vendor: str | None = None
    ) -> dict[str, Any] | None: ...

    def latest_equivalence(
        self, product: str, version: str, vendor: str | None = None
    ) -> dict[str, Any] | None: ...


@dataclass(frozen=True, slots=True)
class ReleaseRisk:
    """What the store knows against one deployed release; `evaluation` None: never evaluated."""

    vendor: str
    product: str
    release: str
    evaluation: str | None
    kev: tuple[str, ...] = ()
    critical: tuple[str, ...] = ()
    end_of_life: tuple[str, ...] = ()
    hardening: tuple[str, ...] = ()
    equivalence: tuple[int, int] | None = None

    @property
    def reasons(self) -> list[str]:
        """Each exposure of the release, as a phrase ("2 KEV CVEs (CVE-…, CVE-…)")."""
        found = []
        if self.evaluation is None:
            found.append("has never been evaluated")
        if self.kev:
            found.append(_counted(self.kev, "KEV CVE"))
        if self.critical:
            found.append(_counted(self.critical, "open critical CVE"))
        if self.end_of_life:
            found.append(_counted(self.end_of_life, "end-of-life component"))
        if self.hardening:
            found.append("hardening below policy: " + "; ".join(self.hardening))
        if self.equivalence is not None and self.equivalence[0] < self.equivalence[1]:
            equivalent, total = self.equivalence
            found.append(f"failed binary equivalence ({equivalent} of {total} equivalent)")
        return found


@dataclass(frozen=True, slots=True)
class ExposureGroup:
    """Elements of one operator, network type, function and region running one exposed release."""

    operator: str
    network_type: str
    function: str
    region: str | None
    risk: ReleaseRisk
    elements: tuple[str, ...]

    def sentence(self) -> str:
        """`34 gNB in region North (operator A, 5G) run Acme RAN 3.2.1, which has 2 KEV CVEs`."""
        where = f" in region {self.region}" if self.region else ""
        subject = f"{len(self.elements)} {self.function}{where}"
        release = f"{self.risk.vendor} {self.risk.product} {self.risk.release}"
        verb = "runs" if len(self.elements) == 1 else "run"
        reasons = ", ".join(self.risk.reasons)
        scope = f"({self.operator}, {self.network_type})"
        return f"{subject} {scope} {verb} {release}, which {reasons}"


def _counted(ids: tuple[str, ...], noun: str) -> str:
    shown = ", ".join(ids[:SHOWN_IDS]) + (", …" if len(ids) > SHOWN_IDS else "")
    plural = "" if len(ids) == 1 else "s"
    return f"has {len(ids)} {noun}{plural} ({shown})"


def release_risk(
    records: ReleaseRecords, vendor: str, product: str, release: str, policy: Policy | None
) -> ReleaseRisk:
    """What the newest saved evaluation and equivalence run of the release show."""
    document = records.latest_evaluation(product, release, vendor)
    equivalence = records.latest_equivalence(product, release, vendor)
    checked = (int(equivalence["equivalent"]), int(equivalence["total"])) if equivalence else None
    if document is None:
        return ReleaseRisk(vendor, product, release, None, equivalence=checked)
    vulnerabilities = [v for v in document.get("vulnerabilities", []) if v.get("open", True)]
    return ReleaseRisk(
        vendor,
        product,
        release,
        evaluation_id(document),
        kev=_cves(v for v in vulnerabilities if v.get("kev")),
        critical=_cves(v for v in vulnerabilities if v.get("severity") == "critical"),
        end_of_life=_end_of_life(document),
        hardening=_hardening(document, policy),
        equivalence=checked,
    )


def _cves(vulnerabilities: Iterable[dict[str, Any]]) -> tuple[str, ...]:
    return tuple(sorted({str(v.get("cve") or v.get("id")) for v in vulnerabilities}))


def _end_of_life(document: dict[str, Any]) -> tuple[str, ...]:
    names = set()
    for finding in document.get("findings", []):
        if finding.get("rule") == EOL_RULE:
            facts = finding.get("properties") or {}
            label = " ".join(str(facts[k]) for k in ("product", "version") if facts.get(k))
            names.add(label or str(finding.get("title")))
    return tuple(sorted(names))


def _hardening(document: dict[str, Any], policy: Policy | None) -> tuple[str, ...]:
    if policy is None:
        return ()
    check = min_hardening(policy, document)
    if check is None or check.unavailable:
        return ()
    return tuple(item.detail for item in check.items)


def exposure(
    inventory: Inventory, records: ReleaseRecords, policy: Policy | None = None
) -> tuple[ExposureGroup, ...]:
    """The exposed elements, grouped by operator, network type, function, region and release,
    most exposed first (KEV, then critical CVEs, then element count); each distinct release is
    looked up once. Elements without a product and release are not judged."""
    risks: dict[tuple[str, str, str], ReleaseRisk] = {}
    groups: dict[tuple[str, str, str, str | None, tuple[str, str, str]], list[str]] = defaultdict(
        list
    )
    for element in inventory.elements:
        key = _release_key(element)
        if key is None:
            continue
        if key not in risks:
            risks[key] = release_risk(records, *key, policy)
        if risks[key].reasons:
            group = (element.operator, element.network_type, element.function, element.region)
            groups[(*group, key)].append(element.id)
    found = [
        ExposureGroup(operator, network_type, function, region, risks[key], tuple(ids))
        for (operator, network_type, function, region, key), ids in groups.items()
    ]
    return tuple(sorted(found, key=_most_exposed_first))


def _most_exposed_first(group: ExposureGroup) -> tuple[int, int, int, str, str, str, str]:
    risk = group.risk
    return (
        -len(risk.kev),
        -len(risk.critical),
        -len(group.elements),
        group.operator,
        group.network_type,
        group.function,
        group.region or "",
    )


def _release_key(element: Element) -> tuple[str, str, str] | None:
    if not element.product or not element.release:
        return None
    return element.vendor, element.product, element.release


def exposure_json(groups: tuple[ExposureGroup, ...]) -> list[dict[str, Any]]:
    """The exposure groups as JSON objects, every element id included."""
    return [
        {
            "operator": g.operator,
            "network_type": g.network_type,
            "function": g.function,
            "region": g.region,
            "vendor": g.risk.vendor,
            "product": g.risk.product,
            "release": g.risk.release,
            "evaluation": g.risk.evaluation,
            "kev": list(g.risk.kev),
            "critical": list(g.risk.critical),
            "end_of_life": list(g.risk.end_of_life),
            "hardening": list(g.risk.hardening),
            "equivalence": (
                {"equivalent": g.risk.equivalence[0], "total": g.risk.equivalence[1]}
                if g.risk.equivalence
                else None
            ),
            "elements": list(g.elements),
            "summary": g.sentence(),
        }
        for g in groups
    ]
