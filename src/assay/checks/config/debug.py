"""Debug facilities outside the boot scripts: gdbserver and adbd binaries shipped (when nothing
starts them), a kernel command line that boots straight into a shell (`init=/bin/sh` in U-Boot
environments, boot configs, device trees and kernel images), and Android properties that open
adb (`ro.adb.secure=0`, `ro.secure=0`, `ro.debuggable=1`, adb over TCP)."""

import logging
import mmap
import posixpath
import re
from collections.abc import Callable, Iterable

from assay.checks.config.findings import FindingSet
from assay.checks.config.rootfs import TextReader
from assay.checks.config.rules import ConfigRules
from assay.inventory.index import FileIndex
from assay.model.artifact import Artifact, FileKind
from assay.model.component import Component
from assay.model.finding import FindingEvidence, Severity

log = logging.getLogger(__name__)

BOOT_CONFIG_NAMES = frozenset(
    {
        "cmdline.txt",
        "uEnv.txt",
        "uenv.txt",
        "boot.cmd",
        "boot.scr",
        "extlinux.conf",
        "grub.cfg",
        "syslinux.cfg",
        "isolinux.cfg",
        "env.txt",
        "bootargs",
    }
)
BOOT_CONFIG_SUFFIXES = (".dtb", ".dtbo", ".env", ".its", ".dts")
FDT_MAGIC = b"\xd0\x0d\xfe\xed"
MAX_SCAN_BYTES = 64 * 1024 * 1024
INIT_SHELL = re.compile(
    rb"(?<![\w.-])(?:rd)?init=(?:/usr)?/s?bin/(?:busybox\s+)?(?:sh|ash|bash|dash|hush|msh|ksh)(?![\w.-])"
)
CONTEXT = 120
MAX_CONTEXT = 240
PRINTABLE_RUN = re.compile(rb"[\x20-\x7e]+")
PROPERTY_FILES = frozenset({"default.prop", "build.prop", "prop.default", "local.prop"})
PROPERTIES: dict[str, tuple[Callable[[str], bool], str, Severity, str]] = {
    "ro.adb.secure": (
        lambda v: v == "0",
        "config.debug.adb-insecure",
        Severity.HIGH,
        "adbd accepts any host without the RSA key confirmation",
    ),
    "ro.secure": (
        lambda v: v == "0",
        "config.debug.adb-root",
        Severity.HIGH,
        "adbd and the shell it gives run as root",
    ),
    "ro.debuggable": (
        lambda v: v == "1",
        "config.debug.debuggable",
        Severity.MEDIUM,
        "a debuggable build: adb root and debugging of every process are allowed",
    ),
    "service.adb.tcp.port": (
        lambda v: v.isdigit() and int(v) > 0,
        "config.debug.adb-network",
        Severity.HIGH,
        "adbd listens on the network on this TCP port",
    ),
    "persist.adb.tcp.port": (
        lambda v: v.isdigit() and int(v) > 0,
        "config.debug.adb-network",
        Severity.HIGH,
        "adbd listens on the network on this TCP port",
    ),
}


def presence_findings(
    index: FileIndex, found: FindingSet, rules: ConfigRules, started: set[str]
) -> None:
    """Debug daemons shipped as binaries though nothing found starts them."""
    for artifact in index.artifacts:
        if artifact.kind is not FileKind.ELF:
            continue
        name = posixpath.basename(artifact.path)
        family = rules.debug_for(name)
        if family is None or name in started:
            continue
        message = f"{artifact.path} is shipped; nothing found starts it at boot. {family.why}"
        evidence = FindingEvidence(artifact.id, artifact.location)
        title = f"{family.title} present"
        found.add(family.rule, family.present, title, message, artifact.path, evidence)


def _boot_candidates(index: FileIndex, components: tuple[Component, ...]) -> Iterable[Artifact]:
    kernels = {e.artifact for c in components if c.product == "linux_kernel" for e in c.evidence}
    kernels |= {a.duplicate_of for a in index.artifacts if a.id in kernels and a.duplicate_of}
    for artifact in index.unique_files():
        name = posixpath.basename(artifact.path)
        if (
            name in BOOT_CONFIG_NAMES
            or name.endswith(BOOT_CONFIG_SUFFIXES)
            or artifact.id in kernels
            or "u-boot-env" in name
            or artifact.format == "fit"
        ):
            yield artifact


def _context(data: bytes | mmap.mmap, start: int, end: int) -> str:
    """The printable run of bytes (a bootargs string) around a match."""
    left = max(0, start - CONTEXT)
    window = bytes(data[left : min(len(data), end + CONTEXT)])
    for run in PRINTABLE_RUN.finditer(window):
        if run.start() <= start - left < run.end():
            return run[0].decode("ascii").strip()[:MAX_CONTEXT]
    return ""


def _search(index: FileIndex, artifact: Artifact) -> tuple[str, int, str] | None:
    """(setting, offset, surrounding string) of the first `init=<shell>` in a file."""
    try:
        with index.mapped(artifact) as data:
            match = INIT_SHELL.search(data, 0, min(len(data), MAX_SCAN_BYTES))
            if match is None:
                return None
            context = _context(data, match.start(), match.end())
            return bytes(match[0]).decode("latin-1"), match.start(), context
    except (OSError, ValueError) as err:
        log.warning("cannot read %s: %s", artifact.location, err)
        return None


def cmdline_findings(
    index: FileIndex, found: FindingSet, components: tuple[Component, ...]
) -> None:
    """A kernel command line with `init=/bin/sh` (or rdinit=) in boot files and kernels."""
    for artifact in _boot_candidates(index, components):
        found_at = _search(index, artifact)
        if found_at is None:
            continue
        setting, offset, context = found_at
        message = (
            f"The kernel command line in {artifact.path} sets `{setting}`: the kernel starts a "
            "root shell instead of init, with no login, on the console (serial UART)."
        )
        evidence = FindingEvidence(artifact.id, artifact.location, offset=offset, matched=context)
        title = "Kernel boots into a shell"
        found.add("config.debug.init-shell", Severity.HIGH, title, message, artifact.path, evidence)


def property_findings(index: FileIndex, found: FindingSet, reader: TextReader) -> None:
    """Android system properties that open the debug bridge."""
    for artifact in index.unique_files(FileKind.TEXT, FileKind.SCRIPT):
        if posixpath.basename(artifact.path) not in PROPERTY_FILES:
            continue
        text = reader.text(artifact)
        for number, raw in enumerate((text or "").splitlines(), 1):
            key, _, value = raw.strip().partition("=")
            check = PROPERTIES.get(key.strip())
            if check is None or not check[0](value.strip()):
                continue
            _, rule, severity, why = check
            message = f"{artifact.path} sets {raw.strip()}: {why}."
            evidence = FindingEvidence(
                artifact.id, artifact.location, line=number, matched=raw.strip()
            )
            found.add(
                rule,
                severity,
                f"Android property {key.strip()}",
                message,
                f"{artifact.path}|{key.strip()}",
                evidence,
            )
