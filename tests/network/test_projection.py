"""Projection of planned swaps against deadlines, and plan files validated like the inventory."""

from datetime import date
from pathlib import Path

import pytest

from assay.network.errors import NetworkInputError
from assay.network.model import Layer, Metric, RuleKind
from assay.network.plan import load_plan
from assay.network.projection import Status, project
from tests.network.check_support import element, inventory, profile, rule

AT = date(2025, 1, 1)
DEADLINE = date(2027, 12, 31)
OUT_OF_5G = rule(RuleKind.REMOVAL, "out-of-5g", network_types=("5G",), deadline=DEADLINE)
NETWORK = inventory(
    element("g1", "Huawei"),
    element("g2", "Huawei"),
    element("g3", "Nokia"),
    element("b1", "Huawei", operator="op-b"),
)


def _plan(tmp_path: Path, text: str, name: str = "plan.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _outcomes(tmp_path: Path, text: str) -> dict[str, tuple[Status, tuple[str, ...], list[str]]]:
    swaps = load_plan(_plan(tmp_path, text), NETWORK)
    return {
        p.operator: (p.status, p.elements, [s.element for s in p.late_swaps])
        for p in project(NETWORK, profile(OUT_OF_5G), swaps, AT)
    }


def test_compliant_when_every_swap_is_done_by_the_deadline_day(tmp_path: Path) -> None:
    plan = (
        "element,date,vendor,release\n"
        "g1,2026-05-01,Ericsson,23.1\n"
        "g2,2027-12-31,Nokia,\n"
        "b1,2027-01-01,,\n"
    )
    with pytest.raises(NetworkInputError, match=r"plan\.csv:4: field 'vendor'"):
        _outcomes(tmp_path, plan)
    plan = plan.replace("element,date,vendor,release", "element,date,vendor,release,remove")
    plan = plan.replace("b1,2027-01-01,,", "b1,2027-01-01,,,true")
    outcomes = _outcomes(tmp_path, plan)
    assert outcomes == {
        "op-a": (Status.COMPLIANT, (), []),
        "op-b": (Status.COMPLIANT, (), []),
    }


def test_at_risk_names_the_elements_left(tmp_path: Path) -> None:
    outcomes = _outcomes(tmp_path, "element,date,vendor\ng1,2026-05-01,Ericsson\n")
    assert outcomes["op-a"] == (Status.AT_RISK, ("g2",), [])
    assert outcomes["op-b"] == (Status.AT_RISK, ("b1",), [])


def test_late_when_the_fix_is_dated_after_the_deadline(tmp_path: Path) -> None:
    plan = "element,date,vendor\ng1,2026-05-01,Ericsson\ng2,2028-01-01,Nokia\nb1,2028-03-01,ZTE\n"
    outcomes = _outcomes(tmp_path, plan)
    assert outcomes["op-a"] == (Status.LATE, ("g2",), ["g2"])
    # A swap to another listed vendor fixes nothing: still at risk.
    assert outcomes["op-b"] == (Status.AT_RISK, ("b1",), ["b1"])


def test_a_passed_deadline_with_violations_left_is_late(tmp_path: Path) -> None:
    swaps = load_plan(_plan(tmp_path, "element,date,vendor\ng1,2027-06-01,Nokia\n"), NETWORK)
    found = project(NETWORK, profile(OUT_OF_5G), swaps, date(2028, 2, 1))
    assert [(p.operator, p.status) for p in found] == [("op-a", Status.LATE), ("op-b", Status.LATE)]


def test_cap_projection_needs_only_enough_swaps(tmp_path: Path) -> None:
    cap = rule(
        RuleKind.ACCESS_SHARE_CAP, max_percent=35.0, metrics=(Metric.SITES,), deadline=DEADLINE
    )
    network = inventory(*(element(f"e{i}", "Huawei" if i < 5 else "Nokia") for i in range(10)))
    plan = "element,date,vendor\ne0,2026-01-01,Nokia\ne1,2027-01-01,Nokia\n"
    swaps = load_plan(_plan(tmp_path, plan), network)
    [outcome] = project(network, profile(cap), swaps, AT)
    assert outcome.status is Status.COMPLIANT  # 3 of 10 sites: 30 %


def test_yaml_plan_and_its_errors(tmp_path: Path) -> None:
    core = rule(
        RuleKind.EXCLUDED_FUNCTION, "core", layers=(Layer.CORE,), deadline=date(2026, 12, 31)
    )
    network = inventory(element("smf", "Huawei", function="SMF", layer=Layer.CORE))
    text = "swaps:\n  - element: smf\n    date: 2026-06-30\n    vendor: Ericsson\n"
    swaps = load_plan(_plan(tmp_path, text, "plan.yaml"), network)
    [outcome] = project(network, profile(core), swaps, AT)
    assert outcome.status is Status.COMPLIANT
    bad = "- element: smf\n  date: 2026-06-31\n  vendor: Ericsson\n"
    with pytest.raises(NetworkInputError, match=r"^plan\.yaml:1: field 'date': not a date"):
        load_plan(_plan(tmp_path, bad, "plan.yaml"), network)
    unknown = "- element: smf\n  date: 2026-06-30\n  vendor: Ericsson\n- element: amf\n"
    with pytest.raises(NetworkInputError, match=r"^plan\.yaml:4: field 'element': no element"):
        load_plan(_plan(tmp_path, unknown, "plan.yaml"), network)
    typo = "element,date,vendr\nsmf,2026-01-01,Nokia\n"
    with pytest.raises(NetworkInputError, match=r"field 'vendr': unknown field \(did you mean"):
        load_plan(_plan(tmp_path, typo), network)


def test_a_swap_to_a_listed_vendor_after_the_cut_off_is_a_new_install(tmp_path: Path) -> None:
    installs = rule(
        RuleKind.NO_NEW_INSTALLS, installs_from=date(2020, 1, 28), deadline=date(2026, 1, 1)
    )
    network = inventory(element("g1", "Nokia", installed=date(2019, 1, 1)))
    swaps = load_plan(_plan(tmp_path, "element,date,vendor\ng1,2025-06-01,ZTE\n"), network)
    [outcome] = project(network, profile(installs), swaps, AT)
    assert (outcome.status, outcome.elements) == (Status.AT_RISK, ("g1",))
    upgrade = "element,date,vendor,release\ng1,2025-06-01,Nokia Oyj,24.2\n"
    swaps = load_plan(_plan(tmp_path, upgrade), network)
    [outcome] = project(network, profile(installs), swaps, AT)
    assert outcome.status is Status.COMPLIANT
