"""Running external extraction tools: no shell, a timeout, a bound on the bytes they write."""

import contextlib
import os
import resource
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from assay.extract.limits import Budget, Deadline, LimitExceeded
from assay.model.problem import ProblemKind

POLL_SECONDS = 0.25
SIZE_CHECK_SECONDS = 1.0
OUTPUT_TAIL = 2000


class ToolMissing(Exception):
    """The external tool an extractor needs is not installed."""

    def __init__(self, tool: str) -> None:
        super().__init__(f"external tool {tool!r} is not installed")
        self.tool = tool


@dataclass(frozen=True, slots=True)
class ToolResult:
    """Exit status and the tails of an external tool's output."""

    returncode: int
    stdout: str
    stderr: str


def tree_size(path: Path) -> int:
    """Bytes held by regular files under `path`, not following links."""
    total = 0
    stack = [path]
    while stack:
        try:
            entries = list(os.scandir(stack.pop()))
        except OSError:
            continue
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                stack.append(Path(entry.path))
            elif entry.is_file(follow_symlinks=False):
                total += entry.stat(follow_symlinks=False).st_size
    return total


def require(tool: str) -> str:
    """The absolute path of `tool`, or raise ToolMissing."""
    found = shutil.which(tool)
    if found is None:
        raise ToolMissing(tool)
    return found


def run_tool(
    argv: Sequence[str],
    *,
    deadline: Deadline,
    budget: Budget,
    watch: Path | None = None,
    cwd: Path | None = None,
    stdout: Path | None = None,
) -> ToolResult:
    """Run `argv` without a shell, killing it when the deadline passes or `watch` outgrows the
    scan's remaining byte budget. With `stdout`, the tool's whole output is kept in that file."""
    executable = require(argv[0])
    max_file = budget.remaining_bytes() + 1

    def limit_child() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (max_file, max_file))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

    keep = open(stdout, "w+b") if stdout is not None else None  # noqa: SIM115 - closed below
    with keep or tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(
            [executable, *argv[1:]],
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            cwd=cwd,
            start_new_session=True,
            preexec_fn=limit_child,
            env={**os.environ, "LC_ALL": "C.UTF-8"},
        )
        _supervise(proc, deadline, budget, watch)
        return ToolResult(proc.returncode, _tail(out), _tail(err))


def _supervise(
    proc: subprocess.Popen[bytes], deadline: Deadline, budget: Budget, watch: Path | None
) -> None:
    next_size_check = time.monotonic() + SIZE_CHECK_SECONDS
    while True:
        try:
            proc.wait(timeout=min(POLL_SECONDS, max(deadline.remaining(), 0.01)))
            return
        except subprocess.TimeoutExpired:
            pass
        if deadline.remaining() <= 0:
            _kill(proc)
            raise LimitExceeded(
                ProblemKind.LIMIT_TIME, f"external tool ran longer than {deadline.seconds:g} s"
            )
        if watch is not None and time.monotonic() >= next_size_check:
            next_size_check = time.monotonic() + SIZE_CHECK_SECONDS
            if tree_size(watch) > budget.remaining_bytes():
                _kill(proc)
                raise LimitExceeded(
                    ProblemKind.LIMIT_BYTES, "external tool output exceeded the byte budget"
                )


def _kill(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


def _tail(handle: IO[bytes]) -> str:
    handle.seek(0, os.SEEK_END)
    size = handle.tell()
    handle.seek(max(size - OUTPUT_TAIL, 0))
    data: bytes = handle.read()
    return data.decode("utf-8", "replace").strip()
