"""The light shell reader and the small config parsers behind the configuration check: commands
with their lines, comments and continuations, here-documents, dead `if` branches, case and
function scopes, variables and sourced files; launchers; inittab, inetd, xinetd, crontab, UCI
and systemd unit syntax."""

from assay.checks.config.cron import parse_crontab
from assay.checks.config.dropbear import parse_uci
from assay.checks.config.inetd import inetd_launch, parse_inetd, parse_xinetd
from assay.checks.config.inittab import default_runlevel, parse_inittab
from assay.checks.config.launch import Launch, launch_of
from assay.checks.config.rc import reachable
from assay.checks.config.shell import Command, parse_script
from assay.checks.config.systemd import parse_unit_text
from tests.factories.rootfs_build import text


def sh(body: str) -> str:
    return text(body).decode()


def commands(script: str, **kwargs: object) -> list[Command]:
    return list(parse_script(script, **kwargs).commands)  # type: ignore[arg-type]


def starts(script: str) -> list[tuple[int, tuple[str, ...]]]:
    """(line, words) of the commands that can run and are not tests."""
    return [(c.line, c.words) for c in commands(script) if not c.dead and not c.test]


def test_comments_continuations_and_quotes() -> None:
    script = sh(
        """
        # telnetd -l /bin/sh
        echo "a # not a comment" 'it''s' # a comment
        /usr/sbin/telnetd \\
            -p 23 \\
            -l /bin/login  # trailing comment
        printf '%s\\n' "multi
        line"
        x=1; y=2 && ftpd -D &
        """
    )
    assert starts(script) == [
        (2, ("echo", "a # not a comment", "its")),
        (3, ("/usr/sbin/telnetd", "-p", "23", "-l", "/bin/login")),
        (6, ("printf", "%s\\n", "multi\nline")),
        (8, ("ftpd", "-D")),
    ]
    assert [c.end_line for c in commands(script)][1] == 5
    assert [c.background for c in commands(script)] == [False, False, False, True]


def test_here_document_bodies_are_not_commands() -> None:
    script = sh(
        """
        cat > /etc/inetd.conf <<EOF
        telnet stream tcp nowait root /usr/sbin/telnetd telnetd
        EOF
        cat <<-'END' 2>/dev/null
        \ttelnetd -l /bin/sh
        \tEND
        dropbear -w
        """
    ).replace("\\t", "\t")
    assert starts(script) == [
        (1, ("cat",)),
        (4, ("cat",)),
        (7, ("dropbear", "-w")),
    ]


def test_dead_branches_of_constant_tests() -> None:
    script = sh(
        """
        DEBUG=0
        if [ "$DEBUG" = 1 ]; then
            telnetd -l /bin/sh
        elif [ "$DEBUG" -eq 0 ]; then
            dropbear
        else
            ftpd
        fi
        if false; then gdbserver :1 /bin/app; fi
        [ "$DEBUG" = 1 ] && adbd &
        [ "$DEBUG" = 1 ] || utelnetd
        if [ -x /usr/sbin/tftpd ]; then tftpd; fi
        """
    )
    found = {c.words[0]: c for c in commands(script)}
    assert found["telnetd"].dead and found["ftpd"].dead
    assert found["gdbserver"].dead and found["adbd"].dead
    assert not found["dropbear"].dead and not found["utelnetd"].dead
    assert not found["tftpd"].dead
    assert found["tftpd"].conditions == ("[ -x /usr/sbin/tftpd ]",)
    assert found["utelnetd"].conditions == ("! [ 0 = 1 ]",)
    assert [c.line for c in commands(script) if c.test] == [2, 4, 9, 12]


def test_unassigned_variables_are_empty_but_not_constant() -> None:
    script = sh(
        """
        $UNSET_DAEMON telnetd $UNSET_ARGS -F
        if [ "$DEBUG" = 1 ]; then gdbserver :1 /bin/app; fi
        if [ "$PATH" = /bin ]; then ftpd; fi
        echo $HOME
        """
    )
    found = {c.words[0]: c for c in commands(script)}
    assert found["telnetd"].words == ("telnetd", "-F")
    assert not found["gdbserver"].dead and not found["ftpd"].dead
    assert found["echo"].words == ("echo", "$HOME")


def test_variables_unknown_when_set_conditionally_or_at_run_time() -> None:
    script = sh(
        """
        A=1
        if [ -f /etc/debug ]; then A=2; fi
        B=1
        config_get B main debug
        C=1
        if [ "$A" = 1 ]; then telnetd; fi
        if [ "$B" = 1 ]; then ftpd; fi
        if [ "$C" = 0 ]; then tftpd; fi
        """
    )
    found = {c.words[0]: c for c in commands(script)}
    assert not found["telnetd"].dead
    assert not found["ftpd"].dead
    assert found["tftpd"].dead


def test_expansion_defaults_splitting_and_sourced_files() -> None:
    defaults = {"/etc/default/dropbear": 'DROPBEAR_EXTRA_ARGS="-w -g"\nPORT=2222\n'}
    script = sh(
        """
        DAEMON=/usr/sbin/dropbear
        . /etc/default/dropbear
        . /etc/default/missing
        $DAEMON -p ${PORT:-22} $DROPBEAR_EXTRA_ARGS "$DROPBEAR_EXTRA_ARGS" \
            ${UNSET:-x} $UNSET '$DAEMON'
        """
    )
    parsed = parse_script(script, source=defaults.get)
    assert parsed.sourced == ("/etc/default/dropbear",)
    words = parsed.commands[-1].words
    assert words == (
        "/usr/sbin/dropbear",
        "-p",
        "2222",
        "-w",
        "-g",
        "-w -g",
        "x",
        "$DAEMON",
    )


def test_case_and_function_scopes_decide_what_runs_on_start() -> None:
    script = sh(
        """
        start() { telnetd; }
        stop() { start-stop-daemon -K -x /usr/sbin/ftpd; }
        case "$1" in
            start|restart) ftpd ;;
            stop) killall ftpd ;;
            debug) gdbserver :1 /bin/app ;;
            *) echo usage ;;
        esac
        case "$(uname -m)" in
            mips) tftpd ;;
        esac
        function boot {
            adbd
        }
        """
    )
    verdicts = {c.words[0]: reachable(c) for c in commands(script)}
    assert verdicts["telnetd"] == (True, "")
    assert verdicts["start-stop-daemon"] == (False, "")
    assert verdicts["ftpd"] == (True, "")
    assert verdicts["killall"] == (False, "")
    assert verdicts["gdbserver"] == (False, "debug")
    assert verdicts["echo"] == (True, "")
    assert verdicts["tftpd"] == (True, "")
    assert verdicts["adbd"] == (True, "")


def test_for_loops_record_their_items() -> None:
    parsed = parse_script("P=/etc/init.d\nfor i in $P/S??* /etc/rc.local; do $i start; done\n")
    assert [(loop.variable, loop.items) for loop in parsed.loops] == [
        ("i", ("/etc/init.d/S??*", "/etc/rc.local"))
    ]
    assert parsed.commands[-1].words == ("$i", "start")


def test_launchers_and_wrappers() -> None:
    cases = {
        "start-stop-daemon -S -b -m -p /run/t.pid -x /usr/sbin/telnetd -- -l /bin/sh": Launch(
            "/usr/sbin/telnetd", ("-l", "/bin/sh"), "start-stop-daemon"
        ),
        "start-stop-daemon --start --exec=/usr/sbin/vsftpd": Launch(
            "/usr/sbin/vsftpd", (), "start-stop-daemon"
        ),
        "start-stop-daemon -S -x /bin/busybox -a /usr/sbin/telnetd": Launch(
            "/usr/sbin/telnetd", (), "start-stop-daemon"
        ),
        "procd_set_param command /usr/sbin/dropbear -F": Launch(
            "/usr/sbin/dropbear", ("-F",), "procd"
        ),
        "service_start /usr/sbin/telnetd -l /bin/login": Launch(
            "/usr/sbin/telnetd", ("-l", "/bin/login"), "service_start"
        ),
        "nohup nice -n 5 busybox telnetd -p 2323": Launch("telnetd", ("-p", "2323")),
        "tcpsvd -vE 0.0.0.0 21 ftpd -w /srv": Launch("ftpd", ("-w", "/srv"), "tcpsvd"),
        "env -i PATH=/bin LD_LIBRARY_PATH=/lib /usr/bin/gdbserver :2345": Launch(
            "/usr/bin/gdbserver", (":2345",)
        ),
        "sh -c 'exec /usr/sbin/utelnetd -l /bin/sh'": Launch(
            "/usr/sbin/utelnetd", ("-l", "/bin/sh")
        ),
        "setsid cttyhack /bin/sh": Launch("/bin/sh", (), console=True),
        "chroot /mnt /bin/adbd": Launch("/bin/adbd", ()),
    }
    for line, expected in cases.items():
        assert launch_of(parse_script(line).commands[0].words) == expected, line
    assert launch_of(("start-stop-daemon", "-K", "-x", "/usr/sbin/telnetd")) is None
    assert launch_of(("procd_set_param", "respawn")) is None


def test_inittab_dialects() -> None:
    entries = parse_inittab(
        sh(
            """
            id:3:initdefault:
            # ttyS1::respawn:/bin/sh
            ::sysinit:/etc/init.d/rcS
            ttyS0::respawn:-/bin/sh
            T0:23:respawn:/sbin/getty -L ttyS0 9600 vt100
            not an entry
            """
        )
    )
    assert [(e.ident, e.runlevels, e.action, e.process, e.line) for e in entries] == [
        ("id", "3", "initdefault", "", 1),
        ("", "", "sysinit", "/etc/init.d/rcS", 3),
        ("ttyS0", "", "respawn", "-/bin/sh", 4),
        ("T0", "23", "respawn", "/sbin/getty -L ttyS0 9600 vt100", 5),
    ]
    assert default_runlevel(entries) == "3"


def test_inetd_and_xinetd_syntax() -> None:
    lines = list(
        parse_inetd(
            "#telnet stream tcp nowait root /usr/sbin/telnetd telnetd\n"
            "23 stream tcp nowait root /bin/busybox telnetd -i\n"
            "ftp stream tcp nowait root /usr/sbin/tcpd in.ftpd -l\n"
            "echo stream tcp nowait root internal\n"
        )
    )
    assert [(e.service, e.line) for e in lines] == [("23", 2), ("ftp", 3), ("echo", 4)]
    launches = [inetd_launch(e.server, e.arguments) for e in lines]
    assert launches == [
        Launch("telnetd", ("-i",), "inetd"),
        Launch("in.ftpd", ("-l",), "inetd"),
        None,
    ]
    blocks = list(
        parse_xinetd(
            "defaults\n{\n disabled = tftp\n}\n# comment\nservice telnet\n{\n"
            " server = /usr/sbin/in.telnetd # wrapped\n server_args = -h\n server_args += -L x\n}\n"
        )
    )
    assert [(b.name, b.line, b.attributes) for b in blocks] == [
        ("defaults", 1, {"disabled": "tftp"}),
        ("telnet", 6, {"server": "/usr/sbin/in.telnetd", "server_args": "-h -L x"}),
    ]


def test_crontab_lines() -> None:
    table = sh(
        """
        SHELL=/bin/sh
        # m h dom mon dow user command
        17 * * * * root cd / && run-parts --report /etc/cron.hourly
        @reboot root /tmp/boot.sh
        */5 * * * * nobody /usr/bin/job --flag 100%% > /dev/null %stdin
        bad line
        """
    )
    jobs = [(n, u, c) for n, u, c, _ in parse_crontab(table, True, "root")]
    assert jobs == [
        (3, "root", "cd / && run-parts --report /etc/cron.hourly"),
        (4, "root", "/tmp/boot.sh"),
        (5, "nobody", "/usr/bin/job --flag 100"),
    ]
    user_table = [(n, u, c) for n, u, c, _ in parse_crontab("0 1 * * * /bin/x\n", False, "admin")]
    assert user_table == [(1, "admin", "/bin/x")]


def test_uci_and_unit_syntax() -> None:
    sections = parse_uci(
        "config dropbear\n\toption PasswordAuth 'off'  # comment\n\t# option Port 1\n"
        "config dropbear 'wan'\n\toption enable \"0\"\n"
    )
    assert [(s.type, s.line, {k: v[0] for k, v in s.options.items()}) for s in sections] == [
        ("dropbear", 1, {"PasswordAuth": "off"}),
        ("dropbear", 4, {"enable": "0"}),
    ]
    unit = (
        "[Service]\n# ExecStart=/bin/no\n; also no\nExecStart=/usr/sbin/a \\\n  -x\nType=simple\n"
    )
    assert [(s, k, v, n) for s, k, v, n, _ in parse_unit_text(unit)] == [
        ("Service", "ExecStart", "/usr/sbin/a -x", 4),
        ("Service", "Type", "simple", 6),
    ]
