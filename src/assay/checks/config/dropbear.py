"""Dropbear SSH server: root and password logins from its command line (dropbear(8): `-w` no
root logins, `-s` no password logins, `-g` no root password logins, `-B` blank passwords allowed)
or, on OpenWrt, from `/etc/config/dropbear` (UCI options `PasswordAuth`, `RootPasswordAuth`,
`RootLogin`, `enable`, all on by default in OpenWrt's dropbear.init)."""

from dataclasses import dataclass, field

from assay.checks.config.findings import FindingSet, evidence_of
from assay.checks.config.scan import RootScan, source_of
from assay.checks.config.services import command_line, short_flags
from assay.checks.config.shlex_light import tokenize
from assay.model.config import BootService, ConfigSource, StartState
from assay.model.finding import Severity

UCI_CONFIG = "/etc/config/dropbear"
UCI_SCRIPT = "/etc/init.d/dropbear"
UCI_TRUE = frozenset({"1", "on", "true", "yes", "enabled"})
VALUE_OPTIONS = frozenset({"-r", "-p", "-b", "-P", "-K", "-I", "-W", "-c", "-T", "-G", "-A"})
NO_ROOT_FLAGS = frozenset({"w", "s", "g"})
ROOT_WHY = (
    "Root can log in over SSH with a password: the most privileged account is open to password "
    "guessing from the network (DISA STIG CAT II)."
)
PASSWORD_WHY = "Passwords are accepted over SSH, so accounts can be attacked by password guessing."
BLANK_WHY = "Accounts with a blank password can log in over SSH with no password at all."


@dataclass(slots=True)
class UciSection:
    """One `config TYPE [NAME]` section: option → (value, line, line as written)."""

    type: str
    line: int
    text: str
    options: dict[str, tuple[str, int, str]] = field(default_factory=dict)


def parse_uci(text: str) -> list[UciSection]:
    """The sections of a UCI file (uci(1) syntax); `list` values are not needed here."""
    sections: list[UciSection] = []
    lines = text.splitlines()
    for number, raw in enumerate(lines, 1):
        words = [t.text for t in tokenize(raw) if not t.newline and not t.operator]
        if len(words) >= 2 and words[0] == "config":
            sections.append(UciSection(words[1], number, raw.strip()))
        elif len(words) >= 3 and words[0] == "option" and sections:
            sections[-1].options[words[1]] = (words[2], number, raw)
    return sections


def _uci_option(section: UciSection, name: str) -> tuple[bool, int | None, str]:
    found = section.options.get(name)
    if found is None:
        return True, None, f"{name} not set (OpenWrt default: on)"
    return found[0].lower() in UCI_TRUE, found[1], found[2].strip()


def _uci_section(
    scan: RootScan, found: FindingSet, section: UciSection, source: ConfigSource
) -> None:
    started = scan.started("dropbear")
    severity = Severity.MEDIUM if started else Severity.LOW
    how = (
        f"dropbear is started at boot ({started.reason})"
        if started
        else ("no boot start of dropbear was found")
    )
    interface = section.options.get("Interface")
    scope = f"on interface {interface[0]}" if interface else "on every interface"
    path = scan.root.release_path(UCI_CONFIG)
    checks = [_uci_option(section, n) for n in ("RootPasswordAuth", "RootLogin", "PasswordAuth")]
    password, line, text = checks[-1]
    if all(on for on, _, _ in checks):
        deciding = next(((n, t) for _, n, t in checks if n is not None), (source.line, source.text))
        evidence = evidence_of(ConfigSource(source.artifact, path, source.location, *deciding))
        message = f"{path} allows root password logins {scope}; {how}. {ROOT_WHY}"
        title = "SSH root login with a password allowed"
        found.add(
            "config.ssh.root-login", severity, title, message, f"{path}|{source.line}", evidence
        )
    if password:
        evidence = evidence_of(
            ConfigSource(source.artifact, path, source.location, line or source.line, text)
        )
        message = f"{path} allows password logins {scope}; {how}. {PASSWORD_WHY}"
        rule = "config.ssh.password-authentication"
        found.add(
            rule,
            Severity.LOW,
            "SSH password authentication enabled",
            message,
            f"{path}|{source.line}",
            evidence,
        )


def uci_findings(scan: RootScan, found: FindingSet) -> bool:
    """Findings from OpenWrt's dropbear configuration; False when the root has none."""
    config = scan.text(UCI_CONFIG)
    if config is None:
        return False
    artifact, text = config
    for section in parse_uci(text):
        if section.type != "dropbear" or not _uci_option(section, "enable")[0]:
            continue
        source = source_of(scan.root, artifact, UCI_CONFIG, section.line, section.text)
        _uci_section(scan, found, section, source)
    return True


def _unknown_arguments(arguments: tuple[str, ...]) -> list[str]:
    return [
        a
        for i, a in enumerate(arguments)
        if "$" in a and (i == 0 or arguments[i - 1] not in VALUE_OPTIONS)
    ]


def _command_line(found: FindingSet, service: BootService) -> None:
    flags = short_flags(tuple(a for a in service.arguments if "$" not in a))
    unknown = _unknown_arguments(service.arguments)
    enabled = service.state is StartState.ENABLED
    severity = Severity.MEDIUM if enabled and not unknown else Severity.LOW
    started = (
        f"started by {service.mechanism.value} ({service.reason})"
        if enabled
        else (f"present, not started at boot ({service.reason})")
    )
    note = f" Options in {', '.join(unknown)} are set at run time and not known." if unknown else ""
    line = f"`{command_line(service)}` is {started}"
    evidence = evidence_of(service.source)
    key = f"{service.source.path}|dropbear"
    if "B" in flags:
        title = "SSH logins with blank passwords allowed"
        found.add(
            "config.ssh.empty-passwords",
            Severity.HIGH,
            title,
            f"{line}: -B. {BLANK_WHY}",
            key,
            evidence,
        )
    if not flags & NO_ROOT_FLAGS:
        message = f"{line} without -w, -s or -g. {ROOT_WHY}{note}"
        title = "SSH root login with a password allowed"
        found.add("config.ssh.root-login", severity, title, message, key, evidence)
    if "s" not in flags:
        message = f"{line} without -s. {PASSWORD_WHY}{note}"
        rule = "config.ssh.password-authentication"
        found.add(rule, Severity.LOW, "SSH password authentication enabled", message, key, evidence)


def dropbear_findings(scan: RootScan, found: FindingSet) -> None:
    """Findings for every dropbear start of the root (the UCI file decides on OpenWrt)."""
    uci = uci_findings(scan, found)
    for service in scan.services:
        if service.name != "dropbear":
            continue
        if uci and service.trigger == UCI_SCRIPT:
            continue  # OpenWrt's init script builds the command line from the UCI file
        _command_line(found, service)
