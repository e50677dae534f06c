"""The Extractor seam: one plugin per container format, mostly declarative.

An extractor says which magic bytes mark its format (`signatures`, used both to identify whole
files and to carve blobs out of raw images in one multi-pattern pass), how long a blob starting
at an offset is (`measure`), and how to unpack a file of its format into a `SafeFS`.
"""

import mmap
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from assay.extract.limits import Budget, Deadline, Limits
from assay.extract.safefs import SafeFS
from assay.extract.tools import ToolResult, run_tool
from assay.model.problem import ProblemKind, ProblemLevel

HEAD_SIZE = 64 * 1024

Blob = bytes | bytearray | memoryview | mmap.mmap
"""Bytes an extractor measures: a whole file mapped into memory, or a buffer in tests."""


@dataclass(frozen=True, slots=True)
class Signature:
    """Magic bytes found at `offset` from the start of a blob of the format."""

    magic: bytes
    offset: int = 0


@dataclass(slots=True)
class ExtractContext:
    """What an extractor may use besides its input and its SafeFS."""

    limits: Limits
    budget: Budget
    deadline: Deadline
    scratch: Path
    source_name: str
    metadata: dict[str, str] = field(default_factory=dict)
    problems: list[tuple[ProblemKind, ProblemLevel, str, str | None]] = field(default_factory=list)

    def problem(
        self,
        kind: ProblemKind,
        message: str,
        member: str | None = None,
        level: ProblemLevel = ProblemLevel.WARNING,
    ) -> None:
        """Record a problem met while extracting; the extraction may go on."""
        self.problems.append((kind, level, message, member))

    def run(
        self,
        argv: list[str],
        watch: Path | None = None,
        cwd: Path | None = None,
        stdout: Path | None = None,
    ) -> ToolResult:
        """Run an external tool under this extraction's deadline and byte budget, in `cwd`;
        with `stdout`, its whole output is kept in that file (ToolResult has only the tail)."""
        return run_tool(
            argv, deadline=self.deadline, budget=self.budget, watch=watch, cwd=cwd, stdout=stdout
        )

    def staging(self, name: str = "staging") -> Path:
        """A fresh, empty scratch folder for an external tool to write into."""
        path = self.scratch / name
        counter = 0
        while path.exists():
            counter += 1
            path = self.scratch / f"{name}-{counter}"
        path.mkdir(parents=True)
        return path


class ExtractionError(Exception):
    """The input is not a valid instance of the format, or the extractor failed on it."""


class Extractor(ABC):
    """Unpacks one container format. Subclasses are registered in `assay.plugins`."""

    name: ClassVar[str]
    description: ClassVar[str]
    signatures: ClassVar[tuple[Signature, ...]] = ()
    requires_tools: ClassVar[tuple[str, ...]] = ()
    requires_modules: ClassVar[tuple[str, ...]] = ()
    suffixes: ClassVar[tuple[str, ...]] = ()

    def identify(self, head: bytes, path: Path) -> bool:
        """True when the file at `path`, whose first bytes are `head`, is of this format.
        Most formats decide from `head` alone; a few look further into the file."""
        return any(
            head[sig.offset : sig.offset + len(sig.magic)] == sig.magic for sig in self.signatures
        )

    def identify_dir(self, path: Path) -> bool:
        """True when a directory given as input is a layout of this format (e.g. OCI)."""
        return False

    def measure(self, data: Blob, start: int) -> int | None:
        """Length of a valid blob of this format starting at `start` in `data`, or None when
        the bytes there are not one. Extractors that cannot carve return None."""
        return None

    @abstractmethod
    def extract(self, src: Path, fs: SafeFS, ctx: ExtractContext) -> None:
        """Unpack `src` into `fs`. Raise ExtractionError when `src` is unusable; record
        per-member trouble with `ctx.problem` and carry on."""
