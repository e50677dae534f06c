"""Configuration facts: what a release starts at boot and how, setuid files, writable paths."""

from dataclasses import dataclass
from enum import StrEnum


class StartMechanism(StrEnum):
    """How a service gets started."""

    INITTAB = "inittab"
    RC = "rc"
    SYSTEMD = "systemd"
    INETD = "inetd"
    XINETD = "xinetd"


class StartState(StrEnum):
    """`enabled`: configured to start at boot; `present`: installed or configured but nothing
    found that starts it at boot."""

    ENABLED = "enabled"
    PRESENT = "present"


@dataclass(frozen=True, slots=True)
class ConfigSource:
    """The file and line a configuration fact was read from."""

    artifact: str
    path: str
    location: str
    line: int | None
    text: str


@dataclass(frozen=True, slots=True)
class BootService:
    """A program that a boot mechanism starts (or would start, when only `present`).

    `reason` says why it is or is not enabled (`/etc/rc.d/S50telnet → ../init.d/telnet`, `no
    *.wants link`); `trigger` names what runs it (inittab action and tty, unit name, init script,
    inetd service); `condition` is the shell test guarding it, when there is one.
    """

    name: str
    program: str
    arguments: tuple[str, ...]
    mechanism: StartMechanism
    state: StartState
    reason: str
    trigger: str
    source: ConfigSource
    condition: str | None = None


@dataclass(frozen=True, slots=True)
class BootScript:
    """An init script and whether anything runs it at boot."""

    path: str
    location: str
    artifact: str
    state: StartState
    reason: str


@dataclass(frozen=True, slots=True)
class SpecialModeFile:
    """A setuid or setgid file. Owners are not recorded by the unpacker: firmware images are
    normally built with every file owned by root."""

    path: str
    location: str
    artifact: str
    mode: int
    setuid: bool
    setgid: bool


@dataclass(frozen=True, slots=True)
class WritablePath:
    """A world-writable file or directory; `sticky` only matters for directories."""

    path: str
    location: str
    artifact: str | None
    mode: int
    directory: bool
    sticky: bool


@dataclass(frozen=True, slots=True)
class SshSetting:
    """One effective sshd setting: the value and where it came from (`default` when unset)."""

    keyword: str
    value: str
    origin: str


@dataclass(frozen=True, slots=True)
class SshdConfig:
    """The effective global settings of one sshd_config, as far as they matter to the checks."""

    path: str
    location: str
    artifact: str
    settings: tuple[SshSetting, ...]


@dataclass(frozen=True, slots=True)
class InitSystem:
    """Which init a root file system boots with (`systemd`, `busybox`, `sysvinit`, `procd`,
    `unknown`), judged from `/sbin/init`."""

    root: str
    init: str
    evidence: str


@dataclass(frozen=True, slots=True)
class ConfigFacts:
    """Everything the configuration check established, besides its findings."""

    init_systems: tuple[InitSystem, ...] = ()
    services: tuple[BootService, ...] = ()
    boot_scripts: tuple[BootScript, ...] = ()
    setuid_files: tuple[SpecialModeFile, ...] = ()
    world_writable: tuple[WritablePath, ...] = ()
    sshd: tuple[SshdConfig, ...] = ()
    notes: tuple[str, ...] = ()
