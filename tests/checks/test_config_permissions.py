"""Permissions and cron: setuid/setgid files, world-writable files and directories, cron jobs
running writable files — from a folder and from the same tree packed into a real squashfs
(modes must survive the extractor), with stable ids and deterministic JSON facts."""

import json
from pathlib import Path

import pytest

from assay.checks.config.check import DIRECTORY_NOTE
from assay.model.finding import Severity
from assay.model.ids import stable_id
from assay.report.config_json import facts_to_json
from tests.factories import rootfs_build as rb

PERMISSION_HITS = {
    ("config.permissions.setuid-shell", "/bin/busybox", Severity.HIGH),
    ("config.permissions.setgid", "/usr/bin/app", Severity.INFO),
    ("config.permissions.world-writable", "/etc/init.d/S60www", Severity.HIGH),
    ("config.permissions.world-writable", "/usr/bin/backup.sh", Severity.HIGH),
    ("config.permissions.world-writable", "/www/config.json", Severity.HIGH),
    ("config.permissions.world-writable", "/home/user/notes", Severity.MEDIUM),
    ("config.permissions.world-writable", "/var/tmp/log.txt", Severity.LOW),
}
CRON_HITS = {
    ("config.cron.writable-target", "/etc/crontabs/root", 1),
    ("config.cron.writable-target", "/etc/crontabs/root", 2),
    ("config.cron.writable-target", "/etc/crontabs/root", 4),
}


@pytest.fixture(scope="module")
def trees(tmp_path_factory: pytest.TempPathFactory) -> tuple[rb.Scan, rb.Scan]:
    """The BusyBox tree scanned as a folder and as a squashfs image made by mksquashfs."""
    root = rb.write_tree(tmp_path_factory.mktemp("tree") / "rootfs", rb.busybox_tree())
    folder = rb.scan(root, tmp_path_factory.mktemp("w1"))
    image = rb.squashfs(root, tmp_path_factory.mktemp("img") / "rootfs.sqfs")
    return folder, rb.scan(image, tmp_path_factory.mktemp("w2"))


def permission_hits(found: rb.Scan) -> set[tuple[str, str, Severity]]:
    return {
        (f.rule, f.evidence[0].location.rsplit(" › ", 1)[-1], f.severity)
        for f in found.findings()
        if f.rule.startswith("config.permissions") and "dir" not in f.rule
    }


def test_folder_permissions_and_directories(trees: tuple[rb.Scan, rb.Scan]) -> None:
    folder, _ = trees
    assert permission_hits(folder) == PERMISSION_HITS
    directory = folder.findings("config.permissions.world-writable-dir")
    assert [(f.title, f.severity) for f in directory] == [
        ("World-writable directory /data", Severity.MEDIUM)
    ]
    writable = {(w.path, w.directory, w.sticky, w.mode) for w in folder.facts.world_writable}
    assert ("/tmp", True, True, 0o1777) in writable
    assert ("/data", True, False, 0o777) in writable
    assert folder.facts.notes == ()


def test_modes_survive_squashfs(trees: tuple[rb.Scan, rb.Scan]) -> None:
    folder, image = trees
    assert permission_hits(image) == PERMISSION_HITS
    special = {(f.path, f.mode, f.setuid, f.setgid) for f in image.facts.setuid_files}
    assert special == {("/bin/busybox", 0o4755, True, False), ("/usr/bin/app", 0o2755, False, True)}
    assert image.findings("config.permissions.world-writable-dir") == []
    assert image.facts.notes == (DIRECTORY_NOTE,)
    same = {f.id for f in folder.findings()} - {f.id for f in image.findings()}
    assert same == {stable_id("finding", "config.permissions.world-writable-dir", "/data")}, (
        "every other finding keeps its id across the two containers"
    )
    assert {h for h in image.hits() if h[0].startswith("config.cron")} == CRON_HITS
    assert image.hits() - folder.hits() == set()


def test_cron_jobs_running_writable_files(trees: tuple[rb.Scan, rb.Scan]) -> None:
    folder, _ = trees
    assert {h for h in folder.hits() if h[0].startswith("config.cron")} == CRON_HITS
    messages = sorted(f.message for f in folder.findings("config.cron.writable-target"))
    assert any("/tmp/cleanup.sh is under /tmp" in m for m in messages)
    assert any("/var/tmp/boot.sh is under /var/tmp" in m for m in messages)
    assert any("/usr/bin/backup.sh is world-writable (mode 0777)" in m for m in messages)
    assert all(f.severity is Severity.HIGH for f in folder.findings("config.cron.writable-target"))


def test_cron_users_run_parts_and_links(tmp_path: Path) -> None:
    files = {
        "etc/cron.d/stats": b"*/10 * * * * nobody python3 /opt/stats/collect.py\n",
        "opt/stats/collect.py": b"print(1)\n",
        "etc/cron.daily/logrotate": b"#!/bin/sh\nlogrotate /etc/logrotate.conf\n",
        "etc/crontab": b"0 * * * * root /var/run/hourly.sh\n1 * * * * root /usr/bin/ok\n",
        "usr/bin/ok": rb.elf("ok"),
        "bin/busybox": rb.elf("BusyBox v1.36.1"),
        "etc/inittab": b"::sysinit:/etc/rc\n",
    }
    links = {"var": "tmp", "sbin/init": "../bin/busybox"}
    modes = {"opt/stats": 0o777, "etc/cron.daily/logrotate": 0o757}
    found = rb.scan(rb.write_tree(tmp_path / "r", rb.Tree(files, links, modes)), tmp_path / "w")
    cron = {
        (f.evidence[0].location.rsplit(" › ", 1)[-1], f.evidence[0].line, f.severity)
        for f in found.findings("config.cron.writable-target")
    }
    assert cron == {
        ("/etc/cron.d/stats", 1, Severity.MEDIUM),
        ("/etc/crontab", 1, Severity.HIGH),
        ("/etc/cron.daily/logrotate", None, Severity.HIGH),
    }
    by_path = {
        f.evidence[0].location.rsplit(" › ", 1)[-1]: f.message
        for f in found.findings("config.cron.writable-target")
    }
    assert "/opt/stats is world-writable (mode 0777)" in by_path["/etc/cron.d/stats"]
    assert "/var/run/hourly.sh is under /tmp" in by_path["/etc/crontab"]


@pytest.mark.parametrize(
    ("name", "rule"),
    [
        ("usr/bin/python3.11", "config.permissions.setuid-shell"),
        ("usr/bin/find", "config.permissions.setuid-shell"),
        ("bin/bash", "config.permissions.setuid-shell"),
        ("sbin/init", "config.permissions.setuid-shell"),
        ("usr/bin/passwd", "config.permissions.setuid"),
    ],
)
def test_setuid_escape_tools(tmp_path: Path, name: str, rule: str) -> None:
    payload = rb.elf("BusyBox v1.31.1 multi-call" if name == "sbin/init" else name)
    tree = rb.Tree({name: payload, "etc/inittab": b"::sysinit:/etc/rc\n"}, modes={name: 0o4711})
    found = rb.scan(rb.write_tree(tmp_path / "r", tree), tmp_path / "w")
    assert [(f.rule, f.evidence[0].matched) for f in found.findings()] == [(rule, "mode 4711")]


def test_facts_json_is_deterministic(tmp_path: Path, trees: tuple[rb.Scan, rb.Scan]) -> None:
    folder, _ = trees
    again = rb.scan(rb.write_tree(tmp_path / "rootfs", rb.busybox_tree()), tmp_path / "w")
    first, second = facts_to_json(folder.facts), facts_to_json(again.facts)
    assert json.dumps(first, sort_keys=True) == json.dumps(second, sort_keys=True)
    assert first["services_enabled"] == sum(1 for s in first["services"] if s["state"] == "enabled")
    assert [s["path"] for s in first["setuid_files"]] == ["/bin/busybox", "/usr/bin/app"]
    assert first["setuid_files"][0]["mode"] == "4755"
    telnet = next(s for s in first["services"] if s["name"] == "telnetd")
    assert telnet["source"]["path"] == "/etc/init.d/S50telnet"
    assert telnet["source"]["line"] == 5
    assert telnet["mechanism"] == "rc" and telnet["state"] == "enabled"
    assert [f.id for f in folder.findings()] == [f.id for f in again.findings()]


@pytest.mark.parametrize("name", ["openwrt", "sysvinit", "systemd"])
def test_boot_findings_survive_squashfs(tmp_path: Path, name: str) -> None:
    tree = getattr(rb, f"{name}_tree")()
    root = rb.write_tree(tmp_path / "rootfs", tree)
    folder = rb.scan(root, tmp_path / "w1")
    image = rb.scan(rb.squashfs(root, tmp_path / "rootfs.sqfs"), tmp_path / "w2")
    assert image.hits() == folder.hits()
    assert [f.id for f in image.findings()] == [f.id for f in folder.findings()]
    assert services(image) == services(folder)


def services(found: rb.Scan) -> set[tuple[str, str, str, str]]:
    return {(s.name, s.state.value, s.reason, s.source.path) for s in found.facts.services}
