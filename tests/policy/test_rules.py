"""Every policy rule both ways, on documents of real scans: it passes on a release that
satisfies it and fails, naming the items and why, on one that does not."""

import copy
import gzip
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from assay.policy import evaluate_policy, parse_policy
from assay.policy.gate import RuleResult
from tests.policy.support import SCAN_DAY, scanned


def judge(document: dict[str, Any], rules: str, today: date = SCAN_DAY) -> RuleResult:
    """The one rule a policy of `rules` (YAML lines) sets, judged on `document`."""
    policy = parse_policy(f"version: 1\nname: test\n{rules}\n", "test.yaml")
    verdict = evaluate_policy(document, policy, today)
    assert len(verdict.rules) == 1, verdict.rules
    assert verdict.passed is verdict.rules[0].passed
    return verdict.rules[0]


def failed_ids(result: RuleResult) -> set[str]:
    return {item.id for item in result.failed}


def test_fail_on_kev(risky: dict[str, Any], clean: dict[str, Any]) -> None:
    assert judge(clean, "fail_on_kev: true").passed
    result = judge(risky, "fail_on_kev: true")
    assert not result.passed
    assert "CVE-2014-6271" in failed_ids(result)  # Shellshock is in KEV
    assert "known exploited" in result.reason
    assert all("in KEV" in item.detail for item in result.failed)


def test_max_cvss(risky: dict[str, Any], clean: dict[str, Any]) -> None:
    assert judge(clean, "max_cvss: 0.1").passed
    result = judge(risky, "max_cvss: 9.0")
    assert not result.passed and "CVE-2014-6271" in failed_ids(result)
    assert all(float(i.detail.split("CVSS ")[1].split(",")[0]) >= 9.0 for i in result.failed)
    assert "CVSS ≥ 9" in result.reason


def test_max_cvss_leaves_out_vulnerabilities_triaged_not_affected(risky: dict[str, Any]) -> None:
    triaged = copy.deepcopy(risky)
    for vulnerability in triaged["vulnerabilities"]:
        vulnerability["open"] = False
        vulnerability["triage"] = {"state": "not_affected"}
    assert judge(triaged, "max_cvss: 9.0").passed


def test_max_severity(risky: dict[str, Any], clean: dict[str, Any]) -> None:
    assert judge(clean, "max_severity: medium").passed  # its one finding is low
    assert not judge(clean, "max_severity: low").passed
    result = judge(risky, "max_severity: critical")
    rules = {item.detail.split(" ")[0] for item in result.failed}
    assert "config.debug.telnetd-shell" in rules  # a finding
    assert "CVE-2014-6271" in failed_ids(result)  # and a vulnerability
    assert "critical or above" in result.reason


def test_max_epss(risky: dict[str, Any], clean: dict[str, Any]) -> None:
    assert judge(clean, "max_epss: 0.01").passed
    result = judge(risky, "max_epss: 0.5")
    assert not result.passed and "CVE-2014-6271" in failed_ids(result)
    assert judge(risky, "max_epss: 1.0").passed


def test_fail_on_private_keys_ignores_documentation_examples(
    risky: dict[str, Any], clean: dict[str, Any]
) -> None:
    assert any(f["rule"] == "secret.private-key" for f in clean["findings"])  # seen, as context
    assert judge(clean, "fail_on_private_keys: true").passed
    result = judge(risky, "fail_on_private_keys: true")
    assert not result.passed
    assert [i.detail.split(" ")[0] for i in result.failed] == ["secret.private-key"]
    assert "/etc/ssl/private/device.key" in result.failed[0].detail


def test_min_hardening(risky: dict[str, Any], clean: dict[str, Any]) -> None:
    minimums = "min_hardening: {nx: 95, pie: 80, relro_full: 50, canary: 80}"
    assert judge(clean, minimums).passed
    result = judge(risky, minimums)
    assert failed_ids(result) >= {
        "min_hardening.pie",
        "min_hardening.relro_full",
        "min_hardening.canary",
    }
    assert "min_hardening.nx" not in failed_ids(result)
    assert "minimum 80%" in next(i.detail for i in result.failed if i.id.endswith("canary"))


def test_fail_on_eol(risky: dict[str, Any], clean: dict[str, Any]) -> None:
    assert judge(clean, "fail_on_eol: true").passed
    result = judge(risky, "fail_on_eol: true")
    assert not result.passed and "OpenSSL 1.0.2k" in result.failed[0].detail


def test_max_unsafe_ratio(risky: dict[str, Any], clean: dict[str, Any]) -> None:
    limits = "max_unsafe_ratio: {strcpy-like: 20, sprintf-like: 10, total: 15}"
    assert judge(clean, limits).passed
    result = judge(risky, limits)
    assert failed_ids(result) == {
        "max_unsafe_ratio.strcpy-like",
        "max_unsafe_ratio.sprintf-like",
        "max_unsafe_ratio.total",
    }
    assert "100.0% unsafe" in result.failed[0].detail


def test_forbidden_rules_with_globs(risky: dict[str, Any], clean: dict[str, Any]) -> None:
    rules = "forbidden_rules: [config.debug.*, password.default]"
    assert judge(clean, rules).passed
    result = judge(risky, rules)
    assert [i.detail.split(" ")[0] for i in result.failed] == ["config.debug.telnetd-shell"]
    assert "/etc/inittab" in result.failed[0].detail


def test_require_complete(clean: dict[str, Any], tmp_path: Path) -> None:
    assert judge(clean, "require_complete: true").passed
    (tmp_path / "cut.gz").write_bytes(gzip.compress(bytes(range(256)) * 400)[:300])
    incomplete = scanned(tmp_path, vulnerabilities=False)
    result = judge(incomplete, "require_complete: true")
    assert not result.passed
    assert {i.id for i in result.failed} == {"corrupt", "stage.unpack"}
    assert "incomplete" in result.reason


def test_vuln_data_max_age_days(clean: dict[str, Any]) -> None:
    assert clean["vulndata"]["age_days"] == 11
    assert judge(clean, "vuln_data_max_age_days: 30").passed
    result = judge(clean, "vuln_data_max_age_days: 10")
    assert not result.passed and "11 days old" in result.reason


@pytest.mark.parametrize(
    "rules", ["fail_on_kev: true", "max_cvss: 9", "vuln_data_max_age_days: 90"]
)
def test_vulnerability_rules_fail_when_vulnerabilities_were_not_matched(
    rules: str, tmp_path: Path
) -> None:
    (tmp_path / "motd").write_text("hello\n")
    result = judge(scanned(tmp_path, vulnerabilities=False), rules)
    assert not result.passed
    assert "--no-vulns" in result.reason


def test_fact_rules_fail_when_the_facts_are_missing(clean: dict[str, Any]) -> None:
    without = copy.deepcopy(clean)
    without["facts"] = {}
    assert "cannot be checked" in judge(without, "min_hardening: {nx: 50}").reason
    assert not judge(without, "max_unsafe_ratio: {total: 50}").passed


def test_rules_left_out_are_not_checked(risky: dict[str, Any]) -> None:
    policy = parse_policy("version: 1\nname: empty\nfail_on_kev: false\n", "p.yaml")
    verdict = evaluate_policy(risky, policy, SCAN_DAY)
    assert verdict.passed and verdict.rules == ()
