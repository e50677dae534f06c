"""Artifacts: every file found in a release, with where it came from and what it is."""

from dataclasses import dataclass, field
from enum import StrEnum

CHAIN_SEPARATOR = " › "


class FileKind(StrEnum):
    """Coarse classification of a file's content."""

    ELF = "elf"
    SCRIPT = "script"
    TEXT = "text"
    KEY_OR_CERT = "key-or-cert"
    ARCHIVE = "archive"
    DATA = "data"
    EMPTY = "empty"
    SYMLINK = "symlink"


@dataclass(frozen=True, slots=True)
class ElfFacts:
    """Facts read from an ELF header."""

    machine: str
    bits: int
    endian: str
    elf_type: str


@dataclass(frozen=True, slots=True)
class Artifact:
    """One file of a release: its bytes' identity, its kind and its chain of containers.

    `chain` names every container from the release input down to this file, e.g.
    ("firmware.bin", "squashfs@0x2c0040", "/usr/sbin/dropbear").
    """

    id: str
    path: str
    chain: tuple[str, ...]
    sha256: str
    size: int
    kind: FileKind
    depth: int
    parent: str | None = None
    extractor: str | None = None
    mode: int = 0o644
    format: str | None = None
    elf: ElfFacts | None = None
    link_target: str | None = None
    duplicate_of: str | None = None
    flags: tuple[str, ...] = ()
    metadata: tuple[tuple[str, str], ...] = field(default=())

    @property
    def location(self) -> str:
        """The human-readable chain, e.g. `firmware.bin › squashfs@0x2c0040 › /bin/sh`."""
        return CHAIN_SEPARATOR.join(self.chain)
