"""Policy profiles: the shipped cited profiles, the file format's validation, user files, the
`profiles` command and vendor-name matching."""

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import typer
import yaml
from typer.testing import CliRunner

from assay.cli.errors import UsageError
from assay.cli.network_profiles import profiles
from assay.network.errors import NetworkInputError
from assay.network.model import Layer, Metric, RuleKind, SiteClass, VendorList
from assay.network.profiles import load_profile, resolve_profile, shipped_profiles
from assay.network.vendors import vendor_matches, vendor_words

SHIPPED_IDS = {"uk-ncsc-2020", "uk-dvd-2022", "de-2024", "eu-toolbox-2020"}


def _base() -> dict[str, Any]:
    return {
        "id": "my-policy",
        "title": "My operator's policy",
        "jurisdiction": "GB",
        "description": "A policy of our own.",
        "sources": {
            "board": {
                "title": "Board decision 12",
                "publisher": "Example Telecom",
                "published": "2024-03-01",
                "url": "https://example.org/decision-12",
            }
        },
        "vendor_lists": {"hrv": {"vendors": ["Huawei", "ZTE"], "source": "board"}},
        "rules": [
            {
                "id": "core",
                "kind": "excluded-function",
                "title": "No high-risk vendor in the core",
                "source": "board",
                "vendors": "hrv",
                "layers": ["core"],
                "functions": ["gnodeb"],
                "deadline": "2025-12-31",
            },
            {
                "id": "cap",
                "kind": "access-share-cap",
                "title": "At most 20 % of access",
                "source": "board",
                "section": "§ 3",
                "vendors": "hrv",
                "network_types": ["5G"],
                "max_percent": 20,
                "metrics": ["sites", "traffic"],
            },
            {
                "id": "diverse",
                "kind": "single-vendor",
                "title": "Two vendors per region",
                "source": "board",
                "scope": "region",
                "min_vendors": 3,
            },
        ],
    }


def _write(tmp_path: Path, data: dict[str, Any]) -> Path:
    path = tmp_path / "mine.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def _by_id(profile_id: str) -> Any:
    return {profile.id: profile for profile in shipped_profiles()}[profile_id]


def test_every_shipped_profile_loads_and_every_rule_cites_a_source_with_url() -> None:
    loaded = shipped_profiles()
    assert {profile.id for profile in loaded} == SHIPPED_IDS
    for profile in loaded:
        cited = {rule.source for rule in profile.rules}
        cited |= {listed.source for listed in profile.vendor_lists.values()}
        assert cited == set(profile.sources), profile.id
        for rule in profile.rules:
            source = profile.sources[rule.source]
            assert source.url.startswith("https://"), (profile.id, rule.id)
            assert source.title and source.publisher and rule.section, (profile.id, rule.id)
            assert rule.vendors is None or rule.vendors in profile.vendor_lists


def test_dvd_dates_are_those_of_the_direction() -> None:
    rules = {rule.id: rule for rule in _by_id("uk-dvd-2022").rules}
    assert rules["dvd-no-5g-installs"].installs_from == date(2022, 10, 13)
    assert rules["dvd-no-5g-installs"].network_types == ("5G",)
    assert rules["dvd-sensitive-sites"].deadline == date(2023, 1, 28)
    assert rules["dvd-5g-access-cap"].deadline == date(2023, 7, 31)
    assert rules["dvd-5g-access-cap"].max_percent == 35
    assert rules["dvd-fibre-access-cap"].deadline == date(2023, 10, 31)
    assert rules["dvd-fibre-access-cap"].network_types == ("full-fibre",)
    assert rules["dvd-core"].deadline == date(2023, 12, 31)
    assert rules["dvd-core"].layers == (Layer.CORE,)
    assert rules["dvd-5g-removal"].kind is RuleKind.REMOVAL
    assert rules["dvd-5g-removal"].deadline == date(2027, 12, 31)
    designated = _by_id("uk-dvd-2022").vendor_lists["designated"]
    assert vendor_matches("Huawei Technologies (UK) Co. Limited", designated)
    assert not vendor_matches("ZTE", designated)


def test_other_shipped_thresholds() -> None:
    ncsc = {rule.id: rule for rule in _by_id("uk-ncsc-2020").rules}
    assert ncsc["hrv-access-cap"].max_percent == 35
    assert {"OSS", "AAA", "NFVI", "lawful intercept"} <= set(ncsc["hrv-core"].functions)
    assert SiteClass.CNI_SAFETY in ncsc["hrv-sensitive-sites"].site_classes
    de = {rule.id: rule for rule in _by_id("de-2024").rules}
    assert de["de-5g-core"].deadline == date(2026, 12, 31)
    assert de["de-5g-management"].deadline == date(2029, 12, 31)
    eu = _by_id("eu-toolbox-2020")
    assert {rule.scope for rule in eu.rules if rule.kind is RuleKind.SINGLE_VENDOR} == {
        "function",
        "region",
    }
    assert eu.sources[eu.vendor_lists["high-risk"].source].published == date(2023, 6, 15)


def test_user_profile_round_trip(tmp_path: Path) -> None:
    profile = load_profile(_write(tmp_path, _base()))
    assert profile.id == "my-policy" and profile.origin.endswith("mine.yaml")
    core, cap, diverse = profile.rules
    assert core.functions == ("gNB",)  # the taxonomy's canonical name
    assert core.layers == (Layer.CORE,) and core.deadline == date(2025, 12, 31)
    assert cap.metrics == (Metric.SITES, Metric.TRAFFIC) and cap.max_percent == 20.0
    assert cap.section == "§ 3" and cap.network_types == ("5G",)
    assert diverse.vendors is None and diverse.min_vendors == 3 and diverse.scope == "region"
    assert profile.sources["board"].published == date(2024, 3, 1)
    assert resolve_profile(str(tmp_path / "mine.yaml")) == profile
    assert resolve_profile("uk-dvd-2022").id == "uk-dvd-2022"


def _rule(index: int, **changes: Any) -> dict[str, Any]:
    data = _base()
    data["rules"][index].update(changes)
    return data


BAD_PROFILES = [
    (_rule(0, kind="excluded-funktion"), "rule 'core': field 'kind': unknown rule kind"),
    (_rule(0, source="nowhere"), "rule 'core': field 'source': unknown source 'nowhere'"),
    (_rule(0, vendors="evil"), "rule 'core': field 'vendors': unknown vendor list 'evil'"),
    (_rule(0, functions=["AMFF"]), "rule 'core': field 'functions': unknown network function"),
    (_rule(0, deadline="2025-02-30"), "rule 'core': field 'deadline': not a date"),
    (_rule(0, deadline="31/12/2025"), "rule 'core': field 'deadline': not a date"),
    (_rule(1, max_percent=135), "rule 'cap': field 'max_percent': must be between 0 and 100"),
    (_rule(1, max_percent=-1), "rule 'cap': field 'max_percent': must be between 0 and 100"),
    (_rule(1, max_percent="35%"), "rule 'cap': field 'max_percent': must be a number"),
    (_rule(0, max_percent=35), "rule 'core': field 'max_percent': not meaningful for"),
    (_rule(2, vendors="hrv"), "rule 'diverse': field 'vendors': not meaningful for"),
    (_rule(1, installs_from="2024-01-01"), "rule 'cap': field 'installs_from': not meaningful"),
    (_rule(1, metrics=[]), "rule 'cap': field 'metrics': required for a access-share-cap"),
    (_rule(1, metrics=["bandwidth"]), "rule 'cap': field 'metrics': unknown value 'bandwidth'"),
    (_rule(0, layers=None, functions=None), "rule 'core': field 'functions': an excluded-func"),
    (_rule(0, layers=["edge"]), "rule 'core': field 'layers': unknown value 'edge'"),
    (_rule(2, scope="country"), "rule 'diverse': field 'scope': must be one of"),
    (_rule(2, min_vendors=1), "rule 'diverse': field 'min_vendors': must be at least 2"),
    (_rule(0, colour="red"), "rule 'core': field 'colour': unknown key"),
    (_rule(1, id="core"), "rule 'core': field 'id': duplicate rule id"),
    (_rule(0, title=""), "rule 'core': field 'title': must be a non-empty text"),
]


@pytest.mark.parametrize(("data", "message"), BAD_PROFILES)
def test_bad_rule_names_file_rule_and_field(tmp_path: Path, data: Any, message: str) -> None:
    with pytest.raises(NetworkInputError) as caught:
        load_profile(_write(tmp_path, data))
    text = str(caught.value)
    assert text.startswith(str(tmp_path / "mine.yaml") + ": ") and "\n" not in text
    assert message in text


def _top(**changes: Any) -> dict[str, Any]:
    data = _base()
    data.update(changes)
    return data


def test_bad_profile_level_fields(tmp_path: Path) -> None:
    source = dict(_base()["sources"]["board"])
    bad_date, bad_url = {**source, "published": "2024-13-01"}, {**source, "url": "example.org"}
    cases = [
        (_top(sources={"board": bad_date}), "source 'board': field 'published': not a date"),
        (_top(sources={"board": bad_url}), "source 'board': field 'url'"),
        (_top(sources={"board": source, "spare": source}), "field 'sources.spare': cited by no"),
        (_top(vendor_lists={"hrv": {"vendors": []}}), "vendor list 'hrv': field 'vendors'"),
        (_top(vendor_lists={"hrv": {"vendors": ["ZTE"]}}), "vendor list 'hrv': field 'source'"),
        (_top(rules=[]), "field 'rules': a profile states at least one rule"),
        (_top(id="My Policy"), "field 'id': use lower-case"),
        (_top(owner="me"), "field 'owner': unknown key"),
    ]  # fmt: skip
    for data, message in cases:
        with pytest.raises(NetworkInputError, match=message.replace(".", r"\.")):
            load_profile(_write(tmp_path, data))


def test_unreadable_and_unknown_profiles(tmp_path: Path) -> None:
    bad = tmp_path / "broken.yaml"
    bad.write_text("id: [unclosed\n", encoding="utf-8")
    with pytest.raises(NetworkInputError, match="not valid YAML at line"):
        load_profile(bad)
    with pytest.raises(NetworkInputError, match="no such profile file or shipped id"):
        resolve_profile("uk-dvd-2099")


@pytest.mark.parametrize(
    ("name", "entry", "expected"),
    [
        ("Huawei", "Huawei", True),
        ("HUAWEI", "huawei", True),
        ("Huawei Technologies Co., Ltd.", "Huawei", True),
        ("huawei technologies", "Huawei Technologies Co., Ltd.", True),
        ("Huawei-Technologies (UK) Co. Limited", "Huawei Technologies", True),
        ("ZTE Corporation", "ZTE", True),
        ("Z.T.E.", "ZTE", False),
        ("Huaweii", "Huawei", False),
        ("Huawei", "Huawei Technologies", False),
        ("Nokia", "Huawei", False),
        ("Ericsson AB", "Ericsson", True),
        ("Telefónica", "Telefonica", True),
        ("ZTEsoft", "ZTE", False),
        ("", "ZTE", False),
    ],
)
def test_vendor_matching(name: str, entry: str, expected: bool) -> None:
    listed = VendorList(name="hrv", vendors=(entry, "Unrelated Name"), source="s")
    assert vendor_matches(name, listed) is expected


def test_vendor_words_strip_only_trailing_company_forms() -> None:
    assert vendor_words("Huawei Technologies Co., Ltd.") == ("huawei", "technologies")
    assert vendor_words("Co Ltd") == ("co",)  # a name is never emptied
    assert vendor_words("AG Networks GmbH") == ("ag", "networks")


def _app() -> typer.Typer:
    app = typer.Typer()
    app.command()(profiles)
    return app


def test_profiles_command_lists_rules_and_sources(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        _app(), ["--json", "--profile-file", str(_write(tmp_path, _base()))]
    )
    assert result.exit_code == 0, result.output
    listed = json.loads(result.stdout)
    assert [profile["id"] for profile in listed][-1] == "my-policy"
    assert {profile["id"] for profile in listed} >= SHIPPED_IDS
    dvd = next(profile for profile in listed if profile["id"] == "uk-dvd-2022")
    cap = next(rule for rule in dvd["rules"] if rule["id"] == "dvd-5g-access-cap")
    assert cap["max_percent"] == 35 and cap["deadline"] == "2023-07-31"
    assert dvd["sources"][cap["source"]]["url"].startswith("https://www.gov.uk/")
    table = CliRunner().invoke(_app(), [], env={"COLUMNS": "200"})
    assert table.exit_code == 0
    assert "dvd-5g-access-cap" in table.stdout and "2027-12-31" in table.stdout
    assert "https://www.bmi.bund.de/" in table.stdout


def test_profiles_command_bad_file_is_usage_error(tmp_path: Path) -> None:
    path = _write(tmp_path, _rule(1, max_percent=135))
    result = CliRunner().invoke(_app(), ["--profile-file", str(path)])
    assert result.exit_code != 0
    assert isinstance(result.exception, UsageError)
    assert "field 'max_percent'" in str(result.exception)
