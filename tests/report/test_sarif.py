"""The SARIF reporter: a golden file of a generated evaluation, valid against the official SARIF
2.1.0 schema, with rules, levels, locations, fingerprints and suppressions as code scanning
reads them."""

import copy
import io
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from assay.plugins import reporters
from assay.report.sarif import SarifReporter, sarif_log
from tests.factories.secrets_build import md5_crypt
from tests.report.golden_support import GOLDEN_DIR, TRIAGED_CVE, assert_golden, golden_document

SCHEMA = json.loads(
    (Path(__file__).resolve().parents[1] / "data/sarif-schema-2.1.0.json").read_text()
)


def render(document: dict[str, Any]) -> str:
    out = io.BytesIO()
    SarifReporter().render(document, out)
    return out.getvalue().decode("utf-8")


@pytest.fixture(scope="module")
def document(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return golden_document(tmp_path_factory.mktemp("sarif"))


@pytest.fixture(scope="module")
def run(document: dict[str, Any]) -> dict[str, Any]:
    log: dict[str, Any] = json.loads(render(document))
    return dict(log["runs"][0])


def test_matches_the_golden_file(document: dict[str, Any]) -> None:
    assert_golden("router-fw.sarif.json", render(document))


def test_a_changed_finding_changes_the_output(document: dict[str, Any]) -> None:
    changed = copy.deepcopy(document)
    changed["findings"][0]["severity"] = "low"
    assert render(changed) != (GOLDEN_DIR / "router-fw.sarif.json").read_text(encoding="utf-8")


def test_is_valid_against_the_official_schema(document: dict[str, Any]) -> None:
    validator = jsonschema.Draft4Validator(SCHEMA, format_checker=jsonschema.FormatChecker())
    errors = [f"{list(e.path)}: {e.message}" for e in validator.iter_errors(sarif_log(document))]
    assert errors == []


def test_an_invalid_log_is_caught_by_the_schema(document: dict[str, Any]) -> None:
    log = sarif_log(document)
    log["runs"][0]["results"][0]["level"] = "critical"
    assert not jsonschema.Draft4Validator(SCHEMA).is_valid(log)


def test_one_rule_per_finding_rule_and_per_cve(
    run: dict[str, Any], document: dict[str, Any]
) -> None:
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    assert {f["rule"] for f in document["findings"]} <= rules.keys()
    shellshock = rules["CVE-2014-6271"]
    assert shellshock["helpUri"] == "https://nvd.nist.gov/vuln/detail/CVE-2014-6271"
    assert shellshock["properties"]["security-severity"] == "9.8"
    assert "kev" in shellshock["properties"]["tags"]
    assert len(rules) == len(run["tool"]["driver"]["rules"])
    for result in run["results"]:
        assert run["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == result["ruleId"]


def test_levels_follow_severity(run: dict[str, Any]) -> None:
    by_rule = {r["ruleId"]: r for r in run["results"]}
    assert by_rule["config.debug.telnetd-shell"]["level"] == "error"
    assert by_rule["secret.private-key"]["level"] == "error"
    assert by_rule["password.weak-hash"]["level"] == "warning"


def test_locations_name_the_in_release_path_line_and_chain(run: dict[str, Any]) -> None:
    telnet = next(r for r in run["results"] if r["ruleId"] == "config.debug.telnetd-shell")
    location = telnet["locations"][0]
    assert location["physicalLocation"]["artifactLocation"]["uri"] == "etc/inittab"
    assert location["physicalLocation"]["region"]["startLine"] == 2
    assert location["properties"]["chain"] == ["router-fw", "/etc/inittab"]
    assert location["logicalLocations"][0]["fullyQualifiedName"] == "router-fw › /etc/inittab"


def test_vulnerabilities_point_at_the_component_evidence(run: dict[str, Any]) -> None:
    shellshock = next(r for r in run["results"] if r["ruleId"] == "CVE-2014-6271")
    physical = shellshock["locations"][0]["physicalLocation"]
    assert physical["artifactLocation"]["uri"] == "bin/bash"
    assert physical["region"]["byteOffset"] > 0
    assert "Known exploited" in shellshock["message"]["text"]


def test_fingerprints_are_the_stable_ids(run: dict[str, Any], document: dict[str, Any]) -> None:
    fingerprints = [next(iter(r["partialFingerprints"].values())) for r in run["results"]]
    assert len(set(fingerprints)) == len(fingerprints)
    assert {f["id"] for f in document["findings"]} <= set(fingerprints)


def test_triaged_vulnerabilities_are_suppressed(run: dict[str, Any]) -> None:
    triaged = [r for r in run["results"] if r["ruleId"] == TRIAGED_CVE]
    assert len(triaged) == 1
    assert triaged[0]["suppressions"][0]["kind"] == "external"
    assert "not_affected" in triaged[0]["suppressions"][0]["justification"]
    assert sum(1 for r in run["results"] if "suppressions" in r) == 1


def test_secrets_stay_redacted(run: dict[str, Any]) -> None:
    weak = next(r for r in run["results"] if r["ruleId"] == "password.weak-hash")
    snippet = weak["locations"][0]["physicalLocation"]["region"]["snippet"]["text"]
    assert "[redacted]" in snippet
    full_hash = md5_crypt("admin", "vendor")
    assert full_hash not in json.dumps(run, ensure_ascii=False)
    assert full_hash.split("$")[-1] not in json.dumps(run, ensure_ascii=False)


def test_paths_become_relative_uri_references() -> None:
    document = {
        "findings": [
            {
                "id": "1" * 16,
                "rule": "config.test",
                "category": "config",
                "severity": "low",
                "title": "t",
                "message": "m",
                "evidence": [{"artifact": "a", "location": "fw › /etc/a b:c%d"}],
                "properties": {},
            }
        ]
    }
    result = sarif_log(document)["runs"][0]["results"][0]
    uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "etc/a%20b%3Ac%25d"


def test_is_registered() -> None:
    assert "sarif" in {r.name for r in reporters()}
