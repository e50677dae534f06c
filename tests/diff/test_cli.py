"""`assay diff OLD NEW` on saved evaluation.json files and on two directories it scans."""

import json
from pathlib import Path

import pytest

from tests.diff.support import release_1, release_2, scanned
from tests.test_cli import assay, assert_usage_error


@pytest.fixture(scope="module")
def trees(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return release_1(tmp_path_factory.mktemp("r1")), release_2(tmp_path_factory.mktemp("r2"))


@pytest.fixture(scope="module")
def saved(trees: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("saved")
    paths = folder / "old-evaluation.json", folder / "new-evaluation.json"
    for tree, path in zip(trees, paths, strict=True):
        path.write_text(json.dumps(scanned(tree)), encoding="utf-8")
    return paths


def test_tables_and_verdict_from_saved_evaluations(saved: tuple[Path, Path]) -> None:
    done = assay("diff", *saved, cwd=saved[0].parent)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    for text in (
        "Components", "upgraded", "4.3.30", "1.1.1w", "CVE-2014-6271", "KEV",
        "/usr/sbin/agent", "relro", "config.debug.telnetd-shell", "secret.private-key",
        "/usr/sbin/dropbear", "dropbear 2022.83", "files: 4 added, 2 removed, 4 changed",
    ):  # fmt: skip
        assert text in out, text
    verdict = out.strip().splitlines()[-1]
    assert verdict.startswith("release ") and "+1 −0 components" in verdict
    assert verdict.endswith("1 hardening regression, 1 new secret")


def test_json_from_saved_evaluations(saved: tuple[Path, Path]) -> None:
    done = assay("diff", "--json", *saved, cwd=saved[0].parent)
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    assert document["schema"] == "https://assay.dev/schemas/release-diff"
    assert {c["product"]: c["change"] for c in document["components"]} == {
        "bash": "upgraded",
        "openssl": "upgraded",
        "busybox": "added",
    }
    fixed = {v["cve"]: v for v in document["vulnerabilities"]["fixed"]}
    assert fixed["CVE-2014-6271"]["kev"] is True
    assert document["hardening"]["regressions"] == [
        {"path": "/usr/sbin/agent", "property": "relro", "old": "full", "new": "none"}
    ]
    assert [f["group"] for f in document["findings"]["new"] if f["group"] != "other"] == [
        "service",
        "secret",
    ]
    assert [s["path"] for s in document["silent_changes"]] == ["/usr/sbin/dropbear"]
    assert document["files"]["removed"] == ["/etc/old.conf", "/usr/lib/libcrypto.so.1.0.0"]


def test_two_directories_are_scanned_then_compared(trees: tuple[Path, Path]) -> None:
    done = assay("diff", "--json", *trees, cwd=trees[0].parent)
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    assert document["old"]["label"] == trees[0].name
    assert document["new"]["label"] == trees[1].name
    assert document["summary"]["components_upgraded"] == 2
    assert document["summary"]["hardening_regressions"] == 1
    assert document["summary"]["silent_changes"] == 1
    assert any(v["cve"] == "CVE-2014-6271" for v in document["vulnerabilities"]["fixed"])


def test_bad_inputs_are_one_line_errors(saved: tuple[Path, Path], tmp_path: Path) -> None:
    assert_usage_error(assay("diff", tmp_path / "missing", saved[1], cwd=tmp_path), "missing")
    not_json = tmp_path / "broken.json"
    not_json.write_text("{not json")
    assert_usage_error(assay("diff", not_json, saved[1], cwd=tmp_path), "not valid JSON")
    other = tmp_path / "other.json"
    other.write_text('{"schema": "something else"}')
    assert_usage_error(assay("diff", saved[0], other, cwd=tmp_path), "not an assay evaluation")
