"""Hardening facts: each ELF file's exploit mitigations and the release's hardening matrix."""

from dataclasses import dataclass
from enum import StrEnum


class ElfRole(StrEnum):
    """Whether an ELF file is a program or a library (a PIE that is also a library, like glibc's
    libc.so.6, counts as a library when it has a DT_SONAME)."""

    EXECUTABLE = "executable"
    LIBRARY = "library"


class Linking(StrEnum):
    """`dynamic`: imports resolved by ld.so, so the dynamic symbol table names every libc
    function used; `static`: libc is inside, only a symbol table (if kept) names functions."""

    DYNAMIC = "dynamic"
    STATIC = "static"


class Pie(StrEnum):
    """Position independence of the main image: `yes`, `no` (ET_EXEC), `dso` (a library)."""

    YES = "yes"
    NO = "no"
    DSO = "dso"


class Relro(StrEnum):
    """RELRO: `none`, `partial` (PT_GNU_RELRO), `full` (PT_GNU_RELRO and immediate binding)."""

    NONE = "none"
    PARTIAL = "partial"
    FULL = "full"


class StackState(StrEnum):
    """Where the stack's executability comes from: the PT_GNU_STACK flags, or — without that
    header — the kernel's default for the architecture (see docs/hardening.md)."""

    NON_EXECUTABLE = "non-executable"
    EXECUTABLE = "executable"
    DEFAULT_EXECUTABLE = "default-executable"
    DEFAULT_NON_EXECUTABLE = "default-non-executable"

    @property
    def executable(self) -> bool:
        """True when the stack of a process running this file is executable."""
        return self in (StackState.EXECUTABLE, StackState.DEFAULT_EXECUTABLE)


@dataclass(frozen=True, slots=True)
class Fortify:
    """FORTIFY_SOURCE use: the `_chk` (and `_2`) functions called and the plain functions called
    that have a fortified variant. None counts when unknowable (static and stripped)."""

    fortified: tuple[str, ...] | None
    fortifiable: tuple[str, ...] | None

    @property
    def known(self) -> bool:
        """False when the file keeps no symbols that would tell."""
        return self.fortified is not None

    @property
    def enabled(self) -> bool | None:
        """True when at least one fortified function is used; None when unknowable."""
        return None if self.fortified is None else bool(self.fortified)


@dataclass(frozen=True, slots=True)
class ElfHardening:
    """The mitigations of one ELF file, computed from its headers, dynamic section and symbols.

    `canary` is None when it cannot be known (a static binary without a symbol table);
    `rpath`/`runpath` are None when the entry is absent; `insecure_paths` lists the entries of
    either that let someone else plant a library."""

    machine: str
    bits: int
    endian: str
    role: ElfRole
    linking: Linking
    stack: StackState
    pie: Pie
    relro: Relro
    canary: bool | None
    fortify: Fortify
    rpath: tuple[str, ...] | None
    runpath: tuple[str, ...] | None
    insecure_paths: tuple[str, ...]
    stripped: bool

    @property
    def nx(self) -> bool:
        """True when the stack is not executable."""
        return not self.stack.executable


@dataclass(frozen=True, slots=True)
class HardeningRow:
    """One ELF file of the release: where it is, its privilege bits and its mitigations.
    `copy_of` names the artifact with the same content that the matrix counts instead."""

    artifact: str
    path: str
    location: str
    sha256: str
    setuid: bool
    setgid: bool
    elf: ElfHardening
    copy_of: str | None = None


@dataclass(frozen=True, slots=True)
class MatrixCell:
    """How many files of one population have a property, how many could not tell, of how many."""

    have: int
    unknown: int
    total: int

    @property
    def percent(self) -> float | None:
        """Share of the population that has the property, in percent (None for no files)."""
        return None if self.total == 0 else round(100.0 * self.have / self.total, 1)


@dataclass(frozen=True, slots=True)
class MatrixRow:
    """One property of the matrix; `desirable` tells a chart whether more is better."""

    property: str
    description: str
    desirable: bool
    executables: MatrixCell
    libraries: MatrixCell


@dataclass(frozen=True, slots=True)
class HardeningFacts:
    """The hardening check's report: a row per ELF path, the matrix over distinct files, the
    files not assessed (relocatable objects, kernel modules and images, core dumps) by reason,
    and the kernel release that decided the stack default (None when unknown)."""

    rows: tuple[HardeningRow, ...]
    matrix: tuple[MatrixRow, ...]
    skipped: tuple[tuple[str, int], ...]
    unreadable: int
    kernel: str | None
