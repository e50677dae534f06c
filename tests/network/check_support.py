"""Builders for the rule-engine tests: elements, rules and profiles made in code."""

from datetime import date

from assay.network.model import (
    Element,
    Inventory,
    Layer,
    Origin,
    Profile,
    Rule,
    RuleKind,
    SiteClass,
    Source,
    VendorList,
)

HIGH_RISK = "high-risk"
SOURCE = Source(
    id="dvd",
    title="Designated Vendor Direction",
    publisher="DCMS",
    published=date(2022, 10, 13),
    url="https://example.gov.uk/dvd",
)


def element(
    ident: str,
    vendor: str = "Nokia",
    *,
    operator: str = "op-a",
    network_type: str = "5G",
    function: str = "gNB",
    layer: Layer = Layer.ACCESS,
    site: str | None = None,
    site_class: SiteClass = SiteClass.NONE,
    region: str | None = None,
    traffic: float | None = None,
    connections: int | None = None,
    installed: date | None = None,
) -> Element:
    """One element; its site is its own unless named."""
    return Element(
        id=ident,
        operator=operator,
        network_type=network_type,
        function=function,
        layer=layer,
        vendor=vendor,
        product=None,
        release=None,
        install_date=installed,
        site=site or f"site-{ident}",
        site_class=site_class,
        region=region,
        traffic_share=traffic,
        connections=connections,
        origin=Origin("inventory.csv", 2),
    )


def rule(kind: RuleKind, ident: str = "r1", **fields: object) -> Rule:
    """A rule of the kind, on the high-risk list unless `vendors` is given."""
    fields.setdefault("vendors", HIGH_RISK)
    return Rule(id=ident, kind=kind, title=f"rule {ident}", source="dvd", **fields)  # type: ignore[arg-type]


def profile(*rules: Rule) -> Profile:
    """A profile with the rules and one high-risk list (Huawei, ZTE)."""
    return Profile(
        id="test",
        title="Test profile",
        jurisdiction="UK",
        description="",
        sources={"dvd": SOURCE},
        vendor_lists={HIGH_RISK: VendorList(HIGH_RISK, ("Huawei", "ZTE"), "dvd")},
        rules=rules,
    )


def inventory(*elements: Element) -> Inventory:
    """An inventory of the elements."""
    return Inventory(source="inventory.csv", elements=elements)
