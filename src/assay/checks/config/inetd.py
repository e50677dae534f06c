"""Super-servers: `/etc/inetd.conf` (inetd.conf(5), BusyBox inetd: `service socket protocol
wait user server args`) and xinetd (`/etc/xinetd.conf`, `/etc/xinetd.d/*`, xinetd.conf(5)
`service NAME { attribute = value }`). Their services run when the super-server is started."""

import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from assay.checks.config.launch import MULTICALL, Launch
from assay.checks.config.scan import RootScan, source_of
from assay.model.artifact import Artifact
from assay.model.config import StartMechanism, StartState

INETD_CONF = "/etc/inetd.conf"
XINETD_CONF = "/etc/xinetd.conf"
XINETD_DIR = "/etc/xinetd.d"
TCP_WRAPPER = "tcpd"
ATTRIBUTE = re.compile(r"^\s*([A-Za-z_]+)\s*([+-]?=)\s*(.*?)\s*$")


@dataclass(frozen=True, slots=True)
class InetdEntry:
    """One inetd.conf service line."""

    service: str
    protocol: str
    user: str
    server: str
    arguments: tuple[str, ...]
    line: int
    text: str


def parse_inetd(text: str) -> Iterator[InetdEntry]:
    """Active service lines of an inetd.conf; commented-out lines are not services."""
    for number, raw in enumerate(text.splitlines(), 1):
        fields = raw.split()
        if len(fields) < 6 or fields[0].startswith("#"):
            continue
        service, _, protocol, _, user, server, *arguments = fields
        yield InetdEntry(service, protocol, user, server, tuple(arguments), number, raw)


def inetd_launch(server: str, arguments: tuple[str, ...]) -> Launch | None:
    """The daemon an inetd line runs: the server, or the program tcpd or BusyBox runs for it
    (the first argument is argv[0], which names it)."""
    if server == "internal":
        return None
    name = posixpath.basename(server)
    if name in (TCP_WRAPPER, *MULTICALL) and arguments:
        return Launch(arguments[0], arguments[1:], "inetd")
    return Launch(server, arguments[1:], "inetd")


def _state(scan: RootScan, *daemons: str) -> tuple[StartState, str]:
    started = scan.started(*daemons)
    if started is None:
        return StartState.PRESENT, f"{daemons[0]} is not started at boot"
    return StartState.ENABLED, f"{started.name} started: {started.reason}"


def _collect_inetd(scan: RootScan) -> None:
    found = scan.text(INETD_CONF)
    if found is None:
        return
    artifact, text = found
    state = _state(scan, "inetd")
    for entry in parse_inetd(text):
        launch = inetd_launch(entry.server, entry.arguments)
        if launch is not None:
            source = source_of(scan.root, artifact, INETD_CONF, entry.line, entry.text)
            scan.add(
                launch, StartMechanism.INETD, state, f"{entry.service}/{entry.protocol}", source
            )


@dataclass(slots=True)
class _Block:
    name: str
    line: int
    text: str
    attributes: dict[str, str] = field(default_factory=dict)


def parse_xinetd(text: str) -> Iterator[_Block]:
    """`service` and `defaults` blocks with their attributes (later settings win)."""
    block: _Block | None = None
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if line.startswith(("service ", "defaults")) and block is None:
            block = _Block(line.removeprefix("service").strip() or "defaults", number, raw)
        elif line == "}" and block is not None:
            yield block
            block = None
        elif block is not None and (match := ATTRIBUTE.match(line)):
            key, operator, value = match.groups()
            previous = block.attributes.get(key, "") if operator == "+=" else ""
            block.attributes[key] = f"{previous} {value}".strip()


def _collect_xinetd(scan: RootScan) -> None:
    paths = [XINETD_CONF, *scan.root.listdir(XINETD_DIR)]
    blocks: list[tuple[str, Artifact, _Block]] = []
    for path in paths:
        found = scan.text(path)
        if found is not None:
            blocks.extend((path, found[0], b) for b in parse_xinetd(found[1]))
    disabled = {
        n
        for _, _, b in blocks
        if b.name == "defaults"
        for n in b.attributes.get("disabled", "").split()
    }
    started = _state(scan, "xinetd")
    for path, artifact, block in blocks:
        server = block.attributes.get("server")
        if block.name == "defaults" or not server:
            continue
        arguments = tuple(block.attributes.get("server_args", "").split())
        off = block.attributes.get("disable", "no").lower() == "yes" or block.name in disabled
        state = (StartState.PRESENT, "disable = yes") if off else started
        source = source_of(scan.root, artifact, path, block.line, block.text)
        scan.add(
            Launch(server, arguments, "xinetd"), StartMechanism.XINETD, state, block.name, source
        )


def collect_inetd(scan: RootScan) -> None:
    """Services configured in inetd and xinetd, enabled when the super-server starts at boot."""
    _collect_inetd(scan)
    _collect_xinetd(scan)
