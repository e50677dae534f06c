"""The unsafe-function census: per binary and per release, calls to listed C library functions
counted by family (memcpy-like, strcpy-like, …) and by safety (unsafe or safe member)."""

from dataclasses import dataclass
from enum import StrEnum


class Safety(StrEnum):
    """Whether a family member bounds its writes by the destination's capacity."""

    UNSAFE = "unsafe"
    SAFE = "safe"


class Coverage(StrEnum):
    """How far a binary's call counts can be trusted.

    `complete`: every direct call to an imported or named function was attributed;
    `lower-bound`: some call sites could not be attributed, the true counts may be higher;
    `unknown`: the calls were not counted (a stripped static binary has no names to count by,
    or the architecture has no disassembler) — only imports, if any, are listed."""

    COMPLETE = "complete"
    LOWER_BOUND = "lower-bound"
    UNKNOWN = "unknown"


class Linkage(StrEnum):
    """How the binary reaches the C library."""

    DYNAMIC = "dynamic"
    STATIC = "static"


@dataclass(frozen=True, slots=True)
class FunctionClass:
    """One listed function: its family, its safety and the sources that classify it."""

    name: str
    family: str
    safety: Safety
    sources: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class FunctionUse:
    """One listed function used by one binary: direct call sites counted, whether it is imported,
    and the virtual addresses of the first call sites."""

    name: str
    family: str
    safety: Safety
    calls: int
    imported: bool
    first_sites: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class FamilyCount:
    """Calls and distinct functions of one family, split by safety."""

    family: str
    unsafe_calls: int
    safe_calls: int
    unsafe_functions: tuple[str, ...]
    safe_functions: tuple[str, ...]

    @property
    def percent_unsafe(self) -> float | None:
        """Share of unsafe calls among all calls of the family (None when there are none)."""
        total = self.unsafe_calls + self.safe_calls
        return None if total == 0 else round(100.0 * self.unsafe_calls / total, 2)


@dataclass(frozen=True, slots=True)
class BinaryCensus:
    """One ELF file's census row."""

    artifact: str
    path: str
    location: str
    machine: str
    bits: int
    endian: str
    elf_type: str
    linkage: Linkage
    stripped: bool
    coverage: Coverage
    coverage_notes: tuple[str, ...]
    code_bytes: int
    functions: tuple[FunctionUse, ...]
    families: tuple[FamilyCount, ...]


@dataclass(frozen=True, slots=True)
class ReleaseFunctionCount:
    """One listed function across the release: calls and the number of binaries using it."""

    name: str
    family: str
    safety: Safety
    calls: int
    binaries: int


@dataclass(frozen=True, slots=True)
class CensusThroughput:
    """How fast the census ran: files, bytes of code disassembled and wall-clock seconds."""

    files: int
    code_bytes: int
    seconds: float

    @property
    def files_per_second(self) -> float:
        """ELF files examined per second."""
        return round(self.files / self.seconds, 1) if self.seconds > 0 else 0.0

    @property
    def megabytes_per_second(self) -> float:
        """Megabytes (10^6) of executable code disassembled per second."""
        return round(self.code_bytes / 1e6 / self.seconds, 2) if self.seconds > 0 else 0.0


@dataclass(frozen=True, slots=True)
class ReleaseCensus:
    """The release's census: the board's table (per family), per-function totals, per-binary
    rows, how many rows are complete / lower bounds / unknown, and the throughput."""

    families: tuple[FamilyCount, ...]
    functions: tuple[ReleaseFunctionCount, ...]
    binaries: tuple[BinaryCensus, ...]
    coverage: tuple[tuple[Coverage, int], ...]
    throughput: CensusThroughput
    table_version: str
