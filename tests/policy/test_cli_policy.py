"""The gate from the command line, as real processes: `assay scan --policy` exits 1 when the gate
fails and 0 when it passes, `assay policy check|validate`, malformed policies exit 2 in one line."""

import json
from pathlib import Path

from tests.policy.support import clean_tree
from tests.test_cli import assay, assert_usage_error, load

STRICT = """version: 1
name: strict
fail_on_kev: true
forbidden_rules: [config.debug.*]
fail_on_private_keys: true
"""


def test_scan_with_a_failing_policy_exits_1_and_says_why(risky_root: Path, tmp_path: Path) -> None:
    (tmp_path / "policy.yaml").write_text(STRICT)
    out = tmp_path / "out"
    done = assay("scan", risky_root, "-o", out, "--policy", "policy.yaml", cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    assert "policy strict: FAILED — 3 of 3 rules failed" in done.stderr
    assert "FAIL fail_on_kev:" in done.stderr and "CVE-2014-6271" in done.stderr
    assert "config.debug.telnetd-shell" in done.stderr
    verdict = load(out / "evaluation.json")["policy"]
    assert verdict["passed"] is False
    assert [r["id"] for r in verdict["rules"]] == [
        "fail_on_kev",
        "fail_on_private_keys",
        "forbidden_rules",
    ]


def test_scan_with_a_passing_policy_exits_0(tmp_path: Path) -> None:
    root = clean_tree(tmp_path / "rootfs")
    (tmp_path / "policy.yaml").write_text(STRICT)
    done = assay(
        "scan", root, "-o", tmp_path / "out", "--policy", "policy.yaml", "--json", cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert "policy strict: passed" in done.stderr
    printed = json.loads(done.stdout)
    assert printed["policy"]["passed"] is True
    assert printed["policy"] == load(tmp_path / "out" / "evaluation.json")["policy"]


def test_a_malformed_policy_is_one_line_and_exit_2_before_scanning(tmp_path: Path) -> None:
    (tmp_path / "policy.yaml").write_text("version: 1\nname: x\nmin_hardening: {nx: 120}\n")
    (tmp_path / "motd").write_text("hi\n")
    out = tmp_path / "out"
    done = assay("scan", tmp_path / "motd", "-o", out, "--policy", "policy.yaml", cwd=tmp_path)
    assert_usage_error(done, "policy.yaml: min_hardening.nx: must be between 0 and 100")
    assert not out.exists()


def test_unknown_keys_and_wrong_types_exit_2(tmp_path: Path) -> None:
    for text, words in (
        ("fail_on_kevs: true", "fail_on_kevs: unknown key"),
        ("max_cvss: high", "max_cvss: must be a valid number"),
    ):
        (tmp_path / "p.yaml").write_text(f"version: 1\nname: x\n{text}\n")
        assert_usage_error(assay("policy", "validate", "p.yaml", cwd=tmp_path), words)


def test_policy_check_on_a_saved_evaluation(risky_root: Path, tmp_path: Path) -> None:
    assert assay("scan", risky_root, "-o", tmp_path / "out", cwd=tmp_path).returncode == 0
    saved = tmp_path / "out" / "evaluation.json"
    (tmp_path / "kev.yaml").write_text("version: 1\nname: kev\nfail_on_kev: true\n")
    failing = assay("policy", "check", saved, "--policy", "kev.yaml", "--json", cwd=tmp_path)
    assert failing.returncode == 1, failing.stderr
    assert json.loads(failing.stdout)["rules"][0]["failed"]
    (tmp_path / "eol.yaml").write_text(
        "version: 1\nname: eol\nfail_on_eol: true\nwaivers:\n"
        "  - {id: component.end-of-life, reason: support contract, expires: 2999-01-01}\n"
    )
    passing = assay("policy", "check", saved, "--policy", "eol.yaml", cwd=tmp_path)
    assert passing.returncode == 0, passing.stderr
    assert "(1 waived)" in passing.stderr
    assert_usage_error(
        assay("policy", "check", "kev.yaml", "--policy", "kev.yaml", cwd=tmp_path),
        "not JSON",
    )


def test_shipped_policies_validate_by_name(tmp_path: Path) -> None:
    for name in ("lab-strict", "ci"):
        done = assay("policy", "validate", name, cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        assert f"valid policy {name}" in done.stdout
    assert_usage_error(assay("policy", "validate", "no-such", cwd=tmp_path), "no-such")
