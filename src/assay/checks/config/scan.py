"""The state of reading one root file system's boot configuration: which init it uses, the
services found so far, the scripts run at boot, and the helpers every boot mechanism shares."""

import posixpath
from collections.abc import Callable
from dataclasses import dataclass, field

from assay.checks.config.launch import Launch
from assay.checks.config.rootfs import RootFs, TextReader
from assay.checks.config.rules import ConfigRules
from assay.checks.config.shell import Script, parse_script
from assay.model.artifact import Artifact, FileKind
from assay.model.config import (
    BootScript,
    BootService,
    ConfigSource,
    InitSystem,
    StartMechanism,
    StartState,
)

MAX_EVIDENCE_TEXT = 240
INIT_PATHS = ("/sbin/init", "/init", "/linuxrc")
SCRIPT_KINDS = frozenset({FileKind.SCRIPT, FileKind.TEXT, FileKind.DATA, FileKind.EMPTY})
"""Kinds read as shell scripts (binary data among them is then recorded as corrupt)."""


def source_of(
    root: RootFs, artifact: Artifact, path: str, line: int | None, text: str
) -> ConfigSource:
    """Where a fact was read: the file (in its container) and the line as written."""
    return ConfigSource(
        artifact=artifact.id,
        path=root.release_path(path),
        location=artifact.location,
        line=line,
        text=text.strip()[:MAX_EVIDENCE_TEXT],
    )


@dataclass(slots=True)
class RootScan:
    """Everything learnt about one root so far."""

    root: RootFs
    reader: TextReader
    rules: ConfigRules
    init: InitSystem
    services: list[BootService] = field(default_factory=list)
    seeds: list[tuple[str, str]] = field(default_factory=list)
    scripts: dict[str, BootScript] = field(default_factory=dict)
    parsed: dict[str, Script] = field(default_factory=dict)

    def text(self, path: str) -> tuple[Artifact, str] | None:
        """A config file's artifact and text, symlinks followed."""
        artifact = self.root.file(path)
        if artifact is None:
            return None
        text = self.reader.text(artifact)
        return (artifact, text) if text is not None else None

    def lines(self, path: str) -> tuple[Artifact, list[str]] | None:
        """A config file's artifact and lines."""
        found = self.text(path)
        return (found[0], found[1].splitlines()) if found is not None else None

    def script(self, path: str) -> tuple[Artifact, Script] | None:
        """A shell script read once, with the files it sources looked up in this root."""
        artifact = self.root.file(path)
        if artifact is None or artifact.kind not in SCRIPT_KINDS:
            return None
        if artifact.id not in self.parsed:
            text = self.reader.text(artifact)
            if text is None:
                return None
            service = posixpath.basename(path)  # what OpenRC tells its scripts
            env: dict[str, str | None] = {"RC_SVCNAME": service, "SVCNAME": service}
            self.parsed[artifact.id] = parse_script(text, env, self._sourced_text)
        return artifact, self.parsed[artifact.id]

    def _sourced_text(self, path: str) -> str | None:
        found = self.text(path) if path.startswith("/") else None
        return found[1] if found is not None else None

    def is_script(self, path: str) -> bool:
        """Whether `path` names a script (not a binary) in this root."""
        artifact = self.root.file(path)
        return artifact is not None and artifact.kind in SCRIPT_KINDS

    def started(self, *names: str) -> BootService | None:
        """An enabled service running one of these programs, if any was found."""
        return next(
            (s for s in self.services if s.state is StartState.ENABLED and s.name in names), None
        )

    def add(
        self,
        launch: Launch,
        mechanism: StartMechanism,
        state: tuple[StartState, str],
        trigger: str,
        source: ConfigSource,
        condition: str | None = None,
    ) -> None:
        """Record a service start."""
        if launch.console:
            trigger = f"{trigger} (console, via cttyhack)"
        self.services.append(
            BootService(
                name=launch.name,
                program=launch.program,
                arguments=launch.arguments,
                mechanism=mechanism,
                state=state[0],
                reason=state[1],
                trigger=trigger,
                source=source,
                condition=condition,
            )
        )


def detect_init(root: RootFs, is_busybox: Callable[[Artifact], bool]) -> InitSystem:
    """The init the root boots with, from what `/sbin/init` (or `/init`) is."""
    for path in INIT_PATHS:
        entry = root.entry(path)
        if entry is None:
            continue
        real = root.canonical(path) or path
        name = posixpath.basename(real)
        target = root.files.get(real)
        evidence = f"{path} → {real}" if real != path else path
        if "systemd" in real:
            return InitSystem(root.label, "systemd", evidence)
        if name in ("busybox", "toybox") or (target is not None and is_busybox(target)):
            return InitSystem(root.label, "busybox", evidence)
        if root.entry("/sbin/procd") is not None:
            return InitSystem(root.label, "procd", evidence)
        if target is not None and target.kind is FileKind.ELF and path == "/sbin/init":
            return InitSystem(root.label, "sysvinit", evidence)
    return InitSystem(root.label, "unknown", "no /sbin/init")
