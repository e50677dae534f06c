"""The generated inventory loads cleanly and holds the shares, sites and vendors asked for."""

from datetime import date
from pathlib import Path

import pytest

from assay.network.inventory import load_inventory
from assay.network.model import Element, Layer, SiteClass
from tests.factories.network import HIGH_RISK_VENDOR, AccessMix, make_inventory


def _shares(elements: tuple[Element, ...], operator: str, network_type: str) -> tuple[float, ...]:
    access = [
        e
        for e in elements
        if e.operator == operator and e.network_type == network_type and e.layer is Layer.ACCESS
    ]
    listed = [e for e in access if e.vendor == HIGH_RISK_VENDOR]
    sites = len({e.site for e in listed}) / len({e.site for e in access})
    traffic = sum(e.traffic_share or 0 for e in listed) / sum(e.traffic_share or 0 for e in access)
    connections = sum(e.connections or 0 for e in listed) / sum(e.connections or 0 for e in access)
    return tuple(round(100 * share, 9) for share in (sites, traffic, connections))


@pytest.mark.parametrize("suffix", [".csv", ".yaml"])
def test_the_default_inventory_loads_in_both_formats(tmp_path: Path, suffix: str) -> None:
    rows = make_inventory(tmp_path / f"inventory{suffix}")
    elements = load_inventory(tmp_path / f"inventory{suffix}").elements
    assert len(elements) == len(rows) >= 300
    assert {e.operator for e in elements} == {"Albion Mobile", "Borealis Telecom"}
    assert {e.layer for e in elements} == set(Layer)
    assert _shares(elements, "Albion Mobile", "5G") == (20.0, 20.0, 20.0)
    assert _shares(elements, "Borealis Telecom", "full-fibre") == (10.0, 10.0, 10.0)
    assert make_inventory() == rows


@pytest.mark.parametrize("percent", [34.0, 35.0, 36.0])
def test_the_access_share_is_exact_by_each_metric(tmp_path: Path, percent: float) -> None:
    mixes = {
        "Albion Mobile": AccessMix(sites=percent, traffic=35.0, connections=20.0),
        "Borealis Telecom": AccessMix(sites=10.0, traffic=percent + 0.25, connections=percent),
    }
    make_inventory(tmp_path / "inventory.csv", access=mixes)
    elements = load_inventory(tmp_path / "inventory.csv").elements
    assert _shares(elements, "Albion Mobile", "5G") == (percent, 35.0, 20.0)
    assert _shares(elements, "Borealis Telecom", "5G") == (10.0, percent + 0.25, percent)


def test_an_unreachable_share_is_refused() -> None:
    with pytest.raises(ValueError, match="not a whole number of sites"):
        make_inventory(access_sites=30, access=AccessMix(sites=35.0))


def test_sensitive_site_upf_vendor_and_overrides(tmp_path: Path) -> None:
    make_inventory(
        tmp_path / "inventory.yaml",
        sensitive_site_class="nuclear",
        upf_vendor=HIGH_RISK_VENDOR,
        overrides={"albion-gnb-0002": {"install_date": date(2023, 1, 28)}},
    )
    elements = load_inventory(tmp_path / "inventory.yaml").elements
    nuclear = [e for e in elements if e.site_class is SiteClass.NUCLEAR]
    assert [(e.vendor, e.function) for e in nuclear] == [(HIGH_RISK_VENDOR, "gNB")]
    military = [e for e in elements if e.site_class is SiteClass.MILITARY]
    assert [e.vendor for e in military] != [HIGH_RISK_VENDOR]
    upfs = [e for e in elements if e.function == "UPF" and e.vendor == HIGH_RISK_VENDOR]
    assert [(e.id, e.layer) for e in upfs] == [("albion-upf-1", Layer.CORE)]
    by_id = {e.id: e for e in elements}
    assert by_id["albion-gnb-0002"].install_date == date(2023, 1, 28)
