"""Policy files: the shipped ones load; malformed ones give one line naming the field."""

from pathlib import Path

import pytest

from assay.policy import PolicyError, load_policy, parse_policy
from assay.policy.schema import Policy

POLICIES = Path(__file__).resolve().parents[2] / "src/assay/data/policies"


@pytest.mark.parametrize("name", ["lab-strict", "ci"])
def test_shipped_policies_load(name: str) -> None:
    policy = load_policy(POLICIES / f"{name}.yaml")
    assert policy.name == name
    assert policy.fail_on_kev and policy.fail_on_private_keys


def test_lab_strict_sets_what_a_lab_wants() -> None:
    policy = load_policy(POLICIES / "lab-strict.yaml")
    assert policy.max_cvss == 7.0 and policy.fail_on_eol and policy.require_complete
    assert policy.min_hardening is not None and policy.min_hardening.minimums()["canary"] == 80
    assert {"config.debug.*", "password.default"} <= set(policy.forbidden_rules)


def test_ci_has_waivers() -> None:
    policy = load_policy(POLICIES / "ci.yaml")
    assert policy.max_cvss == 9.0 and policy.waivers and all(w.reason for w in policy.waivers)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("min_hardening: {nx: 120}", "p.yaml: min_hardening.nx: must be between 0 and 100"),
        ("fail_on_kevs: true", "p.yaml: fail_on_kevs: unknown key"),
        ("min_hardening: {aslr: 50}", "p.yaml: min_hardening.aslr: unknown key"),
        ("max_cvss: high", "p.yaml: max_cvss: must be a valid number"),
        ("max_cvss: 11", "p.yaml: max_cvss: must be between 0 and 10"),
        ("max_epss: -0.1", "p.yaml: max_epss: must be between 0 and 1"),
        ("fail_on_kev: 1", "p.yaml: fail_on_kev: must be a valid boolean"),
        ("max_severity: severe", "p.yaml: max_severity: must be 'info'"),
        ("forbidden_rules: [a, 3]", "p.yaml: forbidden_rules[1]: must be a valid string"),
        ("min_hardening: 5", "p.yaml: min_hardening: must be a mapping"),
        ("max_unsafe_ratio: {strcpy: 5}", "p.yaml: max_unsafe_ratio: unknown function family"),
        ("waivers: [{id: CVE-1, reason: r}]", "p.yaml: waivers[0].expires: required"),
        (
            "waivers: [{id: X, reason: r, expires: '2027-1-1'}]",
            "p.yaml: waivers[0].expires: not a date",
        ),
        ("vuln_data_max_age_days: 9.5", "p.yaml: vuln_data_max_age_days: must be a valid integer"),
    ],
)
def test_malformed_policies_name_the_field(text: str, message: str) -> None:
    with pytest.raises(PolicyError) as raised:
        parse_policy(f"version: 1\nname: p\n{text}\n", "p.yaml")
    assert str(raised.value).startswith(message), raised.value
    assert "\n" not in str(raised.value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("name: p", "p.yaml: version: required"),
        ("version: 2\nname: p", "p.yaml: version: must be 1"),
        ("- a list", "p.yaml: a policy is a mapping"),
        ("version: [1", "p.yaml: not valid YAML at line"),
    ],
)
def test_malformed_documents(text: str, message: str) -> None:
    with pytest.raises(PolicyError, match="^" + message.replace("[", r"\[")):
        parse_policy(text, "p.yaml")


def test_every_rule_is_documented() -> None:
    text = (Path(__file__).resolve().parents[2] / "docs/policy.md").read_text()
    for name in Policy.model_fields:
        assert f"`{name}" in text, name
