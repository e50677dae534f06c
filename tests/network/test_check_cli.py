"""`assay network check` as a user runs it: a generated two-operator inventory against the shipped
UK Designated Vendor Direction; exit codes 0, 1 and 2, the JSON document and the projection."""

import json
from datetime import date
from pathlib import Path
from typing import Any

from tests.factories.network import HIGH_RISK_VENDOR, AccessMix, make_inventory
from tests.test_cli import assay, assert_usage_error

EARLY = (date(2019, 1, 1), date(2021, 12, 31))
AT = "2024-06-01"


def _check(tmp_path: Path, *extra: str, **mix: Any) -> tuple[int, dict[str, Any]]:
    inventory = make_inventory(tmp_path / "inventory.csv", install_dates=EARLY, **mix)
    assert len(inventory) > 200
    done = assay(
        "network", "check", "inventory.csv", "--profile", "uk-dvd-2022", "--at", AT, "--json",
        *extra, cwd=tmp_path,
    )  # fmt: skip
    assert "Traceback" not in done.stderr
    return done.returncode, json.loads(done.stdout)


def _rules(document: dict[str, Any]) -> set[str]:
    return {violation["rule"]["id"] for violation in document["violations"]}


def test_compliant_network_exits_0_and_reports_every_share(tmp_path: Path) -> None:
    code, document = _check(tmp_path, access=AccessMix(35.0, 35.0, 35.0))
    assert (code, document["violations"], document["compliant"]) == (0, [], True)
    five_g = [s for s in document["shares"] if s["network_type"] == "5G"]
    assert [s["sites"] for s in five_g] == [35.0, 35.0]
    assert {s["rule"] for s in five_g} == {"dvd-5g-access-cap"}
    assert [u["id"] for u in document["upcoming"]] == ["dvd-5g-removal"]
    assert document["upcoming"][0]["source"]["url"].startswith("https://")


def test_the_dvd_cap_counts_sites_and_reports_traffic(tmp_path: Path) -> None:
    # The shipped DVD profile counts sites only: over by traffic is reported, not a violation.
    by_traffic = AccessMix(sites=30.0, traffic=35.5, connections=30.0)
    code, document = _check(tmp_path, access={"Albion Mobile": by_traffic})
    assert (code, document["violations"]) == (0, [])
    share = next(s for s in document["shares"] if s["operator"] == "Albion Mobile")
    assert (share["sites"], share["traffic"], share["connections"]) == (30.0, 35.5, 30.0)
    code, document = _check(tmp_path, access={"Albion Mobile": AccessMix(36.0, 30.0, 30.0)})
    assert code == 1
    [violation] = document["violations"]
    assert (violation["rule"]["id"], violation["operator"]) == (
        "dvd-5g-access-cap",
        "Albion Mobile",
    )
    assert violation["share"]["sites"] == 36.0
    assert violation["element_count"] == len(violation["elements"]) > 0


def test_core_and_sensitive_site_violations_name_the_elements(tmp_path: Path) -> None:
    code, document = _check(tmp_path, upf_vendor=HIGH_RISK_VENDOR, sensitive_site_class="nuclear")
    assert code == 1
    assert _rules(document) == {"dvd-core", "dvd-sensitive-sites"}
    core = next(v for v in document["violations"] if v["rule"]["id"] == "dvd-core")
    assert len(core["elements"]) == 1 and "UPF" in core["message"]


def test_text_output_and_projection(tmp_path: Path) -> None:
    rows = make_inventory(tmp_path / "inventory.csv", install_dates=EARLY)
    gnbs = [r["id"] for r in rows if r["vendor"] == HIGH_RISK_VENDOR and r["network_type"] == "5G"]
    plan = "element,date,vendor\n" + "".join(f"{ident},2027-06-01,Nokia\n" for ident in gnbs)
    (tmp_path / "plan.csv").write_text(plan, encoding="utf-8")
    done = assay(
        "network", "check", "inventory.csv", "--profile", "uk-dvd-2022", "--at", AT,
        "--plan", "plan.csv", cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "compliant" in done.stdout and "dvd-5g-removal" in done.stdout
    late = plan.replace("2027-06-01", "2028-02-01")
    (tmp_path / "plan.csv").write_text(late, encoding="utf-8")
    code, document = _check(tmp_path, "--plan", "plan.csv")
    assert code == 1 and document["violations"] == []
    statuses = {(p["rule"]["id"], p["operator"]): p["status"] for p in document["projection"]}
    assert statuses[("dvd-5g-removal", "Albion Mobile")] == "late"


def test_bad_input_is_one_line_and_exit_2(tmp_path: Path) -> None:
    make_inventory(tmp_path / "inventory.csv")
    base = ("network", "check", "inventory.csv", "--profile")
    assert_usage_error(assay(*base, "uk-dvd-2099", cwd=tmp_path), "uk-dvd-2099")
    assert_usage_error(assay(*base, "uk-dvd-2022", "--at", "2024-13-01", cwd=tmp_path), "--at")
    (tmp_path / "plan.csv").write_text("element,date,vendor\nnope,2025-01-01,Nokia\n")
    done = assay(*base, "uk-dvd-2022", "--plan", "plan.csv", cwd=tmp_path)
    assert_usage_error(done, "plan.csv:2: field 'element'")


def test_a_bad_row_stops_the_check_before_any_output(tmp_path: Path) -> None:
    """Each bad field the issue names: exit 2, one line naming file, row and field, nothing on
    stdout (no half-evaluated result)."""
    rows = make_inventory(tmp_path / "inventory.csv")
    bad_row = 41  # the header is line 1
    target = str(rows[bad_row - 2]["id"])
    cases = {
        "function": ("AMFF", "unknown network function 'AMFF'"),
        "vendor": ("", "field 'vendor'"),
        "install_date": ("2023-02-30", "field 'install_date'"),
        "traffic_share": ("100.5", "field 'traffic_share'"),
    }
    for field, (value, words) in cases.items():
        make_inventory(tmp_path / "inventory.csv", overrides={target: {field: value}})
        done = assay("network", "check", "inventory.csv", "--profile", "uk-dvd-2022", cwd=tmp_path)
        assert_usage_error(done, f"inventory.csv:{bad_row}:", f"field '{field}'", words)
        assert done.stdout == ""
