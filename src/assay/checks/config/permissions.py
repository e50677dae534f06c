"""File permissions: setuid and setgid files (shells, interpreters and BusyBox flagged high),
world-writable files, and world-writable directories without the sticky bit. Modes come from the
artifacts, i.e. from the file system or archive as the unpacker recorded them; directories are
not artifacts, so their modes are only known when the release is an unpacked folder."""

import os
import posixpath
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from assay.checks.config.findings import FindingSet
from assay.checks.config.rules import ConfigRules
from assay.inventory.index import FileIndex
from assay.model.artifact import CHAIN_SEPARATOR, Artifact, FileKind
from assay.model.config import SpecialModeFile, WritablePath
from assay.model.finding import FindingEvidence, Severity

MAX_DIRECTORIES = 200_000
SETUID_SHELL_WHY = (
    "Any local user or any compromised service (a CGI running as nobody) runs it as its owner "
    "— root on firmware — and gets a root shell or arbitrary file access. BusyBox drops privileges "
    "for ordinary applets only when built with FEATURE_SUID and configured in /etc/busybox.conf."
)
SETUID_WHY = (
    "A setuid program runs with its owner's rights; each one is attack surface for local "
    "privilege escalation."
)
WRITABLE_WHY = "Every local user and every service can change it"


@dataclass(frozen=True, slots=True)
class Place:
    """Where a path is judged: its in-root path (for /etc, /tmp …) and display location."""

    root_path: str
    location: str


def _under(path: str, prefixes: tuple[str, ...]) -> bool:
    return any(path == p or path.startswith(p + "/") for p in prefixes)


def _setuid(
    found: FindingSet, rules: ConfigRules, artifact: Artifact, place: Place, escape: bool
) -> None:
    name = posixpath.basename(artifact.path)
    evidence = FindingEvidence(artifact.id, artifact.location, matched=f"mode {artifact.mode:04o}")
    setuid = bool(artifact.mode & stat.S_ISUID)
    if setuid and escape:
        title = f"Setuid {name}"
        message = f"{place.root_path} is setuid (mode {artifact.mode:04o}). {SETUID_SHELL_WHY}"
        found.add(
            "config.permissions.setuid-shell",
            Severity.HIGH,
            title,
            message,
            artifact.path,
            evidence,
        )
    elif setuid:
        message = f"{place.root_path} is setuid (mode {artifact.mode:04o}). {SETUID_WHY}"
        found.add(
            "config.permissions.setuid",
            Severity.LOW,
            f"Setuid {name}",
            message,
            artifact.path,
            evidence,
        )
    else:
        message = f"{place.root_path} is setgid (mode {artifact.mode:04o})."
        found.add(
            "config.permissions.setgid",
            Severity.INFO,
            f"Setgid {name}",
            message,
            artifact.path,
            evidence,
        )


def _writable_severity(rules: ConfigRules, path: str, executable: bool) -> Severity:
    if _under(path, rules.shared_writable):
        return Severity.LOW
    if executable or _under(path, rules.system_prefixes):
        return Severity.HIGH
    return Severity.MEDIUM


def _writable_file(found: FindingSet, rules: ConfigRules, artifact: Artifact, place: Place) -> None:
    executable = bool(artifact.mode & 0o111) or artifact.kind in (FileKind.ELF, FileKind.SCRIPT)
    severity = _writable_severity(rules, place.root_path, executable)
    what = "runs or reads it" if executable else "reads it"
    message = (
        f"{place.root_path} is world-writable (mode {artifact.mode:04o}). {WRITABLE_WHY}, and "
        f"whatever {what} — often root — trusts the result."
    )
    evidence = FindingEvidence(artifact.id, artifact.location, matched=f"mode {artifact.mode:04o}")
    title = f"World-writable file {posixpath.basename(artifact.path)}"
    found.add(
        "config.permissions.world-writable", severity, title, message, artifact.path, evidence
    )


def permission_findings(
    index: FileIndex,
    found: FindingSet,
    rules: ConfigRules,
    places: Callable[[Artifact], Place],
    escape: Callable[[Artifact], bool],
) -> tuple[list[SpecialModeFile], list[WritablePath]]:
    """Findings and facts for every setuid, setgid and world-writable file in the release."""
    special, writable = [], []
    for artifact in index.artifacts:
        if len(artifact.chain) < 2 or artifact.kind is FileKind.SYMLINK:
            continue
        mode = artifact.mode
        if mode & (stat.S_ISUID | stat.S_ISGID):
            place = places(artifact)
            setuid, setgid = bool(mode & stat.S_ISUID), bool(mode & stat.S_ISGID)
            special.append(
                SpecialModeFile(artifact.path, artifact.location, artifact.id, mode, setuid, setgid)
            )
            _setuid(found, rules, artifact, place, escape(artifact))
        if mode & stat.S_IWOTH:
            place = places(artifact)
            writable.append(
                WritablePath(artifact.path, artifact.location, artifact.id, mode, False, False)
            )
            _writable_file(found, rules, artifact, place)
    return special, writable


def _input_folder(index: FileIndex) -> tuple[str, os.PathLike[str] | str] | None:
    """(input name, folder on disk) when the release is a folder rather than a file."""
    for artifact in index.artifacts:
        if artifact.parent is not None or len(artifact.chain) != 2 or artifact.duplicate_of:
            continue
        disk = index.path_of(artifact)
        if disk is None:
            continue
        depth = artifact.path.strip("/").count("/") + 1
        return artifact.chain[0], os.fspath(disk.parents[depth - 1])
    return None


def is_folder_input(index: FileIndex) -> bool:
    """Whether the release is an unpacked folder (whose directory modes are then known)."""
    return _input_folder(index) is not None


def input_directory_modes(index: FileIndex) -> Iterator[tuple[str, str, int]]:
    """(in-release path, display location, mode) of each directory of an input folder."""
    found = _input_folder(index)
    if found is None:
        return
    name, top = found
    count = 0
    for folder, directories, _ in os.walk(top):
        for directory in directories:
            full = os.path.join(folder, directory)
            try:
                mode = os.lstat(full).st_mode
            except OSError:
                continue
            count += 1
            if count > MAX_DIRECTORIES:
                return
            if stat.S_ISDIR(mode):
                path = "/" + os.path.relpath(full, top).replace(os.sep, "/")
                yield path, f"{name}{CHAIN_SEPARATOR}{path}", stat.S_IMODE(mode)


def directory_findings(
    found: FindingSet, rules: ConfigRules, directories: list[tuple[str, str, int]]
) -> list[WritablePath]:
    """Findings for world-writable directories without the sticky bit; facts for all."""
    writable = []
    for path, location, mode in directories:
        if not mode & stat.S_IWOTH:
            continue
        sticky = bool(mode & stat.S_ISVTX)
        writable.append(WritablePath(path, location, None, mode, True, sticky))
        if sticky:
            continue
        severity = Severity.HIGH if _under(path, rules.system_prefixes) else Severity.MEDIUM
        message = (
            f"Directory {path} is world-writable without the sticky bit (mode {mode:04o}): every "
            "local user can create, replace or delete any file in it, including other users' "
            "and root's."
        )
        evidence = FindingEvidence("", location, matched=f"mode {mode:04o}")
        title = f"World-writable directory {path}"
        found.add("config.permissions.world-writable-dir", severity, title, message, path, evidence)
    return writable
