"""Hostile configuration files: binary garbage where inittab should be, a 50 MB inittab (read up
to the bound), symlink loops, scripts that run or source themselves, an sshd_config including
itself, pathological shell — each recorded as a problem or bounded, never a crash."""

import json
import os
from pathlib import Path

from assay.checks.config.rootfs import MAX_CONFIG_BYTES
from assay.checks.config.shell import parse_script
from assay.model.problem import ProblemKind
from assay.report.config_json import facts_to_json
from tests.factories import rootfs_build as rb

BUSYBOX = {"bin/busybox": rb.elf("BusyBox v1.36.1")}
INIT_LINK = {"sbin/init": "../bin/busybox"}


def run(tmp_path: Path, tree: rb.Tree) -> rb.Scan:
    return rb.scan(rb.write_tree(tmp_path / "root", tree), tmp_path / "work")


def test_binary_garbage_inittab_is_a_corrupt_problem(tmp_path: Path) -> None:
    garbage = bytes(range(256)) * 64 + os.urandom(4096)
    tree = rb.Tree({**BUSYBOX, "etc/inittab": garbage}, INIT_LINK)
    found = run(tmp_path, tree)
    assert [(k, m, loc.rsplit(" › ", 1)[-1]) for k, _, m, loc in found.problems] == [
        (ProblemKind.CORRUPT, "expected a text file, found binary data", "/etc/inittab")
    ]
    assert found.facts.services == ()
    assert found.findings("config.debug.console-shell") == []


def test_fifty_megabyte_inittab_is_read_up_to_the_bound(tmp_path: Path) -> None:
    root = rb.write_tree(tmp_path / "root", rb.Tree(dict(BUSYBOX), INIT_LINK))
    filler = b"# " + b"x" * 1021 + b"\n"
    (root / "etc").mkdir()
    with open(root / "etc/inittab", "wb") as out:
        out.write(b"::respawn:/usr/sbin/telnetd -F\n")
        for _ in range(50 * 1024):
            out.write(filler)
        out.write(b"::respawn:/usr/sbin/in.rshd\n")
    assert (root / "etc/inittab").stat().st_size > 50 * 1024 * 1024
    found = rb.scan(root, tmp_path / "work")
    assert found.hits() == {("config.service.telnet", "/etc/inittab", 1)}
    [(kind, _, message, location)] = found.problems
    assert kind is ProblemKind.LIMIT_BYTES and location.endswith("/etc/inittab")
    read = int(message.split()[3])
    assert read <= MAX_CONFIG_BYTES and read % len(filler) == 31 % len(filler)


def test_symlink_loops_and_self_running_scripts(tmp_path: Path) -> None:
    files = {
        **BUSYBOX,
        "etc/inittab": b"::sysinit:/etc/init.d/rcS\n",
        "etc/init.d/rcS": b"/etc/init.d/rcS\n. /etc/init.d/rcS\n/etc/init.d/S01a start\n",
        "etc/init.d/S01a": b"#!/bin/sh\n. /etc/init.d/S01a\n/etc/init.d/rcS\ntelnetd\n",
        "etc/ssh/sshd_config": b"Include /etc/ssh/sshd_config\nPermitEmptyPasswords yes\n",
    }
    links = {
        **INIT_LINK,
        "etc/init.d/loop1": "loop2",
        "etc/init.d/loop2": "loop1",
        "etc/rc.d/S10loop": "../init.d/loop1",
        "etc/systemd/system/multi-user.target.wants/x.service": "x.service",
        "lib": "lib",
    }
    found = run(tmp_path, rb.Tree(files, links))
    assert ("config.service.telnet", "/etc/init.d/S01a", 4) in found.hits()
    assert ("config.ssh.empty-passwords", "/etc/ssh/sshd_config", 2) in found.hits()
    scripts = {s.path: s.reason for s in found.facts.boot_scripts}
    assert scripts["/etc/init.d/S01a"] == "run by /etc/init.d/rcS line 3"
    json.dumps(facts_to_json(found.facts))


def test_undecodable_names_and_garbage_configs(tmp_path: Path) -> None:
    root = rb.write_tree(
        tmp_path / "root",
        rb.Tree(
            {
                **BUSYBOX,
                "etc/inittab": b"::sysinit:/etc/init.d/rcS\n\xff\xfe:::\n::::\n",
                "etc/init.d/rcS": b"for i in /etc/init.d/S* ; do $i start; done\n",
                "etc/inetd.conf": b"\x01\x02 stream\n" * 3 + b"ftp stream tcp\n",
                "etc/xinetd.d/x": b"service {{{\n}}}\n server = \n",
                "etc/crontabs/root": b"* * *\n@reboot\n",
                "etc/config/dropbear": b"config\noption\n'unbalanced\n",
                "lib/systemd/system/a.service": b"[Service\nExecStart=\n=\n",
            },
            INIT_LINK,
        ),
    )
    (root / "etc/init.d").joinpath(os.fsdecode(b"S5\xfftelnet")).write_bytes(b"telnetd -F\n")
    found = rb.scan(root, tmp_path / "work")
    [telnet] = found.findings("config.service.telnet")
    assert telnet.evidence[0].location.endswith(os.fsdecode(b"/etc/init.d/S5\xfftelnet"))
    assert [(k, loc.rsplit(" › ", 1)[-1]) for k, _, _, loc in found.problems] == [
        (ProblemKind.CORRUPT, "/etc/inetd.conf")
    ]
    json.dumps(facts_to_json(found.facts))


def test_pathological_shell_is_bounded() -> None:
    nested = "if true; then\n" * 5000 + "telnetd\n" + "fi\n" * 5000
    assert parse_script(nested).commands[-1].words == ("telnetd",)
    unbalanced = 'echo "' + "a" * 200_000 + "\ntelnetd\n"
    assert [c.words[0] for c in parse_script(unbalanced).commands] == ["echo"]
    substitutions = "$(" * 50_000 + "\ntelnetd\n"
    assert len(parse_script(substitutions).commands) == 1
    braces = "{\n" * 20_000 + "ftpd\n" + "}\n" * 20_000 + "tftpd\n"
    words = [c.words for c in parse_script(braces).commands]
    assert words == [("ftpd",), ("tftpd",)]
    heredoc = "cat <<EOF\n" + "telnetd\n" * 1000
    assert [c.words for c in parse_script(heredoc).commands] == [("cat",)]
