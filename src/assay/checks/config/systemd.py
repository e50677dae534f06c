"""systemd units (systemd.unit(5), systemd.service(5), systemd.socket(5)): which services and
sockets are enabled through `*.wants/` and `*.requires/` links, masked, or only installed, and
the command lines their `ExecStart=` runs, drop-ins and `Environment[File]=` applied."""

import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from assay.checks.config.launch import launch_of
from assay.checks.config.scan import RootScan, source_of
from assay.checks.config.shell import parse_script
from assay.checks.config.shlex_light import tokenize
from assay.checks.config.shvars import Environment, assignment
from assay.model.artifact import Artifact
from assay.model.config import StartMechanism, StartState

UNIT_DIRS = (
    "/etc/systemd/system",
    "/run/systemd/system",
    "/usr/local/lib/systemd/system",
    "/lib/systemd/system",
    "/usr/lib/systemd/system",
)
UNIT_SUFFIXES = (".service", ".socket")
NOT_AT_BOOT = frozenset(
    {"rescue", "emergency", "shutdown", "halt", "poweroff", "reboot", "kexec", "final"}
)
EXEC_PREFIX = re.compile(r"^[-@:+!]+")
SPECIFIER = re.compile(r"%[iInN%]")


@dataclass(slots=True)
class Unit:
    """A unit's settings after drop-ins, by (section, key)."""

    name: str
    path: str
    artifact: Artifact
    settings: dict[tuple[str, str], list[tuple[str, int, str, str]]] = field(default_factory=dict)

    def values(self, section: str, key: str) -> list[tuple[str, int, str, str]]:
        """(value, line, file path, line as written) of each setting of `key`, in order."""
        return self.settings.get((section, key), [])

    def last(self, section: str, key: str) -> str | None:
        """The setting's last value."""
        found = self.values(section, key)
        return found[-1][0] if found else None


def parse_unit_text(text: str) -> Iterator[tuple[str, str, str, int, str]]:
    """(section, key, value, line, raw line) for each assignment; `\\` continues a line."""
    section = ""
    pending: tuple[int, str] | None = None
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if pending is not None:
            start, before = pending
            line, raw, number = before + " " + line, before + " " + line, start
            pending = None
        if not line or line[0] in "#;":
            continue
        if line.endswith("\\"):
            pending = (number, line[:-1].rstrip())
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1]
        elif "=" in line:
            key, value = line.split("=", 1)
            yield section, key.strip(), value.strip(), number, raw


class Systemd:
    """The units of one root."""

    def __init__(self, scan: RootScan) -> None:
        self.scan = scan
        self.root = scan.root
        self.files: dict[str, str] = {}
        self.masked: set[str] = set()
        self.wants: dict[str, str] = {}
        self.aliases: dict[str, str] = {}
        self._index()

    def _index(self) -> None:
        """Unit files by name (the first unit directory wins), masks, aliases, wants links."""
        for directory in UNIT_DIRS:
            for path in self.root.listdir(directory):
                name = posixpath.basename(path)
                if name.endswith(UNIT_SUFFIXES) and name not in self.files:
                    self._unit_entry(name, path)
        for path in sorted(self.root.files):
            folder = posixpath.dirname(path)
            target, _, kind = posixpath.basename(folder).rpartition(".")
            if posixpath.dirname(folder) not in UNIT_DIRS or kind not in ("wants", "requires"):
                continue
            if target.rpartition(".")[0] not in NOT_AT_BOOT:
                self.wants.setdefault(posixpath.basename(path), self.root.release_path(path))

    def _unit_entry(self, name: str, path: str) -> None:
        real = self.root.canonical(path) or path
        if real == "/dev/null" or name in self.masked:
            self.masked.add(name)
            if real != "/dev/null" and self.root.file(path) is not None:
                self.files[name] = path  # the masked unit's file, for the facts
        elif posixpath.basename(real) != name and real.endswith(UNIT_SUFFIXES):
            self.aliases[name] = posixpath.basename(real)
        elif self.root.file(path) is not None:
            self.files[name] = path

    def load(self, name: str) -> Unit | None:
        """A unit with its drop-ins applied (an instance falls back to its template)."""
        template = re.sub(r"@[^.]*\.", "@.", name)
        path = self.files.get(name) or self.files.get(template)
        artifact = self.root.file(path) if path else None
        if path is None or artifact is None:
            return None
        unit = Unit(name, path, artifact)
        dropins = sorted(
            (
                p
                for d in UNIT_DIRS
                for n in {name, template}
                for p in self.root.glob(f"{d}/{n}.d", "*.conf")
            ),
            key=posixpath.basename,
        )
        for file_path in [path, *dropins]:
            self._apply(unit, file_path)
        return unit

    def _apply(self, unit: Unit, path: str) -> None:
        found = self.scan.text(path)
        if found is None:
            return
        for section, key, value, line, raw in parse_unit_text(found[1]):
            values = unit.settings.setdefault((section, key), [])
            if not value and key.startswith(("Exec", "Environment")):
                values.clear()
            else:
                values.append((value, line, path, raw))

    def environment(self, unit: Unit) -> Environment:
        env = Environment({})
        for value, *_ in unit.values("Service", "EnvironmentFile"):
            found = self.scan.text(value.lstrip("-"))
            if found is not None:
                env.values.update(parse_script(found[1]).variables)
        for value, *_ in unit.values("Service", "Environment"):
            for token in tokenize(value):
                pair = assignment(token.text)
                if pair is not None:
                    env.assign(*pair)
        return env


def _specifiers(text: str, name: str) -> str:
    base = name.rsplit(".", 1)[0]
    instance = base.partition("@")[2]
    table = {"%i": instance, "%I": instance, "%n": name, "%N": base, "%%": "%"}
    return SPECIFIER.sub(lambda m: table[m[0]], text)


def _state(systemd: Systemd, name: str, activator: str | None) -> tuple[StartState, str]:
    init = systemd.scan.init.init
    if init not in ("systemd", "unknown"):
        return StartState.PRESENT, f"systemd is not the init ({init})"
    if name in systemd.masked:
        return StartState.PRESENT, "masked (linked to /dev/null)"
    names = [name, *(alias for alias, real in systemd.aliases.items() if real == name)]
    wanted = next((systemd.wants[n] for n in names if n in systemd.wants), None)
    if wanted is not None:
        return StartState.ENABLED, wanted
    if activator is not None:
        return StartState.ENABLED, activator
    return StartState.PRESENT, "not enabled: no *.wants or *.requires link"


def _record(systemd: Systemd, unit: Unit, state: tuple[StartState, str]) -> None:
    scan = systemd.scan
    env = systemd.environment(unit)
    for value, line, path, raw in unit.values("Service", "ExecStart"):
        command = _specifiers(EXEC_PREFIX.sub("", value), unit.name)
        tokens = [t for t in tokenize(command) if not t.operator and not t.newline]
        launch = launch_of(env.expand_tokens(tokens))
        artifact = scan.root.file(path)
        if launch is None or artifact is None:
            continue
        source = source_of(scan.root, artifact, path, line, raw)
        scan.add(launch, StartMechanism.SYSTEMD, state, unit.name, source)
        if state[0] is StartState.ENABLED:
            scan.seeds.append((launch.program, f"{state[1]} ({unit.name} ExecStart)"))


def _socket_service(systemd: Systemd, socket: Unit) -> tuple[str, str]:
    keys = ("ListenStream", "ListenDatagram")
    listen = [value for key in keys for value, *_ in socket.values("Socket", key)]
    base = socket.name.rsplit(".", 1)[0]
    accept = (socket.last("Socket", "Accept") or "").lower() in ("yes", "true", "1", "on")
    service = socket.last("Socket", "Service") or f"{base}{'@' if accept else ''}.service"
    state = _state(systemd, socket.name, None)
    via = f"activated by {socket.name} ({', '.join(listen) or 'socket'}): {state[1]}"
    return service, via if state[0] is StartState.ENABLED else ""


def collect_systemd(scan: RootScan) -> None:
    """Services started by systemd (or installed for it), with how they are enabled."""
    systemd = Systemd(scan)
    activators: dict[str, str] = {}
    for name in sorted(systemd.files):
        if name.endswith(".socket") and (socket := systemd.load(name)) is not None:
            service, via = _socket_service(systemd, socket)
            if via:
                activators[service] = via
    names = {n for n in systemd.files if n.endswith(".service")}
    names |= {n for n in systemd.wants if n.endswith(".service")}
    for name in sorted(names):
        stem = name.removesuffix(".service")
        if stem.endswith("@") and any(n.startswith(stem) for n in names - {name}):
            continue  # a template whose instances are listed
        unit = systemd.load(name)
        if unit is not None:
            _record(systemd, unit, _state(systemd, name, activators.get(name)))
