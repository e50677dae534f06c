"""Findings about what a release starts: cleartext and unauthenticated network services
(telnet, FTP, TFTP, r-services), debug services (gdbserver, adbd), shells handed out without a
login — on a console, by `telnetd -l /bin/sh`, by a listening `nc -e` — enabled or only present."""

import posixpath
from collections.abc import Iterable

from assay.checks.config.findings import FindingSet, evidence_of
from assay.checks.config.rootfs import RootFs
from assay.checks.config.rules import ConfigRules, ServiceFamily
from assay.model.artifact import FileKind
from assay.model.config import BootService, StartMechanism, StartState
from assay.model.finding import FindingEvidence, Severity

TELNET_LOGIN_OPTIONS = ("-l", "-L")
PROGRAM_KINDS = frozenset({FileKind.ELF, FileKind.SYMLINK, FileKind.SCRIPT})
GETTYS = frozenset({"getty", "agetty", "mingetty", "mgetty", "uugetty", "getty.real"})
NETCATS = frozenset({"nc", "netcat", "ncat", "nc.traditional", "nc.openbsd"})
SHELL_GRANT = (
    "Whoever reaches it gets a command shell — root, as init and boot scripts run as root — "
    "without any credentials."
)
CONSOLE_WHY = (
    "Anyone with the serial console (UART pins on the board) or a local terminal gets a root "
    "shell without a password."
)


def option_value(arguments: tuple[str, ...], *options: str) -> str | None:
    """The value of `-x VALUE`, `-xVALUE` or `--opt=VALUE` among the arguments."""
    for index, argument in enumerate(arguments):
        for option in options:
            if argument == option and index + 1 < len(arguments):
                return arguments[index + 1]
            joined = option + ("=" if option.startswith("--") else "")
            if argument.startswith(joined) and len(argument) > len(joined):
                return argument[len(joined) :]
    return None


def short_flags(arguments: tuple[str, ...]) -> set[str]:
    """Letters of the short options (`-lvp 23` → l, v, p)."""
    return {c for a in arguments if a.startswith("-") and not a.startswith("--") for c in a[1:]}


def command_line(service: BootService) -> str:
    """The program and its arguments as one line."""
    return " ".join((service.program, *service.arguments))


def _started(service: BootService) -> str:
    how = f"started by {service.mechanism.value} ({service.reason})"
    if service.state is not StartState.ENABLED:
        how = f"present but not started at boot: {service.reason}"
    if service.condition:
        how += f"; only if {service.condition}"
    return how


def _family(rules: ConfigRules, service: BootService) -> ServiceFamily | None:
    found = rules.service_for(service.name)
    if found is not None or service.mechanism not in (StartMechanism.INETD, StartMechanism.XINETD):
        return found
    name = service.trigger.split("/", 1)[0].rpartition(":")[2]
    return next((f for f in rules.services if name in f.inetd), None)


def _add(
    found: FindingSet,
    service: BootService,
    rule: str,
    severities: tuple[Severity, Severity],
    title: str,
    why: str,
) -> None:
    enabled = service.state is StartState.ENABLED
    severity = severities[0] if enabled else severities[1]
    title = f"{title} {'started at boot' if enabled else 'present, not started at boot'}"
    message = f"`{command_line(service)}` is {_started(service)}. {why}"
    properties = (
        ("mechanism", service.mechanism.value),
        ("state", service.state.value),
        ("program", service.program),
    )
    key = f"{service.source.path}|{service.name}"
    found.add(rule, severity, title, message, key, evidence_of(service.source), properties)


def _telnet_shell(rules: ConfigRules, service: BootService) -> str | None:
    login = option_value(service.arguments, *TELNET_LOGIN_OPTIONS)
    return login if login is not None and rules.is_shell(posixpath.basename(login)) else None


def _network_service(found: FindingSet, rules: ConfigRules, service: BootService) -> None:
    family = _family(rules, service)
    if family is None:
        return
    shell = _telnet_shell(rules, service) if family.family == "telnet" else None
    if shell is not None:
        why = f"telnetd runs {shell} instead of login for every connection. {SHELL_GRANT}"
        severities = (Severity.CRITICAL, Severity.MEDIUM)
        _add(found, service, "config.debug.telnetd-shell", severities, "Telnet root shell", why)
        return
    severities = (family.enabled, family.present)
    _add(found, service, family.rule, severities, family.title, family.why)


def _debug_service(found: FindingSet, rules: ConfigRules, service: BootService) -> None:
    family = rules.debug_for(service.name)
    if family is not None:
        severities = (family.enabled, family.present)
        _add(found, service, family.rule, severities, family.title, family.why)


def _bind_shell(found: FindingSet, service: BootService) -> None:
    arguments, flags = service.arguments, short_flags(service.arguments)
    if service.name in NETCATS:
        listens = "l" in flags or "--listen" in arguments
        executes = bool(flags & {"e", "c"}) or any(
            a.startswith(("--exec", "--sh-exec")) for a in arguments
        )
    elif service.name == "socat":
        upper = " ".join(arguments).upper()
        listens, executes = "LISTEN" in upper, "EXEC:" in upper or "SYSTEM:" in upper
    else:
        return
    if listens and executes:
        why = f"A listening socket hands every connection to a program. {SHELL_GRANT}"
        severities = (Severity.CRITICAL, Severity.MEDIUM)
        _add(found, service, "config.debug.bind-shell", severities, "Bind shell", why)


def console_bypass(rules: ConfigRules, service: BootService) -> str | None:
    """How a console start hands out a shell without authentication, if it does."""
    name, arguments = service.name, service.arguments
    interactive = all(a.startswith("-") and a != "-c" for a in arguments)
    on_console = service.mechanism in (StartMechanism.INITTAB, StartMechanism.SYSTEMD)
    if rules.is_shell(name) and interactive and (on_console or "cttyhack" in service.trigger):
        return f"{service.program} runs directly, without login"
    if name == "login" and "-f" in arguments:
        return "login -f skips the password"
    if name in GETTYS:
        login = option_value(arguments, "-l", "--login-program")
        if login is not None and rules.is_shell(posixpath.basename(login)):
            return f"{name} runs {login} instead of login"
        user = option_value(arguments, "-a", "--autologin")
        if user is not None:
            return f"{name} logs {user} in automatically"
    return None


def _console_shell(found: FindingSet, rules: ConfigRules, service: BootService) -> None:
    how = console_bypass(rules, service)
    if how is not None:
        why = f"{how} on {service.trigger}. {CONSOLE_WHY}"
        severities = (Severity.HIGH, Severity.LOW)
        _add(found, service, "config.debug.console-shell", severities, "Console shell", why)


def binary_findings(
    found: FindingSet, rules: ConfigRules, root: RootFs, services: Iterable[BootService]
) -> None:
    """Insecure-service programs shipped in a root where no boot configuration mentions them:
    a vendor program (reading NVRAM settings, say) may still start them."""
    configured = {family.family for s in services if (family := _family(rules, s)) is not None}
    for path, artifact in sorted(root.files.items()):
        family = rules.service_for(posixpath.basename(path))
        if family is None or family.family in configured or artifact.kind not in PROGRAM_KINDS:
            continue
        link = f"→ {artifact.link_target}" if artifact.link_target else None
        evidence = FindingEvidence(artifact.id, artifact.location, matched=link)
        message = (
            f"{root.release_path(path)} is shipped but no init script, inittab, systemd unit or "
            f"inetd entry starts it; a vendor program may still do so. {family.why}"
        )
        title = f"{family.title} present, not started at boot"
        key = root.release_path(path)
        found.add(family.rule, family.present, title, message, key, evidence)


def service_findings(
    found: FindingSet, rules: ConfigRules, services: Iterable[BootService]
) -> None:
    """Findings for every risky service among those started (or present)."""
    for service in services:
        _network_service(found, rules, service)
        _debug_service(found, rules, service)
        _bind_shell(found, service)
        _console_shell(found, rules, service)
