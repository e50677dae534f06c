"""The rule engine: each rule kind both ways, the 35 % cap by each metric, deadlines, shares."""

from datetime import date

import pytest

from assay.network.check import check
from assay.network.model import Layer, Metric, RuleKind, SiteClass
from tests.network.check_support import element, inventory, profile, rule

AT = date(2024, 6, 1)


def _ids(result_violations: object) -> list[tuple[str, ...]]:
    return [v.elements for v in result_violations]  # type: ignore[attr-defined]


def test_upf_of_a_high_risk_vendor_is_a_core_violation() -> None:
    core = rule(RuleKind.EXCLUDED_FUNCTION, layers=(Layer.CORE,))
    result = check(
        inventory(
            element("upf-1", "Huawei Technologies Co., Ltd.", function="UPF", layer=Layer.CORE),
            element("upf-2", "Nokia", function="UPF", layer=Layer.CORE),
            element("gnb-1", "Huawei", function="gNB"),
        ),
        profile(core),
        AT,
    )
    assert _ids(result.violations) == [("upf-1",)]
    assert "UPF" in result.violations[0].message
    assert result.violations[0].rule is core


def test_excluded_function_by_name_and_compliant_inventory() -> None:
    amf = rule(RuleKind.EXCLUDED_FUNCTION, functions=("AMF",))
    clean = inventory(element("amf-1", "Ericsson", function="AMF", layer=Layer.CORE))
    assert check(clean, profile(amf), AT).violations == ()
    dirty = inventory(element("amf-2", "ZTE Corporation", function="amf", layer=Layer.CORE))
    assert _ids(check(dirty, profile(amf), AT).violations) == [("amf-2",)]


def test_sensitive_site() -> None:
    sites = rule(RuleKind.EXCLUDED_SITE, site_classes=(SiteClass.MILITARY,))
    result = check(
        inventory(
            element("a", "Huawei", site="base", site_class=SiteClass.MILITARY),
            element("b", "Huawei", site="town"),
            element("c", "Nokia", site="base", site_class=SiteClass.MILITARY),
            element("d", "Huawei", site="plant", site_class=SiteClass.NUCLEAR),
        ),
        profile(sites),
        AT,
    )
    assert _ids(result.violations) == [("a",)]
    every_class = rule(RuleKind.EXCLUDED_SITE)
    result = check(
        inventory(element("d", "Huawei", site="plant", site_class=SiteClass.NUCLEAR)),
        profile(every_class),
        AT,
    )
    assert _ids(result.violations) == [("d",)]


def _access(listed: int, total: int, **values: object) -> list[object]:
    return [
        element(f"e{i}", "Huawei" if i < listed else "Ericsson", **values)  # type: ignore[arg-type]
        for i in range(total)
    ]


@pytest.mark.parametrize(("listed", "violated"), [(349, False), (350, False), (351, True)])
def test_cap_by_sites(listed: int, violated: bool) -> None:
    cap = rule(RuleKind.ACCESS_SHARE_CAP, max_percent=35.0, metrics=(Metric.SITES,))
    result = check(inventory(*_access(listed, 1000)), profile(cap), AT)  # type: ignore[arg-type]
    assert bool(result.violations) is violated
    assert result.shares[0].sites == pytest.approx(listed / 10)
    assert result.shares[0].traffic is None


@pytest.mark.parametrize(("listed", "violated"), [(349, False), (350, False), (351, True)])
def test_cap_by_traffic(listed: int, violated: bool) -> None:
    cap = rule(RuleKind.ACCESS_SHARE_CAP, max_percent=35.0, metrics=(Metric.TRAFFIC,))
    # Every element carries 0.1 % of traffic: float sums must still land exactly on 35 %.
    elements = _access(listed, 1000, traffic=0.1, site="one-mast")
    result = check(inventory(*elements), profile(cap), AT)  # type: ignore[arg-type]
    assert bool(result.violations) is violated
    assert result.shares[0].sites == 100.0  # one shared mast: by sites it is over, not counted
    assert result.shares[0].traffic == pytest.approx(listed / 10)


@pytest.mark.parametrize(("listed", "violated"), [(349, False), (350, False), (351, True)])
def test_cap_by_connections(listed: int, violated: bool) -> None:
    cap = rule(RuleKind.ACCESS_SHARE_CAP, max_percent=35.0, metrics=(Metric.CONNECTIONS,))
    elements = _access(listed, 1000, connections=7, traffic=0.1)
    result = check(inventory(*elements), profile(cap), AT)  # type: ignore[arg-type]
    assert bool(result.violations) is violated
    share = result.shares[0]
    assert (share.sites, share.traffic, share.connections) == pytest.approx(
        (listed / 10, listed / 10, listed / 10)
    )
    if violated:
        assert len(result.violations[0].elements) == listed


def test_cap_counts_only_access_elements_of_the_network_type() -> None:
    cap = rule(RuleKind.ACCESS_SHARE_CAP, max_percent=35.0, network_types=("5G",))
    result = check(
        inventory(
            element("g1", "Huawei", traffic=10, connections=1),
            element("g2", "Nokia", traffic=90, connections=9),
            element("upf", "Huawei", function="UPF", layer=Layer.CORE, traffic=50, connections=5),
            element("l1", "Huawei", network_type="4G", traffic=100, connections=10),
        ),
        profile(cap),
        AT,
    )
    assert result.violations[0].message.startswith("share of high-risk over 35 %: sites 50.0 %")
    assert "traffic" not in result.violations[0].message
    by_type = {share.network_type: share for share in result.shares}
    assert (by_type["5G"].traffic, by_type["5G"].connections, by_type["5G"].rule) == (
        10.0,
        10.0,
        "r1",
    )
    # 4G has no cap rule: its share is still reported, against no cap.
    assert by_type["4G"].sites == 100.0 and by_type["4G"].max_percent is None


def test_unknown_metric_data_cannot_be_measured() -> None:
    elements = (element("a", "Huawei", traffic=10.0), element("b", "Nokia"))
    counted = rule(RuleKind.ACCESS_SHARE_CAP, max_percent=60.0, metrics=(Metric.TRAFFIC,))
    result = check(inventory(*elements), profile(counted), AT)
    assert len(result.violations) == 1
    assert "cannot be measured" in result.violations[0].message
    assert result.violations[0].elements == ("b",)
    assert result.shares[0].traffic is None and result.shares[0].sites == 50.0
    not_counted = rule(RuleKind.ACCESS_SHARE_CAP, max_percent=60.0, metrics=(Metric.SITES,))
    result = check(inventory(*elements), profile(not_counted), AT)
    assert result.violations == ()
    assert result.shares[0].traffic is None


def test_deadline_day_is_compliant_and_the_day_after_is_not() -> None:
    deadline = date(2023, 12, 31)
    core = rule(RuleKind.EXCLUDED_FUNCTION, layers=(Layer.CORE,), deadline=deadline)
    elements = inventory(element("smf", "Huawei", function="SMF", layer=Layer.CORE))
    on_the_day = check(elements, profile(core), deadline)
    assert on_the_day.violations == ()
    assert on_the_day.upcoming == (core,)
    day_after = check(elements, profile(core), date(2024, 1, 1))
    assert _ids(day_after.violations) == [("smf",)]
    assert day_after.upcoming == ()


def test_no_new_installs() -> None:
    cutoff = date(2020, 1, 28)
    installs = rule(RuleKind.NO_NEW_INSTALLS, installs_from=cutoff, network_types=("5G",))
    result = check(
        inventory(
            element("old", "Huawei", installed=date(2020, 1, 27)),
            element("on-day", "Huawei", installed=cutoff),
            element("planned", "Huawei", installed=date(2025, 1, 1)),
            element("nokia", "Nokia", installed=date(2021, 1, 1)),
            element("lte", "Huawei", network_type="4G", installed=date(2021, 1, 1)),
            element("undated", "Huawei"),
        ),
        profile(installs),
        AT,
    )
    assert _ids(result.violations) == [("on-day",), ("undated",)]
    assert "cannot be determined" in result.violations[1].message


def test_removal_honours_network_types() -> None:
    out = rule(RuleKind.REMOVAL, network_types=("5G",), deadline=date(2027, 12, 31))
    elements = inventory(
        element("n1", "Huawei"), element("l1", "Huawei", network_type="4G"), element("n2")
    )
    assert check(elements, profile(out), date(2027, 12, 31)).violations == ()
    assert _ids(check(elements, profile(out), date(2028, 1, 1)).violations) == [("n1",)]


def test_single_vendor_per_function() -> None:
    diversity = rule(RuleKind.SINGLE_VENDOR, vendors=None, scope="function", layers=(Layer.CORE,))
    result = check(
        inventory(
            element("upf-1", "Nokia", function="UPF", layer=Layer.CORE),
            element("upf-2", "Nokia Oyj", function="UPF", layer=Layer.CORE),
            element("amf-1", "Nokia", function="AMF", layer=Layer.CORE),
            element("amf-2", "Ericsson", function="AMF", layer=Layer.CORE),
            element("gnb-1", "Nokia"),
        ),
        profile(diversity),
        AT,
    )
    assert _ids(result.violations) == [("upf-1", "upf-2")]
    assert "function UPF: 1 vendor(s)" in result.violations[0].message


def test_single_vendor_per_region() -> None:
    diversity = rule(RuleKind.SINGLE_VENDOR, vendors=None, scope="region", min_vendors=2)
    result = check(
        inventory(
            element("n1", "Nokia", region="North"),
            element("n2", "Nokia", region="North"),
            element("s1", "Nokia", region="South"),
            element("s2", "Ericsson", region="South"),
            element("x", "Nokia"),
        ),
        profile(diversity),
        AT,
    )
    assert _ids(result.violations) == [("n1", "n2")]


def test_violations_are_per_operator_and_network_type() -> None:
    out = rule(RuleKind.REMOVAL)
    result = check(
        inventory(
            element("a1", "Huawei", operator="op-a"),
            element("b1", "Huawei", operator="op-b"),
            element("b2", "ZTE", operator="op-b", network_type="full-fibre", function="OLT"),
        ),
        profile(out),
        AT,
    )
    keys = [(v.operator, v.network_type, v.elements) for v in result.violations]
    assert keys == [
        ("op-a", "5G", ("a1",)),
        ("op-b", "5G", ("b1",)),
        ("op-b", "full-fibre", ("b2",)),
    ]
