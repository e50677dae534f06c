"""ConfigCheck: dangerous configuration in a release — insecure and debug services started at
boot (inittab, init scripts, systemd, inetd), SSH daemon settings, console shells, setuid and
world-writable files, cron jobs running writable files."""

import logging
import posixpath
from collections.abc import Callable

from assay.checks.base import CheckContext, CheckResult, ReleaseCheck
from assay.checks.config.cron import cron_findings
from assay.checks.config.debug import cmdline_findings, presence_findings, property_findings
from assay.checks.config.dropbear import dropbear_findings
from assay.checks.config.findings import FindingSet
from assay.checks.config.inetd import collect_inetd
from assay.checks.config.inittab import collect_inittab
from assay.checks.config.permissions import (
    Place,
    directory_findings,
    input_directory_modes,
    is_folder_input,
    permission_findings,
)
from assay.checks.config.rc import collect_rc
from assay.checks.config.rootfs import RootFs, TextReader, find_roots
from assay.checks.config.rules import ConfigRules, config_rules
from assay.checks.config.scan import RootScan, detect_init
from assay.checks.config.services import binary_findings, service_findings
from assay.checks.config.ssh import openssh_versions, sshd_findings
from assay.checks.config.systemd import collect_systemd
from assay.inventory.index import FileIndex
from assay.model.artifact import Artifact, FileKind
from assay.model.config import (
    ConfigFacts,
    SpecialModeFile,
    SshdConfig,
    StartState,
    WritablePath,
)
from assay.model.ids import display_path
from assay.model.problem import ProblemKind, ProblemLevel

log = logging.getLogger(__name__)

BUSYBOX_MARK = b"BusyBox v"
DIRECTORY_NOTE = (
    "Directory modes are known only when the release is an unpacked folder: extracted file "
    "systems and archives do not carry directories into the inventory, so world-writable "
    "directories inside images are not reported."
)


class BusyboxProbe:
    """Whether an ELF is BusyBox: identified as such, or carrying its version banner."""

    def __init__(self, index: FileIndex, ctx: CheckContext) -> None:
        self.index = index
        self.ids = {
            e.artifact for c in ctx.components if c.product == "busybox" for e in c.evidence
        }
        self.known: dict[str, bool] = {}

    def __call__(self, artifact: Artifact) -> bool:
        if artifact.kind is not FileKind.ELF:
            return False
        if {artifact.id, artifact.duplicate_of} & self.ids:
            return True
        if artifact.sha256 not in self.known:
            try:
                with self.index.mapped(artifact) as data:
                    self.known[artifact.sha256] = data.find(BUSYBOX_MARK) >= 0
            except OSError:
                self.known[artifact.sha256] = False
        return self.known[artifact.sha256]


def _places(roots: list[RootFs]) -> Callable[[Artifact], Place]:
    prefixes = {(r.container, r.prefix) for r in roots if r.prefix}

    def place(artifact: Artifact) -> Place:
        path = artifact.path
        for container, prefix in prefixes:
            if artifact.parent == container and path.startswith(prefix + "/"):
                path = path[len(prefix) :]
        return Place(path, artifact.location)

    return place


def _escape(rules: ConfigRules, busybox: BusyboxProbe) -> Callable[[Artifact], bool]:
    def escape(artifact: Artifact) -> bool:
        return rules.is_escape_tool(posixpath.basename(artifact.path)) or busybox(artifact)

    return escape


def _boot(scan: RootScan, found: FindingSet) -> None:
    """What the root starts at boot, and the findings about it."""
    collect_inittab(scan)
    collect_systemd(scan)
    collect_rc(scan)
    collect_inetd(scan)
    service_findings(found, scan.rules, scan.services)
    binary_findings(found, scan.rules, scan.root, scan.services)
    dropbear_findings(scan, found)


class ConfigCheck(ReleaseCheck):
    """Dangerous configuration: what starts at boot and how, SSH settings, permissions, cron."""

    name = "config"
    description = (
        "Insecure and debug services started at boot, SSH daemon settings, console shells, "
        "setuid and world-writable files, cron jobs running writable files"
    )

    def run(self, index: FileIndex, ctx: CheckContext) -> CheckResult:
        rules = config_rules()
        found = FindingSet()
        reader = TextReader(index, ctx)
        busybox = BusyboxProbe(index, ctx)
        roots = find_roots(index)
        directories = list(input_directory_modes(index))
        modes = {path: mode for path, _, mode in directories}
        scans = [RootScan(root, reader, rules, detect_init(root, busybox)) for root in roots]
        sshd: list[SshdConfig] = []
        versions = openssh_versions(ctx.components)
        for scan in scans:
            try:
                _boot(scan, found)
                sshd.extend(sshd_findings(scan, found, versions))
                cron_findings(scan, found, modes if scan.root.container is None else {})
            except Exception as err:  # a bug on one root must not lose the rest of the scan
                log.exception("config check failed on %s", scan.root.label)
                message = f"configuration check failed: {type(err).__name__}: {err}"
                location = display_path(scan.root.label)
                ctx.problem(ProblemKind.TOOL_FAILED, message, location, ProblemLevel.ERROR)
        started = {s.name for scan in scans for s in scan.services if s.state is StartState.ENABLED}
        presence_findings(index, found, rules, started)
        cmdline_findings(index, found, ctx.components)
        property_findings(index, found, reader)
        special, writable = permission_findings(
            index, found, rules, _places(roots), _escape(rules, busybox)
        )
        writable += directory_findings(found, rules, directories)
        notes = () if is_folder_input(index) else (DIRECTORY_NOTE,)
        return CheckResult(found.findings(), _facts(scans, sshd, special, writable, notes))


def _facts(
    scans: list[RootScan],
    sshd: list[SshdConfig],
    special: list[SpecialModeFile],
    writable: list[WritablePath],
    notes: tuple[str, ...],
) -> ConfigFacts:
    """The facts, each list in a stable order."""
    services = (s for scan in scans for s in scan.services)
    scripts = (b for scan in scans for b in scan.scripts.values())
    return ConfigFacts(
        init_systems=tuple(sorted((s.init for s in scans), key=lambda i: i.root)),
        services=tuple(
            sorted(services, key=lambda s: (s.source.location, s.source.line or 0, s.name))
        ),
        boot_scripts=tuple(sorted(scripts, key=lambda b: b.location)),
        setuid_files=tuple(sorted(special, key=lambda f: f.location)),
        world_writable=tuple(sorted(writable, key=lambda w: w.location)),
        sshd=tuple(sorted(sshd, key=lambda c: c.location)),
        notes=notes,
    )
