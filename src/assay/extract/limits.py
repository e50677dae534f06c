"""Resource limits for unpacking hostile input, and the shared budget that enforces them."""

import threading
import time
from dataclasses import asdict, dataclass

from assay.model.problem import ProblemKind

GIB = 1024**3
MIB = 1024**2


@dataclass(frozen=True, slots=True)
class Limits:
    """Bounds on what one scan may unpack. Defaults suit a lab workstation."""

    max_total_bytes: int = 32 * GIB
    max_files: int = 1_000_000
    max_depth: int = 24
    max_ratio: float = 500.0
    ratio_floor_bytes: int = 16 * MIB
    max_total_ratio: float = 2000.0
    total_ratio_floor_bytes: int = 256 * MIB
    extractor_seconds: float = 600.0
    carve_min_bytes: int = 64

    def as_pairs(self) -> tuple[tuple[str, int | float], ...]:
        """The limits as sorted (name, value) pairs for the evaluation record."""
        return tuple(sorted(asdict(self).items()))


class LimitExceeded(Exception):
    """Raised inside an extractor when a limit is reached; the unpacker records it."""

    def __init__(self, kind: ProblemKind, message: str, whole_scan: bool = False) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.whole_scan = whole_scan


class Budget:
    """Counts bytes and files written across the whole scan; thread-safe."""

    def __init__(self, limits: Limits, input_size: int) -> None:
        self.limits = limits
        self.input_size = max(input_size, 1)
        self.bytes_written = 0
        self.files_written = 0
        self._lock = threading.Lock()

    def remaining_bytes(self) -> int:
        """Bytes that may still be written before the total limit."""
        return max(self.limits.max_total_bytes - self.bytes_written, 0)

    def charge_bytes(self, amount: int) -> None:
        """Account for `amount` more bytes written, or raise LimitExceeded."""
        with self._lock:
            if self.bytes_written + amount > self.limits.max_total_bytes:
                raise LimitExceeded(
                    ProblemKind.LIMIT_BYTES,
                    f"total unpacked size would exceed {self.limits.max_total_bytes} bytes",
                    whole_scan=True,
                )
            self.bytes_written += amount
            self._check_total_ratio()

    def _check_total_ratio(self) -> None:
        """Bound the whole scan's expansion, which nested bombs of small members evade per
        container."""
        limits = self.limits
        if self.bytes_written <= limits.total_ratio_floor_bytes:
            return
        if self.bytes_written / self.input_size > limits.max_total_ratio:
            raise LimitExceeded(
                ProblemKind.LIMIT_RATIO,
                f"the release expanded more than {limits.max_total_ratio:g}:1 "
                f"({self.bytes_written} bytes from {self.input_size})",
                whole_scan=True,
            )

    def charge_file(self) -> None:
        """Account for one more file, directory or link created, or raise LimitExceeded."""
        with self._lock:
            if self.files_written + 1 > self.limits.max_files:
                raise LimitExceeded(
                    ProblemKind.LIMIT_FILES,
                    f"file count would exceed {self.limits.max_files}",
                    whole_scan=True,
                )
            self.files_written += 1


class Deadline:
    """Wall-clock bound for one extractor run."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.expires = time.monotonic() + seconds

    def remaining(self) -> float:
        """Seconds left, never negative."""
        return max(self.expires - time.monotonic(), 0.0)

    def check(self) -> None:
        """Raise LimitExceeded once the deadline has passed."""
        if time.monotonic() > self.expires:
            raise LimitExceeded(
                ProblemKind.LIMIT_TIME, f"extractor ran longer than {self.seconds:g} s"
            )


class RatioGuard:
    """Bounds the expansion of one container: output bytes against its input size."""

    def __init__(self, limits: Limits, source_size: int) -> None:
        self.limits = limits
        self.source_size = max(source_size, 1)
        self.written = 0

    def charge(self, amount: int) -> None:
        """Account for `amount` bytes produced from this container, or raise LimitExceeded."""
        self.written += amount
        if self.written <= self.limits.ratio_floor_bytes:
            return
        if self.written / self.source_size > self.limits.max_ratio:
            raise LimitExceeded(
                ProblemKind.LIMIT_RATIO,
                f"expansion ratio above {self.limits.max_ratio:g}:1 "
                f"({self.written} bytes from {self.source_size})",
            )
