"""`compare_evaluations` on two releases built and scanned here: every category of the diff."""

from pathlib import Path
from typing import Any

import pytest

from assay.diff import ReleaseDiff, compare_evaluations, diff_json, verdict_line
from assay.diff.keys import DiffInputError, path_key
from tests.diff.support import release_1, release_2, scanned


@pytest.fixture(scope="module")
def documents(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], dict[str, Any]]:
    old = scanned(release_1(tmp_path_factory.mktemp("r1")))
    new = scanned(release_2(tmp_path_factory.mktemp("r2")))
    return old, new


@pytest.fixture(scope="module")
def diff(documents: tuple[dict[str, Any], dict[str, Any]]) -> ReleaseDiff:
    return compare_evaluations(*documents)


def test_components_upgraded_and_added(diff: ReleaseDiff) -> None:
    changes = {c.product: (c.change, c.old_versions, c.new_versions) for c in diff.components}
    assert changes == {
        "bash": ("upgraded", ("4.3.0",), ("4.3.30",)),
        "openssl": ("upgraded", ("1.0.2k",), ("1.1.1w",)),
        "busybox": ("added", (), ("1.19.4",)),
    }


def test_reversed_the_same_releases_are_downgrades_and_a_removal(
    documents: tuple[dict[str, Any], dict[str, Any]], diff: ReleaseDiff
) -> None:
    back = compare_evaluations(documents[1], documents[0])
    changes = {c.product: c.change for c in back.components}
    assert changes == {"bash": "downgraded", "openssl": "downgraded", "busybox": "removed"}
    assert {(v.cve, v.product) for v in back.vulns_new} == {
        (v.cve, v.product) for v in diff.vulns_fixed
    }
    assert [(h.property, h.old, h.new) for h in back.hardening_improvements] == [
        ("relro", "none", "full")
    ]
    assert [f.rule for f in back.findings_in("secret", new=False)] == ["secret.private-key"]


def test_shellshock_is_fixed_with_its_kev_flag(diff: ReleaseDiff) -> None:
    fixed = {(v.cve, v.product): v for v in diff.vulns_fixed}
    shellshock = fixed["CVE-2014-6271", "bash"]
    assert shellshock.kev and shellshock.old_versions == ("4.3.0",) and not shellshock.new_versions
    assert ("CVE-2017-3735", "openssl") in fixed
    assert diff.vulns_fixed[0].kev  # KEV first


def test_new_and_still_open_vulnerabilities(diff: ReleaseDiff) -> None:
    new = {(v.cve, v.product) for v in diff.vulns_new}
    assert ("CVE-2024-2511", "openssl") in new  # affects 1.1.1w, not 1.0.2k
    assert all(v.new_versions and not v.old_versions for v in diff.vulns_new)
    assert diff.vulns_open
    for still in diff.vulns_open:
        assert still.old_versions and still.new_versions
    assert not new & {(v.cve, v.product) for v in diff.vulns_open}


def test_hardening_regression_and_matrix_coverage(diff: ReleaseDiff) -> None:
    assert [(h.path, h.property, h.old, h.new) for h in diff.hardening_regressions] == [
        ("/usr/sbin/agent", "relro", "full", "none")
    ]
    assert diff.hardening_improvements == ()
    coverage = {(c.property, c.role): (c.old_percent, c.new_percent) for c in diff.coverage}
    assert coverage[("relro", "executables")] == (100.0, 0.0)
    assert ("nx", "executables") not in coverage


def test_new_secret_and_service_no_setuid(diff: ReleaseDiff) -> None:
    assert [(f.rule, f.path) for f in diff.findings_in("secret")] == [
        ("secret.private-key", "/etc/ssl/private/device.key")
    ]
    assert [(f.rule, f.path) for f in diff.findings_in("service")] == [
        ("config.debug.telnetd-shell", "/etc/inittab")
    ]
    assert diff.findings_in("setuid") == ()
    assert {f.rule for f in diff.findings_removed} == {"component.end-of-life"}


def test_file_patched_under_the_same_version_string(diff: ReleaseDiff) -> None:
    assert len(diff.silent_changes) == 1
    silent = diff.silent_changes[0]
    assert silent.path == "/usr/sbin/dropbear"
    assert silent.components == (("dropbear", "2022.83"),)
    assert silent.old_sha256 != silent.new_sha256


def test_file_counts(diff: ReleaseDiff) -> None:
    files = diff.files
    assert files.added == (
        "/bin/busybox",
        "/etc/new.conf",
        "/etc/ssl/private/device.key",
        "/usr/lib/libcrypto.so.1.1",
    )
    assert files.removed == ("/etc/old.conf", "/usr/lib/libcrypto.so.1.0.0")
    assert files.changed == ("/bin/bash", "/etc/inittab", "/usr/sbin/agent", "/usr/sbin/dropbear")
    assert files.unchanged == 1  # /etc/motd


def test_verdict_line(diff: ReleaseDiff) -> None:
    line = verdict_line(diff)
    assert line.startswith(f"release {diff.new.label} vs {diff.old.label}: +1 −0 components")
    assert f"{len(diff.vulns_fixed)} CVEs fixed, {len(diff.vulns_new)} new (0 KEV)" in line
    assert line.endswith("1 hardening regression, 1 new secret")


def test_same_release_has_no_differences(documents: tuple[dict[str, Any], dict[str, Any]]) -> None:
    same = compare_evaluations(documents[0], documents[0])
    summary = diff_json(same)["summary"]
    unchanged = summary.pop("files_unchanged")
    still_open = summary.pop("vulnerabilities_open")
    assert set(summary.values()) == {0}
    assert unchanged == 7 and still_open == len(same.vulns_open) > 0


def test_path_keys_drop_the_input_name_and_carved_offsets() -> None:
    assert path_key("fw-1.bin › squashfs@0x10000 › /bin/sh") == "squashfs › /bin/sh"
    assert path_key("fw-2.bin › squashfs@0x2c0040 › /bin/sh") == "squashfs › /bin/sh"
    assert path_key("fw.bin") is None


def test_a_document_that_is_not_an_evaluation_is_refused(
    documents: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    with pytest.raises(DiffInputError, match="not an assay evaluation"):
        compare_evaluations({"schema": "other"}, documents[1])
    broken = {**documents[1], "components": [{"version": "1"}]}
    with pytest.raises(DiffInputError, match="product"):
        compare_evaluations(documents[0], broken)


def test_json_shape(diff: ReleaseDiff, tmp_path: Path) -> None:
    document = diff_json(diff)
    assert set(document) == {
        "schema", "schema_version", "old", "new", "verdict", "summary", "components",
        "vulnerabilities", "hardening", "findings", "silent_changes", "files",
    }  # fmt: skip
    assert set(document["vulnerabilities"]) == {"fixed", "new", "still_open"}
    assert set(document["hardening"]) == {"regressions", "improvements", "coverage"}
    assert document["silent_changes"][0]["components"] == [
        {"product": "dropbear", "version": "2022.83"}
    ]
    assert document["summary"]["components_upgraded"] == 2
