"""The hostile-input harness: unpack one image in a workspace fenced by sentinels, time it, and
check that nothing was written outside, no link leads out, no special file or setuid bit exists."""

import hashlib
import os
import stat
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from assay.extract.limits import Limits
from assay.extract.unpacker import Unpacker, UnpackResult
from assay.model.artifact import Artifact
from assay.model.problem import Problem, ProblemKind
from assay.plugins import extractors
from tests.conftest import paths_under

MIB = 1024**2
HOST_PATHS = ("/etc/evil", "/evil", "/outside", "/tmp/evil", "/tmp/outside", "/etc/passwd")
"""Host paths a hostile image aims at: their state must be the same after the scan."""

Entry = tuple[int, int, int, int, str]
Snapshot = dict[str, Entry]


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one hostile scan produced and what it cost."""

    result: UnpackResult
    seconds: float
    workspace: Path
    disk_bytes: int

    def kinds(self) -> set[str]:
        """The kinds of the problems recorded."""
        return {p.kind.value for p in self.result.problems}

    def problems(self, kind: ProblemKind) -> list[Problem]:
        """The problems of one kind."""
        return [p for p in self.result.problems if p.kind is kind]

    def under(self, *chain: str) -> dict[str, str]:
        """In-container path → sha256 (or symlink:TARGET) one level below `chain`."""
        return paths_under(self.result, *chain)

    def artifact(self, *chain: str) -> Artifact:
        """The artifact whose chain is exactly `chain`."""
        found = [a for a in self.result.artifacts if a.chain == chain]
        assert len(found) == 1, [a.location for a in self.result.artifacts]
        return found[0]


Scan = Callable[..., Outcome]


def _entry(path: Path) -> Entry:
    info = os.lstat(path)
    target = os.readlink(path) if stat.S_ISLNK(info.st_mode) else ""
    digest = ""
    if stat.S_ISREG(info.st_mode) and info.st_size < 64 * MIB:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return info.st_mode, info.st_size, info.st_nlink, info.st_mtime_ns, target + digest


def snapshot(root: Path, fenced: Path) -> Snapshot:
    """Every entry under `root` except those under `fenced`, with type, size, mtime, content."""
    found: Snapshot = {}
    for folder, dirs, files in os.walk(root):
        here = Path(folder)
        dirs[:] = [d for d in dirs if here / d != fenced]
        for name in dirs + files:
            found[str((here / name).relative_to(root))] = _entry(here / name)
    return found


def host_state() -> dict[str, Entry | None]:
    """The state of the host paths hostile images aim at."""
    return {p: _entry(Path(p)) if os.path.lexists(p) else None for p in HOST_PATHS}


def assert_contained(workspace: Path) -> int:
    """No symlink under `workspace` resolves outside it; no device node, FIFO, socket or
    setuid/setgid bit exists in it. Returns the disk space it uses."""
    real_root = os.path.realpath(workspace)
    used = 0
    for folder, dirs, files in os.walk(workspace):
        for name in dirs + files:
            path = os.path.join(folder, name)
            info = os.lstat(path)
            used += info.st_blocks * 512
            if stat.S_ISLNK(info.st_mode):
                resolved = os.path.realpath(path)
                assert os.path.commonpath([real_root, resolved]) == real_root, (path, resolved)
                continue
            assert stat.S_ISREG(info.st_mode) or stat.S_ISDIR(info.st_mode), path
            assert not info.st_mode & (stat.S_ISUID | stat.S_ISGID), path
    return used


@pytest.fixture
def hostile(tmp_path: Path) -> Scan:
    """Unpack hostile bytes (or a file) named `name` with `limits`; assert confinement and that
    the scan took at most `seconds` and left at most `max_disk` bytes in the workspace."""
    sentinel = tmp_path / "sentinel"
    sentinel.mkdir()
    (sentinel / "canary").write_bytes(b"canary\n")
    counter = 0

    def scan(
        name: str,
        data: bytes | Path,
        limits: Limits | None = None,
        seconds: float = 20.0,
        max_disk: int = 64 * MIB,
    ) -> Outcome:
        nonlocal counter
        counter += 1
        source = tmp_path / "input" / str(counter) / name
        source.parent.mkdir(parents=True)
        if isinstance(data, Path):
            source = data
        else:
            source.write_bytes(data)
        workspace = tmp_path / "a" / "b" / "c" / f"workspace-{counter}"
        workspace.mkdir(parents=True)
        before, host_before = snapshot(tmp_path, workspace), host_state()
        clock = time.monotonic()
        result = Unpacker(extractors(), limits or Limits(), workspace).unpack(source)
        elapsed = time.monotonic() - clock
        assert snapshot(tmp_path, workspace) == before, "something changed outside the workspace"
        assert host_state() == host_before, "a host path changed"
        used = assert_contained(workspace)
        assert elapsed <= seconds, f"took {elapsed:.1f} s"
        assert used <= max_disk, f"{used} bytes left on disk"
        return Outcome(result, elapsed, workspace, used)

    return scan
