"""SSH daemons: sshd_config first-value-wins with Include and Match, defaults by OpenSSH version,
weak algorithms with `+`/`-` lists; dropbear's command-line flags, run-time arguments."""

from pathlib import Path

import pytest

from assay.model.finding import Severity
from tests.factories import rootfs_build as rb


def busybox_root(files: dict[str, bytes]) -> rb.Tree:
    base = {"bin/busybox": rb.elf("BusyBox v1.36.1"), "etc/inittab": b"::sysinit:/etc/rc\n"}
    return rb.Tree({**base, **files}, {"sbin/init": "../bin/busybox"})


def run(tmp_path: Path, files: dict[str, bytes], *components: str) -> rb.Scan:
    root = rb.write_tree(tmp_path / "root", busybox_root(files))
    return rb.scan(root, tmp_path / "work", tuple(rb.openssh(v) for v in components))


def ssh_rules(found: rb.Scan) -> dict[str, Severity]:
    return {f.rule: f.severity for f in found.findings() if f.rule.startswith("config.ssh")}


@pytest.fixture(scope="module")
def systemd(tmp_path_factory: pytest.TempPathFactory) -> rb.Scan:
    root = rb.write_tree(tmp_path_factory.mktemp("r") / "root", rb.systemd_tree())
    return rb.scan(root, tmp_path_factory.mktemp("w"))


def test_sshd_config_with_include_and_match(systemd: rb.Scan) -> None:
    hits = {hit for hit in systemd.hits() if hit[0].startswith("config.ssh")}
    assert hits == {
        ("config.ssh.root-login", "/etc/ssh/sshd_config", 3),
        ("config.ssh.empty-passwords", "/etc/ssh/sshd_config", 8),
        ("config.ssh.protocol-1", "/etc/ssh/sshd_config.d/10-local.conf", 2),
        ("config.ssh.weak-ciphers", "/etc/ssh/sshd_config", 6),
    }
    assert ssh_rules(systemd) == {
        "config.ssh.root-login": Severity.MEDIUM,
        "config.ssh.empty-passwords": Severity.HIGH,
        "config.ssh.protocol-1": Severity.HIGH,
        "config.ssh.weak-ciphers": Severity.HIGH,
    }
    messages = {f.rule: f.message for f in systemd.findings()}
    assert "inside `Match User backup`" in messages["config.ssh.empty-passwords"]
    assert "3des-cbc: 64-bit block" in messages["config.ssh.weak-ciphers"]
    assert "arcfour: RC4" in messages["config.ssh.weak-ciphers"]
    assert "aes128-ctr:" not in messages["config.ssh.weak-ciphers"]
    assert (
        "sshd is started at boot (/etc/systemd/system/multi-user.target.wants/ssh.service)"
        in (messages["config.ssh.root-login"])
    )
    settings = {s.keyword: (s.value, s.origin) for s in systemd.facts.sshd[0].settings}
    assert settings == {
        "Ciphers": ("aes128-ctr,3des-cbc,arcfour", "/etc/ssh/sshd_config:6"),
        "PasswordAuthentication": ("no", "/etc/ssh/sshd_config.d/10-local.conf:1"),
        "PermitRootLogin": ("yes", "/etc/ssh/sshd_config:3"),
        "Protocol": ("2,1", "/etc/ssh/sshd_config.d/10-local.conf:2"),
    }


@pytest.mark.parametrize(
    ("versions", "expected"),
    [
        (("6.6p1",), {"config.ssh.root-login", "config.ssh.password-authentication"}),
        (("1:6.0p1-4+deb7u2",), {"config.ssh.root-login", "config.ssh.password-authentication"}),
        (("9.2p1",), {"config.ssh.password-authentication"}),
        (("6.6p1", "9.2p1"), {"config.ssh.password-authentication"}),
        ((), {"config.ssh.password-authentication"}),
    ],
)
def test_defaults_follow_the_openssh_version(
    tmp_path: Path, versions: tuple[str, ...], expected: set[str]
) -> None:
    found = run(tmp_path, {"etc/ssh/sshd_config": b"Port 22\n#PermitRootLogin yes\n"}, *versions)
    assert set(ssh_rules(found)) == expected
    for finding in found.findings():
        assert finding.evidence[0].line is None
        assert finding.evidence[0].matched is not None
        assert "not set; OpenSSH" in finding.evidence[0].matched
    if "config.ssh.root-login" in expected:
        assert "defaults to yes" in found.findings("config.ssh.root-login")[0].message


@pytest.mark.parametrize(
    ("versions", "flagged"), [(("7.3p1",), True), (("7.4p1",), False), ((), True)]
)
def test_protocol_1_only_where_the_server_still_speaks_it(
    tmp_path: Path, versions: tuple[str, ...], flagged: bool
) -> None:
    config = b"Protocol 1\nPasswordAuthentication no\n"
    found = run(tmp_path, {"etc/ssh/sshd_config": config}, *versions)
    assert ("config.ssh.protocol-1" in ssh_rules(found)) is flagged


def test_weak_algorithm_lists(tmp_path: Path) -> None:
    config = rb.text(
        """
        PasswordAuthentication no
        Ciphers -aes128-cbc,3des-cbc
        MACs +hmac-sha1,umac-128@openssh.com
        KexAlgorithms=curve25519-sha256,diffie-hellman-group1-sha1
        HostKeyAlgorithms ^ssh-ed25519
        PubkeyAcceptedKeyTypes +ssh-dss
        """
    )
    found = run(tmp_path, {"etc/ssh/sshd_config": config})
    assert ssh_rules(found) == {
        "config.ssh.weak-macs": Severity.LOW,
        "config.ssh.weak-kexalgorithms": Severity.HIGH,
        "config.ssh.weak-pubkeyacceptedalgorithms": Severity.MEDIUM,
    }
    kex = found.findings("config.ssh.weak-kexalgorithms")[0]
    assert [e.line for e in kex.evidence] == [4]
    assert len({f.id for f in found.findings()}) == len(found.findings())


def test_kex_in_a_match_block_is_its_own_finding(tmp_path: Path) -> None:
    config = (
        b"PasswordAuthentication no\nMatch Address 10.0.0.0/8\n  KexAlgorithms gss-gex-sha1-x\n"
    )
    found = run(tmp_path, {"etc/ssh/sshd_config": config})
    assert found.hits() == {("config.ssh.weak-kexalgorithms", "/etc/ssh/sshd_config", 3)}
    assert found.findings()[0].severity is Severity.MEDIUM


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        (
            "/usr/sbin/dropbear -F -R -p 22",
            {
                "config.ssh.root-login": Severity.MEDIUM,
                "config.ssh.password-authentication": Severity.LOW,
            },
        ),
        ("/usr/sbin/dropbear -F -w", {"config.ssh.password-authentication": Severity.LOW}),
        ("/usr/sbin/dropbear -F -g -p 2222", {"config.ssh.password-authentication": Severity.LOW}),
        ("/usr/sbin/dropbear -Fs", {}),
        (
            "/usr/sbin/dropbear -F -B -w",
            {
                "config.ssh.empty-passwords": Severity.HIGH,
                "config.ssh.password-authentication": Severity.LOW,
            },
        ),
        (
            "/usr/sbin/dropbear -F -r $KEYFILE $DROPBEAR_ARGS",
            {
                "config.ssh.root-login": Severity.MEDIUM,
                "config.ssh.password-authentication": Severity.LOW,
            },
        ),
        ("#/usr/sbin/dropbear -F", {}),
    ],
)
def test_dropbear_flags(tmp_path: Path, command: str, expected: dict[str, Severity]) -> None:
    found = run(tmp_path, {"etc/inittab": f"::respawn:{command}\n".encode()})
    assert ssh_rules(found) == expected


def test_dropbear_arguments_set_at_run_time(tmp_path: Path) -> None:
    script = rb.text(
        """
        read ARGS < /etc/dropbear.args
        KEY=$(cat /etc/dropbear.key)
        /usr/sbin/dropbear -F -r $KEY $ARGS &
        """
    )
    files = {"etc/inittab": b"::sysinit:/etc/init.d/rcS\n", "etc/init.d/rcS": script}
    found = run(tmp_path, files)
    assert ssh_rules(found) == {
        "config.ssh.root-login": Severity.LOW,
        "config.ssh.password-authentication": Severity.LOW,
    }
    message = found.findings("config.ssh.root-login")[0].message
    assert "Options in $ARGS are set at run time and not known." in message


def test_dropbear_not_started_is_low(tmp_path: Path) -> None:
    script = b"#!/bin/sh\nstart-stop-daemon -S -x /usr/sbin/dropbear -- -R\n"
    found = run(tmp_path, {"etc/init.d/dropbear": script})
    assert ssh_rules(found) == {
        "config.ssh.root-login": Severity.LOW,
        "config.ssh.password-authentication": Severity.LOW,
    }
    assert "present, not started at boot" in found.findings("config.ssh.root-login")[0].message
