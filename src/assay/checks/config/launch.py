"""What a command starts: the program behind launchers and wrappers (`start-stop-daemon -S -x
/usr/sbin/telnetd -- -l /bin/login`, `procd_set_param command …`, `nohup`, `busybox telnetd`,
`tcpsvd 0 21 ftpd`, `sh -c "…"`), and whether the command starts anything at all (`-K` stops)."""

import posixpath
from dataclasses import dataclass, replace

from assay.checks.config.shell import parse_script

# wrapper → (options that take a value, positional arguments before the program)
WRAPPERS: dict[str, tuple[frozenset[str], int]] = {
    "exec": (frozenset({"-a"}), 0),
    "nohup": (frozenset(), 0),
    "setsid": (frozenset(), 0),
    "command": (frozenset(), 0),
    "builtin": (frozenset(), 0),
    "time": (frozenset({"-f", "-o"}), 0),
    "sudo": (frozenset({"-u", "-g", "-C", "-h", "-p", "-r", "-t", "-U"}), 0),
    "doas": (frozenset({"-u", "-C"}), 0),
    "nice": (frozenset({"-n"}), 0),
    "ionice": (frozenset({"-c", "-n", "-p"}), 0),
    "taskset": (frozenset(), 1),
    "chrt": (frozenset(), 1),
    "env": (frozenset({"-u", "-C", "-S"}), 0),
    "chroot": (frozenset({"--userspec", "--groups"}), 1),
    "cttyhack": (frozenset(), 0),
    "flock": (frozenset({"-w", "-E", "-c"}), 1),
    "timeout": (frozenset({"-s", "-k"}), 1),
    "stdbuf": (frozenset({"-i", "-o", "-e"}), 0),
    "su-exec": (frozenset(), 1),
    "gosu": (frozenset(), 1),
    "setuidgid": (frozenset(), 1),
    "envdir": (frozenset(), 1),
    "softlimit": (frozenset({"-m", "-a", "-d", "-o", "-p", "-f", "-c", "-r", "-t", "-s"}), 0),
    "chpst": (frozenset({"-u", "-U", "-e", "-/", "-n", "-l", "-L", "-m", "-d", "-o", "-p"}), 0),
    "daemon": (frozenset({"--user", "--pidfile", "--check"}), 0),
    "start_daemon": (frozenset({"-n", "-p"}), 0),
    "daemonize": (frozenset({"-a", "-c", "-e", "-E", "-l", "-o", "-p", "-u"}), 0),
    "service_start": (frozenset(), 0),
    "respawn": (frozenset(), 0),
}
SERVICE_LAUNCHERS = frozenset(
    {"start-stop-daemon", "procd", "service_start", "start_daemon", "daemon", "daemonize"}
    | {"openrc"}
)
SSD_VALUES = frozenset(
    {"-x", "--exec", "-a", "--startas", "-n", "--name", "-p", "--pidfile", "-u", "--user"}
    | {"-c", "--chuid", "-N", "--nicelevel", "-s", "--signal", "-R", "--retry", "-d", "--chdir"}
    | {"-g", "--group", "-k", "--umask", "-r", "--chroot", "-P", "--procsched", "-I"}
    | {"--iosched", "-O", "--output", "-w", "--notify-await-timeout"}
)
SSD_STOP = frozenset({"-K", "--stop", "-T", "--status"})
SVD_VALUES = frozenset({"-c", "-C", "-b", "-u", "-l", "-t", "-B", "-x"})
MULTICALL = frozenset({"busybox", "toybox"})


@dataclass(frozen=True, slots=True)
class Launch:
    """A program a command starts, with its arguments and the launcher used (`via`)."""

    program: str
    arguments: tuple[str, ...]
    via: str = ""
    console: bool = False

    @property
    def name(self) -> str:
        """The program's basename, without a login shell's leading `-`."""
        return posixpath.basename(self.program).lstrip("-")

    @property
    def service_like(self) -> bool:
        """Started the way daemons are: through a service launcher or a socket server."""
        return self.via in SERVICE_LAUNCHERS or self.via in ("tcpsvd", "udpsvd")


def _skip_options(words: tuple[str, ...], values: frozenset[str]) -> int:
    index = 0
    while index < len(words) and words[index].startswith("-") and words[index] != "-":
        word = words[index]
        index += 1
        if word == "--":
            break
        if word in values:
            index += 1
    return index


def _env_start(words: tuple[str, ...]) -> int:
    index = _skip_options(words, WRAPPERS["env"][0])
    while index < len(words) and "=" in words[index] and not words[index].startswith("/"):
        index += 1
    return index


def _start_stop_daemon(words: tuple[str, ...]) -> Launch | None:
    program = ""
    index = 0
    while index < len(words) and words[index] != "--":
        word, value = words[index], words[index + 1] if index + 1 < len(words) else ""
        if word in SSD_STOP:
            return None
        option, _, inline = word.partition("=")
        if option in ("-a", "--startas") or (option in ("-x", "--exec") and not program):
            program = inline or value
        index += 1 + (option in SSD_VALUES and not inline)
    if not program:
        return None
    return Launch(program, words[index + 1 :], "start-stop-daemon")


def _socket_server(name: str, words: tuple[str, ...]) -> Launch | None:
    index = _skip_options(words, SVD_VALUES) + 2
    if index >= len(words):
        return None
    inner = launch_of(words[index:])
    return replace(inner, via=name) if inner is not None else None


def _shell_command(words: tuple[str, ...]) -> Launch | None:
    if len(words) < 2 or words[0] != "-c":
        return None
    commands = parse_script(words[1]).commands
    return launch_of(commands[0].words) if commands else None


def _wrapped(name: str, rest: tuple[str, ...]) -> Launch | None:
    values, positionals = WRAPPERS[name]
    start = _env_start(rest) if name == "env" else _skip_options(rest, values) + positionals
    inner = launch_of(rest[start:])
    if inner is None:
        return None
    if name == "cttyhack":
        return replace(inner, console=True)
    if name in SERVICE_LAUNCHERS and not inner.via:
        return replace(inner, via=name)
    return inner


def launch_of(words: tuple[str, ...]) -> Launch | None:
    """What the command starts, looking through launchers and wrappers; None when it starts
    nothing (a stop, an empty command)."""
    while words and words[0] == "!":
        words = words[1:]
    if not words:
        return None
    name, rest = posixpath.basename(words[0]), words[1:]
    if name == "start-stop-daemon":
        return _start_stop_daemon(rest)
    if name == "procd_set_param":
        return Launch(rest[1], rest[2:], "procd") if rest[:1] == ("command",) and rest[1:] else None
    if name in ("tcpsvd", "udpsvd"):
        return _socket_server(name, rest)
    if name in MULTICALL and rest and not rest[0].startswith("-"):
        return launch_of(rest)
    if name in WRAPPERS:
        return _wrapped(name, rest)
    if name in ("sh", "ash", "bash", "dash") and rest[:1] == ("-c",):
        return _shell_command(rest) or Launch(words[0], rest)
    return Launch(words[0], rest)
