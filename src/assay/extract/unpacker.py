"""Recursive unpacking in waves: every file of a nesting level is hashed and classified in
parallel, containers are chosen in a fixed order (so duplicates and ids are deterministic), then
unpacked or carved in parallel; what comes out forms the next wave, until nothing is left or a
limit is reached."""

import hashlib
import os
import shutil
import stat
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

from assay.extract.base import HEAD_SIZE, Extractor
from assay.extract.carver import Carver
from assay.extract.job import ContainerJob, make_problem, output_dir
from assay.extract.limits import Budget, Limits
from assay.extract.tools import tree_size
from assay.extract.work import Item, Outcome, walk
from assay.inventory.hashing import FileDigest, digest_file
from assay.inventory.kind import classify
from assay.model.artifact import Artifact, FileKind
from assay.model.ids import stable_id
from assay.model.problem import Problem, ProblemKind, ProblemLevel
from assay.pipeline.progress import NullProgress, Progress

TASK = "unpack"
CARVE_KINDS = frozenset({FileKind.DATA})


@dataclass(slots=True)
class UnpackResult:
    """The inventory of a release and the problems met while unpacking it."""

    artifacts: list[Artifact] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    bytes_written: int = 0
    disk: dict[str, Path] = field(default_factory=dict)


@dataclass(slots=True)
class _Inspected:
    item: Item
    artifact: Artifact | None
    digest: FileDigest | None = None
    problem: Problem | None = None


class Unpacker:
    """Unpacks one release into `workspace`, recursively and within `limits`."""

    def __init__(
        self,
        extractors: Sequence[Extractor],
        limits: Limits,
        workspace: Path,
        progress: Progress | None = None,
        workers: int | None = None,
    ) -> None:
        self.extractors = tuple(extractors)
        self.limits = limits
        self.workspace = workspace
        self.progress = progress or NullProgress()
        self.workers = workers or min(os.cpu_count() or 1, 8)
        self.carver = Carver(self.extractors)

    def unpack(self, source: Path) -> UnpackResult:
        """Inventory `source` (a file or a directory) and everything inside it."""
        self.workspace.mkdir(parents=True, exist_ok=True)
        size = source.stat().st_size if source.is_file() else tree_size(source)
        run = _Run(self, Budget(self.limits, size), source)
        with ThreadPoolExecutor(self.workers, thread_name_prefix="assay-unpack") as pool:
            run.drain(pool, run.seed())
        shutil.rmtree(self.workspace / ".scratch", ignore_errors=True)
        run.result.artifacts.sort(key=lambda a: (a.chain, a.id))
        run.result.bytes_written = run.budget.bytes_written
        return run.result


class _Run:
    """The state of one unpacking run."""

    def __init__(self, owner: Unpacker, budget: Budget, source: Path) -> None:
        self.owner = owner
        self.limits = owner.limits
        self.budget = budget
        self.source = source
        self.seen: dict[str, str] = {}
        self.result = UnpackResult()
        self.exhausted: ProblemKind | None = None
        self.done = 0
        self.scratch_count = 0

    def seed(self) -> list[Item]:
        source = self.source
        if source.is_dir():
            layout = next((e for e in self.owner.extractors if e.identify_dir(source)), None)
            if layout is None:
                return [
                    Item(disk, (source.name, "/" + rel), "/" + rel, 0) for rel, disk in walk(source)
                ]
            return [Item(source, (source.name,), source.name, 0, forced=layout)]
        return [Item(source, (source.name,), source.name, 0)]

    def drain(self, pool: ThreadPoolExecutor, wave: list[Item]) -> None:
        progress = self.owner.progress
        progress.start(TASK, len(wave))
        pending = len(wave)
        while wave:
            inspected = list(pool.map(self.inspect, wave))
            jobs = [job for job in map(self.plan, inspected) if job is not None]
            outcomes = list(pool.map(_execute, jobs))
            wave = []
            for outcome in outcomes:
                self.merge(outcome)
                wave.extend(outcome.children)
            pending += len(wave)
            progress.advance(TASK, 0, total=pending)
        progress.finish(TASK)

    # -- inspect (parallel) --------------------------------------------------------------------

    def inspect(self, item: Item) -> _Inspected:
        try:
            found = self._inspect(item)
        except OSError as err:
            problem = make_problem(item, None, ProblemKind.UNREADABLE, f"cannot read: {err}")
            found = _Inspected(item, None, problem=problem)
        self.owner.progress.note(TASK, item.chain[-1])
        self.owner.progress.advance(TASK, 1)
        return found

    def _inspect(self, item: Item) -> _Inspected:
        info = os.lstat(item.disk)
        if stat.S_ISLNK(info.st_mode):
            return _Inspected(item, _symlink_artifact(item))
        if stat.S_ISDIR(info.st_mode) and item.forced is not None:
            digest = FileDigest(_tree_digest(item.disk), tree_size(item.disk), b"")
        elif stat.S_ISREG(info.st_mode):
            digest = digest_file(item.disk, HEAD_SIZE)
        else:
            return _Inspected(item, None)
        kind, elf = classify(digest.head, item.path, digest.size)
        mode = item.mode if item.mode is not None else info.st_mode
        artifact = Artifact(
            id=stable_id(*item.chain, digest.sha256),
            path=item.path,
            chain=item.chain,
            sha256=digest.sha256,
            size=digest.size,
            kind=kind,
            depth=item.depth,
            parent=item.parent,
            extractor=item.extractor,
            mode=stat.S_IMODE(mode),
            elf=elf,
            flags=_mode_flags(mode),
        )
        return _Inspected(item, artifact, digest)

    # -- plan (sequential, in wave order) ------------------------------------------------------

    def plan(self, found: _Inspected) -> "_Job | None":
        if found.problem is not None:
            self.result.problems.append(found.problem)
        artifact, digest, item = found.artifact, found.digest, found.item
        if artifact is not None:
            self.result.disk[artifact.id] = item.disk
        if artifact is None or digest is None:
            if artifact is not None:
                self.result.artifacts.append(artifact)
            return None
        if self.is_duplicate(artifact):
            return None
        chosen = self.choose(item, artifact, digest)
        if chosen is None:
            self.result.artifacts.append(artifact)
            return None
        artifact, extractor = chosen
        if not self.may_unpack(item, artifact):
            self.result.artifacts.append(artifact)
            return None
        try:
            container = self.new_job(item, artifact)
        except OSError as err:  # e.g. the output folder's path is longer than the host allows
            message = f"not unpacked: cannot create its output folder: {err.strerror}"
            kind, level = ProblemKind.INVALID_NAME, ProblemLevel.ERROR
            self.result.problems.append(make_problem(item, artifact, kind, message, level=level))
            self.result.artifacts.append(artifact)
            return None
        return _Job(container, extractor, self.owner.carver)

    def choose(
        self, item: Item, artifact: Artifact, digest: FileDigest
    ) -> tuple[Artifact, Extractor | None] | None:
        """The extractor for a container (None to carve it), or None when it is not one."""
        extractor = item.forced or self.identify(digest.head, item.disk)
        if extractor is not None:
            artifact = replace(artifact, format=extractor.name)
            if artifact.kind in (FileKind.DATA, FileKind.TEXT, FileKind.EMPTY):
                artifact = replace(artifact, kind=FileKind.ARCHIVE)
            return artifact, extractor
        carve = (
            artifact.kind in CARVE_KINDS
            and item.may_carve
            and digest.size >= self.limits.carve_min_bytes
        )
        return (artifact, None) if carve else None

    def is_duplicate(self, artifact: Artifact) -> bool:
        """Record a file seen before as a duplicate of the first copy (analysed once)."""
        first = self.seen.get(artifact.sha256)
        if first is not None:
            self.result.artifacts.append(replace(artifact, duplicate_of=first))
            return True
        self.seen[artifact.sha256] = artifact.id
        return False

    def identify(self, head: bytes, disk: Path) -> Extractor | None:
        for extractor in self.owner.extractors:
            try:
                if extractor.identify(head, disk):
                    return extractor
            except (OSError, ValueError, LookupError):
                continue
        return None

    def may_unpack(self, item: Item, artifact: Artifact) -> bool:
        if self.exhausted is not None:
            message = f"not unpacked: the scan's {self.exhausted.value} limit was already reached"
            self.result.problems.append(make_problem(item, artifact, self.exhausted, message))
            return False
        if item.depth >= self.limits.max_depth:
            message = f"not unpacked: nesting depth {item.depth} reached the limit"
            kind = ProblemKind.LIMIT_DEPTH
            self.result.problems.append(make_problem(item, artifact, kind, message))
            return False
        return True

    def new_job(self, item: Item, artifact: Artifact) -> ContainerJob:
        self.scratch_count += 1
        scratch = self.owner.workspace / ".scratch" / str(self.scratch_count)
        scratch.mkdir(parents=True, exist_ok=True)
        out = output_dir(item, self.owner.workspace, self.source.is_dir())
        return ContainerJob(item, artifact, out, scratch, self.limits, self.budget)

    # -- merge (sequential) --------------------------------------------------------------------

    def merge(self, outcome: Outcome) -> None:
        self.result.artifacts.append(outcome.artifact)
        self.result.problems.extend(outcome.problems)
        if self.exhausted is None:
            self.exhausted = outcome.exhausted


@dataclass(slots=True)
class _Job:
    container: ContainerJob
    extractor: Extractor | None
    carver: Carver


def _execute(job: _Job) -> Outcome:
    if job.extractor is not None:
        return job.container.extract(job.extractor)
    return job.container.carve(job.carver)


def _symlink_artifact(item: Item) -> Artifact:
    target = item.link_target if item.link_target is not None else os.readlink(item.disk)
    return Artifact(
        id=stable_id(*item.chain, "symlink", target),
        path=item.path,
        chain=item.chain,
        sha256="",
        size=0,
        kind=FileKind.SYMLINK,
        depth=item.depth,
        parent=item.parent,
        extractor=item.extractor,
        mode=0o777,
        link_target=target,
    )


def _mode_flags(mode: int) -> tuple[str, ...]:
    flags = []
    if mode & stat.S_ISUID:
        flags.append("setuid")
    if mode & stat.S_ISGID:
        flags.append("setgid")
    if mode & stat.S_IWOTH and not stat.S_ISLNK(mode):
        flags.append("world-writable")
    return tuple(flags)


def _tree_digest(root: Path) -> str:
    """A digest of a directory's sorted relative paths and file contents."""
    listing = hashlib.sha256()
    for rel, disk in walk(root):
        listing.update(rel.encode("utf-8", "surrogateescape") + b"\0")
        if disk.is_file() and not disk.is_symlink():
            listing.update(digest_file(disk, 0).sha256.encode())
        listing.update(b"\n")
    return listing.hexdigest()
