"""Waivers: what they match (CVE, finding id, rule glob, policy item), and expiry."""

from datetime import date
from typing import Any

from assay.policy import evaluate_policy, parse_policy, verdict_json
from tests.policy.support import SCAN_DAY


def policy_with(waivers: str, rules: str = "fail_on_kev: true") -> Any:
    return parse_policy(f"version: 1\nname: w\n{rules}\nwaivers:\n{waivers}\n", "w.yaml")


def kev_cves(document: dict[str, Any]) -> set[str]:
    return {v["cve"] for v in document["vulnerabilities"] if v["kev"] and v["open"]}


def test_a_waiver_excuses_its_cve_until_it_expires(risky: dict[str, Any]) -> None:
    assert "CVE-2014-6271" in kev_cves(risky)
    waivers = "\n".join(
        f"  - {{id: {cve}, reason: not reachable, expires: 2027-01-01}}" for cve in kev_cves(risky)
    )
    policy = policy_with(waivers)
    before = evaluate_policy(risky, policy, date(2026, 12, 31))
    assert before.passed
    assert {i.id for i in before.rules[0].waived} == kev_cves(risky)
    assert f"({len(kev_cves(risky))} waived)" in before.rules[0].reason
    assert {w.status for w in before.waivers} == {"applied"}
    after = evaluate_policy(risky, policy, date(2027, 1, 1))  # expired on its expiry date
    assert not after.passed
    assert {i.id for i in after.rules[0].failed} == kev_cves(risky)
    assert {w.status for w in after.waivers} == {"expired"}


def test_waivers_by_finding_id_rule_glob_and_policy_item(risky: dict[str, Any]) -> None:
    telnet = next(f for f in risky["findings"] if f["rule"] == "config.debug.telnetd-shell")
    policy = policy_with(
        f"  - {{id: '{telnet['id']}', reason: lab unit, expires: 2030-01-01}}\n"
        "  - {id: 'component.*', reason: extended support contract, expires: 2030-01-01}\n"
        "  - {id: min_hardening.canary, reason: vendor plan Q3, expires: 2030-01-01}\n"
        "  - {id: CVE-1999-0001, reason: nothing, expires: 2030-01-01}",
        "forbidden_rules: [config.debug.*]\nfail_on_eol: true\nmin_hardening: {canary: 80}",
    )
    verdict = evaluate_policy(risky, policy, SCAN_DAY)
    assert verdict.passed, verdict.failed_rules
    assert all(r.waived for r in verdict.rules)
    assert [w.status for w in verdict.waivers] == ["applied", "applied", "applied", "unused"]
    document = verdict_json(verdict)
    assert document["waivers"][3] == {
        "id": "CVE-1999-0001",
        "reason": "nothing",
        "expires": "2030-01-01",
        "status": "unused",
        "matched": 0,
    }


def test_a_waiver_excuses_only_what_it_names(risky: dict[str, Any]) -> None:
    policy = policy_with("  - {id: CVE-2014-6271, reason: r, expires: 2030-01-01}")
    verdict = evaluate_policy(risky, policy, SCAN_DAY)
    assert not verdict.passed
    assert {i.id for i in verdict.rules[0].failed} == kev_cves(risky) - {"CVE-2014-6271"}
    assert [i.id for i in verdict.rules[0].waived] == ["CVE-2014-6271"]
