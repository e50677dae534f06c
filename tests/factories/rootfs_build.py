"""Root file systems for the configuration check, written by code: BusyBox/Buildroot, OpenWrt,
sysvinit and systemd trees with their init files, modes and symlinks as real images have them,
optionally packed into a squashfs with mksquashfs. ELF files are copies of the host's /bin/true
with a tag appended, so each is a distinct, valid ELF."""

import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from textwrap import dedent

from assay.checks.base import CheckContext, CheckResult
from assay.checks.config import ConfigCheck
from assay.extract.limits import Limits
from assay.extract.unpacker import Unpacker
from assay.inventory.index import FileIndex
from assay.model.artifact import CHAIN_SEPARATOR
from assay.model.component import Component, ComponentType, Confidence
from assay.model.config import ConfigFacts
from assay.model.finding import Finding, Severity
from assay.model.problem import ProblemKind, ProblemLevel
from assay.plugins import extractors

HOST_ELF = Path("/bin/true")


def elf(tag: str) -> bytes:
    """A valid ELF executable, distinct per tag (the tag is appended after the image)."""
    return HOST_ELF.read_bytes() + b"\0" + tag.encode()


def text(body: str) -> bytes:
    """A config file from an indented triple-quoted string."""
    return dedent(body).lstrip("\n").encode()


@dataclass
class Tree:
    """Files (path → bytes), symlinks (path → target), modes (path → mode, files or dirs)."""

    files: dict[str, bytes] = field(default_factory=dict)
    links: dict[str, str] = field(default_factory=dict)
    modes: dict[str, int] = field(default_factory=dict)

    def merge(self, other: "Tree") -> "Tree":
        """A tree with both trees' entries (the other's win)."""
        return Tree(
            {**self.files, **other.files},
            {**self.links, **other.links},
            {**self.modes, **other.modes},
        )


def write_tree(root: Path, tree: Tree) -> Path:
    """Write the tree under `root` (modes applied last, deepest first); return root."""
    for name, data in tree.files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        os.chmod(path, 0o755 if data.startswith((b"\x7fELF", b"#!")) else 0o644)
    for name, target in tree.links.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.symlink_to(target)
    for name in sorted(tree.modes, key=lambda n: -n.count("/")):
        path = root / name
        if not path.exists():
            path.mkdir(parents=True)
        os.chmod(path, tree.modes[name])
    return root


def squashfs(tree: Path, out: Path) -> Path:
    """Pack a tree with mksquashfs (all files owned by root, as firmware builds do)."""
    argv = ["mksquashfs", str(tree), str(out), "-noappend", "-all-root", "-quiet", "-no-progress"]
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    return out


RCS_BUILDROOT = text(
    """
    #!/bin/sh
    # Start all init scripts in /etc/init.d
    # executing them in numerical order.
    #
    for i in /etc/init.d/S??* ;do
         # Ignore dangling symlinks (if any).
         [ ! -f "$i" ] && continue
         case "$i" in
        *.sh)
            # Source shell script for speed.
            (
            trap - INT QUIT TSTP
            set start
            . $i
            )
            ;;
        *)
            # No sh extension, so fork subprocess.
            $i start
            ;;
        esac
    done
    """
)


def busybox_tree() -> Tree:
    """A Buildroot-style BusyBox system: inittab, rcS looping over S??*, init scripts enabled
    by name, a disabled (commented-out) one, one not enabled, a debug script with dead code and
    a line continuation, permissions and a crontab."""
    files = {
        "bin/busybox": elf("BusyBox v1.36.1 (2024-01-01 00:00:00 UTC) multi-call binary"),
        "usr/bin/gdbserver": elf("gdbserver"),
        "usr/bin/app": elf("vendor app"),
        "etc/inittab": text(
            """
            # /etc/inittab
            ::sysinit:/bin/mount -t proc proc /proc
            ::sysinit:/etc/init.d/rcS

            # Put a getty on the serial port
            ttyS0::respawn:/sbin/getty -L  ttyS0 115200 vt100 # GENERIC_SERIAL
            #ttyS1::respawn:/bin/sh
            ::askfirst:-/bin/sh
            ::shutdown:/etc/init.d/rcK
            """
        ),
        "etc/init.d/rcS": RCS_BUILDROOT,
        "etc/init.d/S50telnet": text(
            """
            #!/bin/sh
            case "$1" in
              start)
                printf "Starting telnetd: "
                start-stop-daemon -S -q -m -b -p /var/run/telnetd.pid \\
                    -x /usr/sbin/telnetd -- -F
                ;;
              stop)
                start-stop-daemon -K -q -p /var/run/telnetd.pid
                ;;
            esac
            """
        ),
        "etc/init.d/S40ftp": text(
            """
            #!/bin/sh
            # vsftpd is disabled in production builds
            # /usr/sbin/vsftpd /etc/vsftpd.conf &
            echo "ftp disabled"
            """
        ),
        "etc/init.d/tftpd": text(
            """
            #!/bin/sh
            /usr/sbin/in.tftpd -l -s /srv/tftp
            """
        ),
        "etc/init.d/S99debug": text(
            """
            #!/bin/sh
            DEBUG=0
            if [ "$DEBUG" = 1 ]; then
                /usr/bin/gdbserver --multi :2345 &
            fi
            nc -l -p 4444 \\
               -e /bin/sh &
            """
        ),
        "etc/init.d/S60www": text("#!/bin/sh\nhttpd -h /www\n"),
        "etc/crontabs/root": text(
            """
            */5 * * * * /tmp/cleanup.sh
            0 * * * * /usr/bin/backup.sh
            #*/1 * * * * /tmp/old.sh
            @reboot sh /var/tmp/boot.sh > /dev/null 2>&1
            15 3 * * * /usr/bin/app --sync
            """
        ),
        "usr/bin/backup.sh": text("#!/bin/sh\ntar czf /tmp/b.tgz /etc\n"),
        "var/tmp/log.txt": b"log\n",
        "www/config.json": b"{}\n",
        "home/user/notes": b"notes\n",
    }
    links = {"sbin/init": "../bin/busybox", "bin/sh": "busybox", "sbin/getty": "../bin/busybox"}
    modes = {
        "bin/busybox": 0o4755,
        "usr/bin/app": 0o2755,
        "etc/init.d/S60www": 0o777,
        "usr/bin/backup.sh": 0o777,
        "var/tmp/log.txt": 0o666,
        "www/config.json": 0o666,
        "home/user/notes": 0o666,
        "tmp": 0o1777,
        "data": 0o777,
    }
    return Tree(files, links, modes)


OPENWRT_DROPBEAR_INIT = text(
    """
    #!/bin/sh /etc/rc.common
    # Copyright (C) 2006-2010 OpenWrt.org

    START=19
    STOP=50

    USE_PROCD=1
    PROG=/usr/sbin/dropbear
    NAME=dropbear
    PIDCOUNT=0

    dropbear_instance()
    {
        [ "$2" = 0 ] || {
            echo "validation failed"
            return 1
        }
        [ "${enable}" = "0" ] && return 1
        PIDCOUNT="$(( ${PIDCOUNT} + 1))"
        local pid_file="/var/run/${NAME}.${PIDCOUNT}.pid"

        procd_open_instance
        procd_set_param command "$PROG" -F -P "$pid_file"
        [ "${PasswordAuth}" -eq 0 ] && procd_append_param command -s
        [ "${RootPasswordAuth}" -eq 0 ] && procd_append_param command -g
        [ "${RootLogin}" -eq 0 ] && procd_append_param command -w
        procd_append_param command -p "${Port}"
        procd_set_param respawn
        procd_close_instance
    }

    start_service()
    {
        . /lib/functions.sh
        config_load "${NAME}"
        config_foreach validate_section_dropbear dropbear dropbear_instance
    }

    stop_service()
    {
        killall dropbear
    }
    """
)


def openwrt_tree(dropbear_config: str | None = None) -> Tree:
    """An OpenWrt system: procd, inittab with rcS, init scripts enabled by /etc/rc.d links,
    dropbear configured through UCI, the legacy telnet script, a crontab."""
    files = {
        "sbin/init": elf("procd init"),
        "sbin/procd": elf("procd"),
        "usr/sbin/dropbear": elf("dropbear"),
        "etc/inittab": text(
            """
            ::sysinit:/etc/init.d/rcS S boot
            ::shutdown:/etc/init.d/rcS K shutdown
            ::askconsole:/usr/libexec/login.sh
            """
        ),
        "etc/init.d/dropbear": OPENWRT_DROPBEAR_INIT,
        "etc/config/dropbear": text(
            dropbear_config
            or """
            config dropbear
                option PasswordAuth 'on'
                option RootPasswordAuth 'on'
                option Port         '22'
            #    option BannerFile   '/etc/banner'
            """
        ),
        "etc/init.d/telnet": text(
            """
            #!/bin/sh /etc/rc.common
            # Copyright (C) 2006-2011 OpenWrt.org

            START=50
            USE_PROCD=1
            PROG=/usr/sbin/telnetd

            has_root_pwd() {
                local pwd=$([ -f "$1" ] && cat "$1")
                pwd="${pwd#*root:}"
                pwd="${pwd%%:*}"
                test -n "${pwd#[\\!x]}"
            }

            start_service() {
                if ! has_root_pwd /etc/passwd && ! has_root_pwd /etc/shadow; then
                    procd_open_instance
                    procd_set_param command "$PROG" -F -l /bin/login.sh
                    procd_close_instance
                fi
            }
            """
        ),
        "etc/init.d/uhttpd": text(
            """
            #!/bin/sh /etc/rc.common
            START=50
            USE_PROCD=1
            start_service() {
                procd_open_instance
                procd_set_param command /usr/sbin/uhttpd -f -h /www -p 0.0.0.0:80
                procd_close_instance
            }
            """
        ),
        "etc/crontabs/root": text("0 4 * * * /www/cgi-bin/rotate.sh\n"),
        "www/cgi-bin/rotate.sh": text("#!/bin/sh\nlogrotate /etc/logrotate.conf\n"),
    }
    links = {
        "etc/rc.d/S19dropbear": "../init.d/dropbear",
        "etc/rc.d/S50telnet": "../init.d/telnet",
        "var": "tmp",
    }
    return Tree(files, links, {"www/cgi-bin/rotate.sh": 0o777})


def sysvinit_tree() -> Tree:
    """A Debian-style sysvinit system: inittab with a default runlevel, rcN.d links, inetd with
    tcpd, xinetd, Yocto's dropbear script with /etc/default, rc.local, a U-Boot environment and
    Android properties."""
    files = {
        "sbin/init": elf("sysvinit"),
        "usr/sbin/inetd": elf("inetd"),
        "usr/sbin/gdbserver": elf("gdbserver 12"),
        "etc/inittab": text(
            """
            # The default runlevel.
            id:2:initdefault:
            si::sysinit:/etc/init.d/rcS
            l2:2:wait:/etc/init.d/rc 2
            1:2345:respawn:/sbin/getty 38400 tty1
            T0:23:respawn:/sbin/getty -n -l /bin/sh -L ttyS0 9600 vt100
            T1:5:respawn:/usr/sbin/utelnetd -l /bin/login
            ca:12345:ctrlaltdel:/sbin/shutdown -t1 -a -r now
            """
        ),
        "etc/init.d/openbsd-inetd": text(
            """
            #!/bin/sh
            ### BEGIN INIT INFO
            # Provides:          openbsd-inetd
            ### END INIT INFO
            DAEMON=/usr/sbin/inetd
            case "$1" in
                start)
                    start-stop-daemon --start --quiet --pidfile /run/inetd.pid \\
                        --exec $DAEMON
                    ;;
                stop)
                    start-stop-daemon --stop --quiet --pidfile /run/inetd.pid --oknodo
                    ;;
            esac
            """
        ),
        "etc/inetd.conf": text(
            """
            # <service_name> <sock_type> <proto> <flags> <user> <server_path> <args>
            telnet        stream    tcp    nowait    root    /usr/sbin/tcpd    /usr/sbin/in.telnetd
            #ftp        stream    tcp    nowait    root    /usr/sbin/tcpd    /usr/sbin/in.ftpd
            shell        stream    tcp    nowait    root    /usr/sbin/tcpd    /usr/sbin/in.rshd
            time        stream    tcp    nowait    root    internal
            """
        ),
        "etc/xinetd.d/tftp": text(
            """
            service tftp
            {
                socket_type    = dgram
                protocol    = udp
                wait        = yes
                user        = root
                server        = /usr/sbin/in.tftpd
                server_args    = -s /tftpboot
                disable        = yes
            }
            """
        ),
        "etc/xinetd.d/rlogin": text(
            """
            service login
            {
                socket_type    = stream
                wait        = no
                user        = root
                server        = /usr/sbin/in.rlogind
                disable        = no
            }
            """
        ),
        "etc/init.d/dropbear": text(
            """
            #!/bin/sh
            DAEMON=/usr/sbin/dropbear
            NAME=dropbear
            DROPBEAR_PORT=22
            DROPBEAR_EXTRA_ARGS=
            DROPBEAR_RSAKEY_DEFAULT="/etc/dropbear/dropbear_rsa_host_key"
            test -f /etc/default/dropbear && . /etc/default/dropbear
            if [ -z "$DROPBEAR_RSAKEY" ]; then
                DROPBEAR_RSAKEY=$DROPBEAR_RSAKEY_DEFAULT
            fi
            case "$1" in
              start)
                start-stop-daemon -S -p /var/run/$NAME.pid -x "$DAEMON" -- \\
                    -r $DROPBEAR_RSAKEY -p "$DROPBEAR_PORT" $DROPBEAR_EXTRA_ARGS
                ;;
            esac
            """
        ),
        "etc/default/dropbear": text('DROPBEAR_EXTRA_ARGS="-w"\n'),
        "etc/init.d/rc.local": text(
            """
            #!/bin/sh
            do_start() {
                if [ -x /etc/rc.local ]; then
                    /etc/rc.local
                fi
            }
            case "$1" in
                start) do_start ;;
                debug) /usr/sbin/telnetd -l /bin/sh ;;
            esac
            """
        ),
        "etc/rc.local": text("#!/bin/sh -e\n/usr/sbin/gdbserver :1234 /usr/bin/app &\nexit 0\n"),
        "boot/uEnv.txt": text(
            "bootargs=console=ttyS0,115200 root=/dev/mtdblock2 rootfstype=squashfs init=/bin/sh\n"
        ),
        "default.prop": text("ro.secure=1\nro.adb.secure=0\nro.debuggable=1\n"),
    }
    links = {
        "etc/rc2.d/S02openbsd-inetd": "../init.d/openbsd-inetd",
        "etc/rc2.d/S10dropbear": "../init.d/dropbear",
        "etc/rc2.d/S99rc.local": "../init.d/rc.local",
        "etc/rc0.d/K01dropbear": "../init.d/dropbear",
    }
    return Tree(files, links)


def systemd_tree() -> Tree:
    """A systemd system: a socket-activated telnet, an installed but disabled vsftpd, ssh with
    an EnvironmentFile, a masked debug shell, an autologin drop-in on the serial getty, an
    sshd_config with an Include and a Match block, and a leftover inittab."""
    lib = "lib/systemd/system"
    files = {
        "lib/systemd/systemd": elf("systemd 252"),
        f"{lib}/telnet.socket": text(
            """
            [Unit]
            Description=Telnet Server Activation Socket

            [Socket]
            ListenStream=23
            Accept=yes

            [Install]
            WantedBy=sockets.target
            """
        ),
        f"{lib}/telnet@.service": text(
            """
            [Service]
            ExecStart=-/usr/sbin/in.telnetd
            StandardInput=socket
            """
        ),
        f"{lib}/vsftpd.service": text(
            """
            [Service]
            ExecStart=/usr/sbin/vsftpd \\
                /etc/vsftpd.conf

            [Install]
            WantedBy=multi-user.target
            """
        ),
        f"{lib}/ssh.service": text(
            """
            [Service]
            EnvironmentFile=-/etc/default/ssh
            ExecStart=/usr/sbin/sshd -D $SSHD_OPTS
            """
        ),
        "etc/default/ssh": text('SSHD_OPTS="-o LogLevel=INFO"\n'),
        f"{lib}/debug-shell.service": text(
            """
            [Service]
            Environment=TERM=linux
            ExecStart=/bin/sh
            TTYPath=/dev/tty9
            """
        ),
        f"{lib}/serial-getty@.service": text(
            """
            [Service]
            ExecStart=-/sbin/agetty -o '-p -- \\\\u' --keep-baud 115200,57600,38400,9600 %I $TERM
            """
        ),
        "etc/systemd/system/serial-getty@ttyS0.service.d/autologin.conf": text(
            """
            [Service]
            ExecStart=
            ExecStart=-/sbin/agetty --autologin root --keep-baud 115200 %I $TERM
            """
        ),
        "etc/ssh/sshd_config": text(
            """
            Include /etc/ssh/sshd_config.d/*.conf
            #PermitRootLogin prohibit-password
            PermitRootLogin yes
            #PermitEmptyPasswords yes
            PasswordAuthentication yes
            Ciphers aes128-ctr,3des-cbc,arcfour
            Match User backup
                PermitEmptyPasswords yes
            """
        ),
        "etc/ssh/sshd_config.d/10-local.conf": text("PasswordAuthentication no\nProtocol 2,1\n"),
        "etc/inittab": text("::respawn:/usr/sbin/telnetd -l /bin/sh\n"),
    }
    links = {
        "sbin/init": "/lib/systemd/systemd",
        "etc/systemd/system/sockets.target.wants/telnet.socket": f"/{lib}/telnet.socket",
        "etc/systemd/system/multi-user.target.wants/ssh.service": f"/{lib}/ssh.service",
        "etc/systemd/system/getty.target.wants/serial-getty@ttyS0.service": (
            f"/{lib}/serial-getty@.service"
        ),
        "etc/systemd/system/debug-shell.service": "/dev/null",
        "etc/systemd/system/rescue.target.wants/vsftpd.service": f"/{lib}/vsftpd.service",
    }
    return Tree(files, links)


@dataclass
class Scan:
    """The configuration check's result over one unpacked release, with its problems."""

    result: CheckResult
    problems: list[tuple[ProblemKind, ProblemLevel, str, str]]

    @property
    def facts(self) -> ConfigFacts:
        """The typed facts."""
        assert isinstance(self.result.facts, ConfigFacts)
        return self.result.facts

    def findings(self, rule: str | None = None) -> list[Finding]:
        """Findings, optionally of one rule."""
        return [f for f in self.result.findings if rule is None or f.rule == rule]

    def hits(self) -> set[tuple[str, str, int | None]]:
        """(rule, in-container path, line) of every finding's first evidence."""
        return {
            (f.rule, f.evidence[0].location.split(CHAIN_SEPARATOR)[-1], f.evidence[0].line)
            for f in self.result.findings
        }

    def severity(self, rule: str, path: str) -> Severity:
        """The severity of the finding of `rule` whose evidence is in `path`."""
        return next(
            f.severity
            for f in self.result.findings
            if f.rule == rule and f.evidence[0].location.endswith(CHAIN_SEPARATOR + path)
        )


def scan(source: Path, workspace: Path, components: tuple[Component, ...] = ()) -> Scan:
    """Unpack `source` with every extractor and run ConfigCheck over the index."""
    unpacked = Unpacker(extractors(), Limits(), workspace).unpack(source)
    context = CheckContext(components=components)
    result = ConfigCheck().run(FileIndex(unpacked.artifacts, unpacked.disk), context)
    return Scan(result, list(context.problems))


def openssh(version: str) -> Component:
    """An OpenSSH component as the identification stage reports it (evidence not needed)."""
    return Component(
        id=f"openssh-{version}",
        product="openssh",
        name="OpenSSH",
        version=version,
        type=ComponentType.APPLICATION,
        purl=None,
        cpes=(),
        found_by=("test",),
        confidence=Confidence.HIGH,
        evidence=(),
    )
