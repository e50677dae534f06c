"""ConfigCheck over whole root file systems written by code and unpacked by the real unpacker:
BusyBox/Buildroot, OpenWrt (procd, UCI), sysvinit (runlevels, inetd, xinetd) and systemd
(sockets, masks, drop-ins) — each rule fires on the right file and line, enabled and merely
present services are told apart, commented-out and dead lines give nothing."""

from pathlib import Path

import pytest

from assay.model.config import StartMechanism, StartState
from assay.model.finding import Severity
from tests.factories import rootfs_build as rb

MODULE = "tests.checks.test_config_boot"


def built(tmp: pytest.TempPathFactory, tree: rb.Tree) -> rb.Scan:
    root = rb.write_tree(tmp.mktemp("rootfs") / "rootfs", tree)
    return rb.scan(root, tmp.mktemp("workspace"))


@pytest.fixture(scope="module")
def busybox(tmp_path_factory: pytest.TempPathFactory) -> rb.Scan:
    return built(tmp_path_factory, rb.busybox_tree())


@pytest.fixture(scope="module")
def openwrt(tmp_path_factory: pytest.TempPathFactory) -> rb.Scan:
    return built(tmp_path_factory, rb.openwrt_tree())


@pytest.fixture(scope="module")
def sysvinit(tmp_path_factory: pytest.TempPathFactory) -> rb.Scan:
    return built(tmp_path_factory, rb.sysvinit_tree())


@pytest.fixture(scope="module")
def systemd(tmp_path_factory: pytest.TempPathFactory) -> rb.Scan:
    return built(tmp_path_factory, rb.systemd_tree())


def services(found: rb.Scan) -> set[tuple[str, str, str, str]]:
    return {(s.mechanism.value, s.name, s.state.value, s.trigger) for s in found.facts.services}


def test_busybox_boot_findings(busybox: rb.Scan) -> None:
    boot = {hit for hit in busybox.hits() if hit[0].startswith(("config.service", "config.debug"))}
    assert boot == {
        ("config.service.telnet", "/etc/init.d/S50telnet", 5),
        ("config.service.tftp", "/etc/init.d/tftpd", 2),
        ("config.debug.bind-shell", "/etc/init.d/S99debug", 6),
        ("config.debug.console-shell", "/etc/inittab", 8),
        ("config.debug.gdbserver", "/usr/bin/gdbserver", None),
    }
    assert busybox.severity("config.service.telnet", "/etc/init.d/S50telnet") is Severity.HIGH
    assert busybox.severity("config.service.tftp", "/etc/init.d/tftpd") is Severity.LOW
    assert busybox.severity("config.debug.bind-shell", "/etc/init.d/S99debug") is Severity.CRITICAL
    assert busybox.severity("config.debug.gdbserver", "/usr/bin/gdbserver") is Severity.LOW
    telnet = busybox.findings("config.service.telnet")[0]
    assert telnet.evidence[0].matched == (
        "start-stop-daemon -S -q -m -b -p /var/run/telnetd.pid -x /usr/sbin/telnetd -- -F"
    )
    assert "run by the loop over /etc/init.d/S??* in /etc/init.d/rcS line 5" in telnet.message
    assert "present but not started at boot" in busybox.findings("config.service.tftp")[0].message
    assert busybox.problems == []


def test_busybox_facts(busybox: rb.Scan) -> None:
    facts = busybox.facts
    assert [(i.init, i.evidence) for i in facts.init_systems] == [
        ("busybox", "/sbin/init → /bin/busybox")
    ]
    assert {(s.path, s.state.value) for s in facts.boot_scripts} == {
        ("/etc/init.d/rcS", "enabled"),
        ("/etc/init.d/S40ftp", "enabled"),
        ("/etc/init.d/S50telnet", "enabled"),
        ("/etc/init.d/S60www", "enabled"),
        ("/etc/init.d/S99debug", "enabled"),
        ("/etc/init.d/tftpd", "present"),
    }
    assert ("rc", "telnetd", "enabled", "/etc/init.d/S50telnet") in services(busybox)
    assert ("inittab", "sh", "enabled", "console:askfirst") in services(busybox)
    assert ("inittab", "rcK", "present", "console:shutdown") in services(busybox)
    names = {s.name for s in facts.services}
    assert "vsftpd" not in names and "gdbserver" not in names  # commented out, dead code
    assert "ttyS1" not in {s.trigger.split(":")[0] for s in facts.services}


def test_openwrt_procd_and_uci(openwrt: rb.Scan) -> None:
    assert openwrt.hits() == {
        ("config.service.telnet", "/etc/init.d/telnet", 18),
        ("config.ssh.root-login", "/etc/config/dropbear", 3),
        ("config.ssh.password-authentication", "/etc/config/dropbear", 2),
        ("config.cron.writable-target", "/etc/crontabs/root", 1),
        ("config.permissions.world-writable", "/www/cgi-bin/rotate.sh", None),
    }
    telnet = openwrt.findings("config.service.telnet")[0]
    assert "only if ! has_root_pwd /etc/passwd; ! has_root_pwd /etc/shadow" in telnet.message
    assert "/etc/rc.d/S50telnet → ../init.d/telnet" in telnet.message
    assert openwrt.severity("config.ssh.root-login", "/etc/config/dropbear") is Severity.MEDIUM
    dropbear = next(s for s in openwrt.facts.services if s.name == "dropbear")
    assert dropbear.state is StartState.ENABLED
    assert dropbear.program == "/usr/sbin/dropbear"
    assert dropbear.arguments[:1] == ("-F",) and "-s" not in dropbear.arguments
    assert dropbear.condition is not None and "-s only if" in dropbear.condition
    assert ("rc", "uhttpd", "present", "/etc/init.d/uhttpd") in services(openwrt)
    assert [i.init for i in openwrt.facts.init_systems] == ["procd"]


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        (
            "config dropbear\n\toption RootPasswordAuth 'off'\n",
            {"config.ssh.password-authentication"},
        ),
        ("config dropbear\n\toption PasswordAuth '0'\n", set()),
        ("config dropbear\n\toption enable '0'\n", set()),
        (
            "config dropbear\n\toption RootLogin 'yes'\n",
            {"config.ssh.root-login", "config.ssh.password-authentication"},
        ),
    ],
)
def test_openwrt_uci_variants(tmp_path: Path, config: str, expected: set[str]) -> None:
    found = rb.scan(rb.write_tree(tmp_path / "r", rb.openwrt_tree(config)), tmp_path / "w")
    assert {f.rule for f in found.findings() if f.rule.startswith("config.ssh")} == expected


def test_sysvinit_runlevels_inetd_xinetd(sysvinit: rb.Scan) -> None:
    boot = {
        hit
        for hit in sysvinit.hits()
        if hit[0].startswith(("config.service", "config.debug", "config.ssh"))
    }
    assert boot == {
        ("config.service.telnet", "/etc/inetd.conf", 2),
        ("config.service.rsh", "/etc/inetd.conf", 4),
        ("config.service.tftp", "/etc/xinetd.d/tftp", 1),
        ("config.service.rlogin", "/etc/xinetd.d/rlogin", 1),
        ("config.service.telnet", "/etc/inittab", 7),
        ("config.debug.console-shell", "/etc/inittab", 6),
        ("config.debug.gdbserver", "/etc/rc.local", 2),
        ("config.debug.telnetd-shell", "/etc/init.d/rc.local", 9),
        ("config.debug.init-shell", "/boot/uEnv.txt", None),
        ("config.debug.adb-insecure", "/default.prop", 2),
        ("config.debug.debuggable", "/default.prop", 3),
        ("config.ssh.password-authentication", "/etc/init.d/dropbear", 13),
    }
    severity = sysvinit.severity
    assert severity("config.service.telnet", "/etc/inetd.conf") is Severity.HIGH
    assert severity("config.service.telnet", "/etc/inittab") is Severity.LOW
    assert severity("config.service.rlogin", "/etc/xinetd.d/rlogin") is Severity.LOW
    assert severity("config.debug.gdbserver", "/etc/rc.local") is Severity.HIGH
    assert severity("config.debug.telnetd-shell", "/etc/init.d/rc.local") is Severity.MEDIUM
    messages = {
        f.evidence[0].location.rsplit(" › ", 1)[-1] + f.rule: f.message for f in sysvinit.findings()
    }
    assert "runlevels 5, default runlevel 2" in messages["/etc/inittabconfig.service.telnet"]
    assert "xinetd is not started at boot" in messages["/etc/xinetd.d/rloginconfig.service.rlogin"]
    assert "disable = yes" in messages["/etc/xinetd.d/tftpconfig.service.tftp"]
    assert (
        "inetd started: /etc/rc2.d/S02openbsd-inetd"
        in messages["/etc/inetd.confconfig.service.rsh"]
    )
    assert (
        "only for `/etc/init.d/rc.local debug`"
        in messages["/etc/init.d/rc.localconfig.debug.telnetd-shell"]
    )
    init_shell = sysvinit.findings("config.debug.init-shell")[0].evidence[0]
    assert init_shell.offset == rb.sysvinit_tree().files["boot/uEnv.txt"].index(b"init=/bin/sh")
    assert init_shell.matched is not None and init_shell.matched.startswith(
        "bootargs=console=ttyS0"
    )


def test_sysvinit_dropbear_defaults_file_adds_w(sysvinit: rb.Scan) -> None:
    dropbear = next(s for s in sysvinit.facts.services if s.name == "dropbear")
    assert dropbear.arguments == ("-r", "$DROPBEAR_RSAKEY", "-p", "22", "-w")
    assert sysvinit.findings("config.ssh.root-login") == []


def test_systemd_units(systemd: rb.Scan) -> None:
    assert {hit for hit in systemd.hits() if not hit[0].startswith("config.ssh")} == {
        ("config.service.telnet", "/lib/systemd/system/telnet@.service", 2),
        ("config.service.ftp", "/lib/systemd/system/vsftpd.service", 2),
        (
            "config.debug.console-shell",
            "/etc/systemd/system/serial-getty@ttyS0.service.d/autologin.conf",
            3,
        ),
        ("config.debug.console-shell", "/lib/systemd/system/debug-shell.service", 3),
        ("config.debug.telnetd-shell", "/etc/inittab", 1),
    }
    severity = systemd.severity
    assert severity("config.service.telnet", "/lib/systemd/system/telnet@.service") is Severity.HIGH
    assert severity("config.service.ftp", "/lib/systemd/system/vsftpd.service") is Severity.LOW
    assert (
        severity("config.debug.console-shell", "/lib/systemd/system/debug-shell.service")
        is Severity.LOW
    )
    assert severity("config.debug.telnetd-shell", "/etc/inittab") is Severity.MEDIUM
    reasons = {s.trigger: s.reason for s in systemd.facts.services}
    assert reasons["telnet@.service"] == (
        "activated by telnet.socket (23): /etc/systemd/system/sockets.target.wants/telnet.socket"
    )
    assert reasons["debug-shell.service"] == "masked (linked to /dev/null)"
    assert reasons["vsftpd.service"] == "not enabled: no *.wants or *.requires link"
    assert reasons["console:respawn"] == "systemd is the init and does not read /etc/inittab"
    sshd = next(s for s in systemd.facts.services if s.name == "sshd")
    assert (sshd.mechanism, sshd.state, sshd.arguments) == (
        StartMechanism.SYSTEMD,
        StartState.ENABLED,
        ("-D", "-o", "LogLevel=INFO"),
    )
    getty = next(s for s in systemd.facts.services if s.name == "agetty")
    assert getty.arguments == ("--autologin", "root", "--keep-baud", "115200", "ttyS0", "$TERM")
    assert "serial-getty@.service" not in reasons


def test_busybox_init_without_inittab_has_console_shells(tmp_path: Path) -> None:
    tree = rb.busybox_tree()
    del tree.files["etc/inittab"]
    found = rb.scan(rb.write_tree(tmp_path / "r", tree), tmp_path / "w")
    shells = found.findings("config.debug.console-shell")
    assert len(shells) == 1
    assert [e.matched for e in shells[0].evidence] == [
        f"no /etc/inittab: BusyBox init's built-in entry {tty}::askfirst:-/bin/sh"
        for tty in ("", "tty2", "tty3", "tty4")
    ]
    assert {s.trigger for s in found.facts.services if s.name == "sh"} == {
        "console:askfirst",
        "tty2:askfirst",
        "tty3:askfirst",
        "tty4:askfirst",
    }
    assert ("config.service.telnet", "/etc/init.d/S50telnet", 5) in found.hits()


def test_openrc_scripts_and_shipped_binaries(tmp_path: Path) -> None:
    files = {
        "bin/busybox": rb.elf("BusyBox v1.36.1"),
        "etc/inittab": b"::sysinit:/sbin/openrc sysinit\n::wait:/sbin/openrc default\n",
        "etc/init.d/telnetd": rb.text(
            """
            #!/sbin/openrc-run
            name="busybox telnetd"
            command=/usr/sbin/${RC_SVCNAME}
            command_args="-F -l /bin/sh"
            command_background=true
            """
        ),
        "etc/init.d/ftpd": b"#!/sbin/openrc-run\ncommand=/usr/sbin/ftpd\n",
        "usr/sbin/in.rlogind": rb.elf("rlogind"),
    }
    links = {
        "sbin/init": "../bin/busybox",
        "etc/runlevels/default/telnetd": "/etc/init.d/telnetd",
        "usr/sbin/tftpd": "../../bin/busybox",
        "usr/sbin/telnetd": "../../bin/busybox",
    }
    found = rb.scan(rb.write_tree(tmp_path / "r", rb.Tree(files, links)), tmp_path / "w")
    assert {h for h in found.hits() if not h[0].startswith("config.ssh")} == {
        ("config.debug.telnetd-shell", "/etc/init.d/telnetd", 3),
        ("config.service.ftp", "/etc/init.d/ftpd", 2),
        ("config.service.rlogin", "/usr/sbin/in.rlogind", None),
        ("config.service.tftp", "/usr/sbin/tftpd", None),
    }
    assert found.severity("config.debug.telnetd-shell", "/etc/init.d/telnetd") is Severity.CRITICAL
    assert found.severity("config.service.tftp", "/usr/sbin/tftpd") is Severity.LOW
    [tftp] = found.findings("config.service.tftp")
    assert tftp.evidence[0].matched == "→ ../../bin/busybox"
    telnetd = next(s for s in found.facts.services if s.name == "telnetd")
    assert (telnetd.program, telnetd.arguments, telnetd.reason) == (
        "/usr/sbin/telnetd",
        ("-F", "-l", "/bin/sh"),
        "OpenRC runlevel default: /etc/runlevels/default/telnetd",
    )
