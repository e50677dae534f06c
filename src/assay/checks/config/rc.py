"""Init scripts (`/etc/init.d`, `/etc/rc.d`, rc.local): which run at boot — linked as `S??name`
from an rc directory (sysvinit, OpenWrt `/etc/rc.d`), listed in an OpenRC runlevel, or run by a
script that does (rcS looping over `/etc/init.d/S??*`, `sh /etc/rc.local`) — and what they start."""

import fnmatch
import posixpath
import re
from collections import deque
from collections.abc import Iterator
from dataclasses import replace

from assay.checks.config.launch import Launch, launch_of
from assay.checks.config.scan import RootScan, source_of
from assay.checks.config.shell import Command, Script
from assay.model.artifact import Artifact
from assay.model.config import BootScript, StartMechanism, StartState

SCRIPT_DIRS = ("/etc/init.d", "/etc/rc.d/init.d", "/etc/rc.d")
DIRECT_SCRIPTS = ("/etc/rc.local", "/etc/rc.d/rc.local", "/etc/rc", "/etc/init.d/rcS")
RC_DIR = re.compile(r"/etc/(?:rc\.d/)?rc([0-9S])\.d")
OPENRC_BOOT = ("/etc/runlevels/sysinit", "/etc/runlevels/boot", "/etc/runlevels/default")
BOOT_RUNLEVELS = "S2345"
BOOT_VERBS = ("start", "boot")
STOP_FUNCTIONS = frozenset({"stop", "stop_service", "shutdown", "do_stop", "reload_service"})
STOP_LABELS = frozenset({"stop", "shutdown", "halt", "reboot", "kill"})
CASE_SUBJECTS = frozenset({"$1", "${1}", "$ACTION", "$action"})
MAX_BOOT_SCRIPTS = 2000
OPENRC_SHEBANG = re.compile(r"#!\s*/sbin/(?:openrc-run|runscript)\b")
OPENRC_COMMAND = re.compile(r"\s*command=")
NOT_RUN = "nothing found that runs it at boot"


def reachable(command: Command) -> tuple[bool, str]:
    """Whether a command in an init script runs when the script is started (`script start`):
    (False, "") in a stop function or branch, (False, label) in another `case "$1"` branch."""
    for scope in command.scopes:
        if scope.kind == "function" and scope.name in STOP_FUNCTIONS:
            return False, ""
        if scope.kind != "case" or scope.subject not in CASE_SUBJECTS:
            continue
        labels = [label.strip("()") for label in scope.name.split("|")]
        if any(fnmatch.fnmatchcase(verb, label) for label in labels for verb in BOOT_VERBS):
            continue
        return False, "" if all(label in STOP_LABELS for label in labels) else scope.name
    return True, ""


def _runlevels(scan: RootScan) -> str:
    """The rc directories run at boot: rcS.d and the default runlevel's (any of 2-5 unless
    inittab names one)."""
    if scan.init.init == "systemd":
        return BOOT_RUNLEVELS
    found = scan.text("/etc/inittab")
    if found is not None:
        match = re.search(r"^[^#:\n]*:(\d):initdefault:", found[1], re.MULTILINE)
        if match:
            return "S" + match[1]
    return BOOT_RUNLEVELS


def _link_seeds(scan: RootScan) -> Iterator[tuple[str, str]]:
    root = scan.root
    levels = _runlevels(scan)
    directories = {
        posixpath.dirname(p) for p in root.files if RC_DIR.fullmatch(posixpath.dirname(p))
    }
    for directory in sorted(directories | {"/etc/rc.d"}):
        match = RC_DIR.fullmatch(directory)
        if match is not None and match[1] not in levels:
            continue
        for path in root.glob(directory, "S*"):
            entry = root.files[path]
            target = f" → {entry.link_target}" if entry.link_target else ""
            yield path, f"{root.release_path(path)}{target}"
    for directory in OPENRC_BOOT:
        for path in root.listdir(directory):
            yield path, f"OpenRC runlevel {posixpath.basename(directory)}: {path}"


def _implicit_seeds(scan: RootScan) -> Iterator[tuple[str, str]]:
    local = scan.root.file("/etc/rc.local")
    if scan.init.init == "systemd" and local is not None and local.mode & 0o111:
        yield "/etc/rc.local", "systemd runs an executable /etc/rc.local (rc-local.service)"


def _present(scan: RootScan) -> set[str]:
    root = scan.root
    found = set()
    for directory in SCRIPT_DIRS:
        for path in root.listdir(directory):
            real = root.canonical(path)
            if real is not None and scan.is_script(real):
                found.add(real)
    for path in DIRECT_SCRIPTS:
        real = root.canonical(path)
        if real is not None and scan.is_script(real):
            found.add(real)
    return found


def _script_arguments(launch: Launch, scan: RootScan) -> Iterator[str]:
    if scan.is_script(launch.program):
        yield launch.program
    if launch.name in scan.rules.shells or launch.name in (".", "source"):
        yield from (a for a in launch.arguments if a.startswith("/"))
    if launch.name == "run-parts" and launch.arguments:
        yield from scan.root.listdir(launch.arguments[-1])


def _called(scan: RootScan, path: str, script: Script) -> Iterator[tuple[str, str]]:
    """Scripts an enabled script runs, with the reason."""
    where = scan.root.release_path(path)
    for command in script.commands:
        if command.dead or command.test or not reachable(command)[0]:
            continue
        launch = launch_of(command.words)
        if launch is not None:
            for target in _script_arguments(launch, scan):
                yield target, f"run by {where} line {command.line}"
    for loop in script.loops:
        for item in loop.items if not loop.dead else ():
            if any(c in item for c in "*?["):
                directory, pattern = posixpath.split(item)
                for target in scan.root.glob(directory, pattern):
                    yield target, f"run by the loop over {item} in {where} line {loop.line}"


def _enabled(scan: RootScan) -> dict[str, str]:
    queue = deque([*_link_seeds(scan), *scan.seeds, *_implicit_seeds(scan)])
    enabled: dict[str, str] = {}
    while queue and len(enabled) < MAX_BOOT_SCRIPTS:
        path, reason = queue.popleft()
        real = scan.root.canonical(path) if path.startswith("/") else None
        if real is None or real in enabled:
            continue
        found = scan.script(real)
        if found is None:
            continue
        enabled[real] = reason
        queue.extend(_called(scan, real, found[1]))
    return enabled


def _interesting(scan: RootScan, launch: Launch, command: Command) -> bool:
    rules = scan.rules
    name = launch.name
    return (
        launch.service_like
        or launch.console
        or command.background
        or name in rules.daemons
        or rules.service_for(name) is not None
        or rules.debug_for(name) is not None
        or name in ("nc", "netcat", "ncat", "socat")
    )


def _append(scan: RootScan, command: Command, start: int) -> None:
    """`procd_append_param command ARGS` adds to the instance command declared before it."""
    words = command.words
    if words[:2] != ("procd_append_param", "command") or len(scan.services) <= start:
        return
    last = scan.services[-1]
    extra = [c for c in command.conditions if c not in (last.condition or "")]
    if extra:
        note = f"{' '.join(words[2:])} only if {'; '.join(extra)}"
        condition = f"{last.condition}; {note}" if last.condition else note
        scan.services[-1] = replace(last, condition=condition)
    else:
        scan.services[-1] = replace(last, arguments=last.arguments + words[2:])


def _written(lines: list[str], command: Command) -> str:
    """The command as written, continuation lines joined."""
    span = lines[command.line - 1 : max(command.line, command.end_line)]
    return " ".join(line.strip().removesuffix("\\").strip() for line in span)


def _services(scan: RootScan, path: str, state: tuple[StartState, str]) -> None:
    found = scan.script(path)
    if found is None:
        return
    artifact, script = found
    text = (scan.reader.text(artifact) or "").splitlines()
    start = len(scan.services)
    for command in script.commands:
        runs, label = reachable(command)
        if command.dead or command.test or (not runs and not label):
            continue
        _append(scan, command, start)
        launch = launch_of(command.words)
        if launch is None or not _interesting(scan, launch, command):
            continue
        source = source_of(scan.root, artifact, path, command.line, _written(text, command))
        where = (StartState.PRESENT, f"runs only for `{path} {label}`") if label else state
        condition = "; ".join(command.conditions) or None
        scan.add(launch, StartMechanism.RC, where, path, source, condition)
    _openrc(scan, (path, artifact), script, text, state)


def _openrc(
    scan: RootScan,
    where: tuple[str, Artifact],
    script: Script,
    text: list[str],
    state: tuple[StartState, str],
) -> None:
    """An OpenRC service script starts `$command $command_args` (openrc-run(8))."""
    program = script.variables.get("command")
    if not text or not OPENRC_SHEBANG.match(text[0]) or not program:
        return
    arguments = tuple((script.variables.get("command_args") or "").split())
    line = next((n for n, t in enumerate(text, 1) if OPENRC_COMMAND.match(t)), None)
    path, artifact = where
    source = source_of(scan.root, artifact, path, line, text[line - 1] if line else "")
    scan.add(Launch(program, arguments, "openrc"), StartMechanism.RC, state, path, source)


def collect_rc(scan: RootScan) -> None:
    """Init scripts, whether they run at boot, and the services they start."""
    enabled = _enabled(scan)
    for path in sorted(_present(scan) | set(enabled)):
        artifact = scan.root.file(path)
        if artifact is None:
            continue
        reason = enabled.get(path)
        state = (StartState.ENABLED, reason) if reason else (StartState.PRESENT, NOT_RUN)
        release_path = scan.root.release_path(path)
        scan.scripts[path] = BootScript(release_path, artifact.location, artifact.id, *state)
        _services(scan, path, state)
