"""`/etc/inittab` in its two dialects — sysvinit `id:runlevels:action:process` (inittab(5)) and
BusyBox `tty::action:process` (examples/inittab in BusyBox) — and BusyBox init's built-in
table when there is no inittab."""

from dataclasses import dataclass

from assay.checks.config.launch import launch_of
from assay.checks.config.scan import RootScan, source_of
from assay.checks.config.shell import parse_script
from assay.model.config import ConfigSource, StartMechanism, StartState

INITTAB = "/etc/inittab"
BOOT_ACTIONS = frozenset(
    {
        "sysinit",
        "boot",
        "bootwait",
        "wait",
        "once",
        "respawn",
        "askfirst",
        "askconsole",
        "respawnlate",
        "askconsolelate",
    }
)
RUNLEVEL_ACTIONS = frozenset({"wait", "once", "respawn"})
BUSYBOX_DEFAULT = (
    "::sysinit:/etc/init.d/rcS",
    "::askfirst:-/bin/sh",
    "tty2::askfirst:-/bin/sh",
    "tty3::askfirst:-/bin/sh",
    "tty4::askfirst:-/bin/sh",
)


@dataclass(frozen=True, slots=True)
class InittabEntry:
    """One inittab line: `ident` is the id (sysvinit) or the tty (BusyBox)."""

    ident: str
    runlevels: str
    action: str
    process: str
    line: int
    text: str


def parse_inittab(text: str) -> list[InittabEntry]:
    """The entries of an inittab; comments, blank and malformed lines are skipped."""
    entries = []
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        fields = stripped.split(":", 3)
        if len(fields) == 4 and fields[2].strip():
            ident, runlevels, action, process = (f.strip() for f in fields)
            entries.append(InittabEntry(ident, runlevels, action, process, number, line))
    return entries


def default_runlevel(entries: list[InittabEntry]) -> str | None:
    """The `initdefault` runlevel of a sysvinit inittab."""
    return next((e.runlevels for e in entries if e.action == "initdefault"), None)


def entry_state(entry: InittabEntry, scan: RootScan, default: str | None) -> tuple[StartState, str]:
    """Whether init runs this entry when the system boots, and why."""
    where = f"inittab {entry.action}" + (f" on {entry.ident}" if entry.ident else "")
    if scan.init.init == "systemd":
        return StartState.PRESENT, "systemd is the init and does not read /etc/inittab"
    if entry.action not in BOOT_ACTIONS:
        return StartState.PRESENT, f"inittab action {entry.action!r} does not run at boot"
    sysv = scan.init.init not in ("busybox", "procd")
    limited = sysv and entry.action in RUNLEVEL_ACTIONS and entry.runlevels
    if limited and default is not None and default not in entry.runlevels:
        return StartState.PRESENT, f"runlevels {entry.runlevels}, default runlevel {default}"
    return StartState.ENABLED, where


def _trigger(entry: InittabEntry) -> str:
    return f"{entry.ident or 'console'}:{entry.action}"


def _record(
    scan: RootScan, entry: InittabEntry, state: tuple[StartState, str], source: ConfigSource
) -> None:
    commands = [c for c in parse_script(entry.process).commands if not c.test]
    launch = launch_of(commands[0].words) if commands else None
    if launch is None:
        return
    scan.add(launch, StartMechanism.INITTAB, state, _trigger(entry), source)
    if state[0] is StartState.ENABLED:
        scan.seeds.append((launch.program, f"{state[1]} (/etc/inittab line {entry.line})"))
        for argument in launch.arguments[:1]:
            if launch.name in scan.rules.shells and argument.startswith("/"):
                scan.seeds.append((argument, f"{state[1]} (/etc/inittab line {entry.line})"))


def collect_inittab(scan: RootScan) -> None:
    """Services and scripts started from /etc/inittab (or BusyBox init's built-in table)."""
    found = scan.text(INITTAB)
    if found is not None:
        artifact, text = found
        entries = parse_inittab(text)
        default = default_runlevel(entries)
        for entry in entries:
            source = source_of(scan.root, artifact, INITTAB, entry.line, entry.text)
            _record(scan, entry, entry_state(entry, scan, default), source)
        return
    init = scan.root.entry("/sbin/init")
    if scan.init.init != "busybox" or init is None or scan.root.entry(INITTAB) is not None:
        return
    for entry in parse_inittab("\n".join(BUSYBOX_DEFAULT)):
        text = f"no /etc/inittab: BusyBox init's built-in entry {entry.text}"
        source = source_of(scan.root, init, "/sbin/init", None, text)
        state = (StartState.ENABLED, "BusyBox init built-in table (no /etc/inittab)")
        _record(scan, entry, state, source)
