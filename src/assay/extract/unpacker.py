"""Recursive unpacking: every file is hashed once, classified, and unpacked or carved if it is a
container; what comes out is queued in turn until nothing is left or a limit is reached."""

import hashlib
import logging
import mmap
import os
import shutil
import stat
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from assay.extract.base import HEAD_SIZE, ExtractContext, ExtractionError, Extractor
from assay.extract.carver import Carver, Region
from assay.extract.limits import Budget, Deadline, LimitExceeded, Limits, RatioGuard
from assay.extract.safefs import SafeFS
from assay.extract.tools import ToolMissing
from assay.inventory.hashing import FileDigest, digest_file
from assay.inventory.kind import classify
from assay.model.artifact import Artifact, FileKind
from assay.model.ids import stable_id
from assay.model.problem import LIMIT_KINDS, Problem, ProblemKind, ProblemLevel
from assay.pipeline.progress import NullProgress, Progress

log = logging.getLogger(__name__)
TASK = "unpack"
CARVE_KINDS = frozenset({FileKind.DATA})
OPAQUE_KINDS = frozenset({FileKind.DATA, FileKind.TEXT})
GLOBAL_LIMITS = frozenset({ProblemKind.LIMIT_BYTES, ProblemKind.LIMIT_FILES})


@dataclass(slots=True)
class _Item:
    """A file waiting to be inventoried (and unpacked if it is a container)."""

    disk: Path
    chain: tuple[str, ...]
    path: str
    depth: int
    parent: str | None = None
    extractor: str | None = None
    mode: int | None = None
    link_target: str | None = None
    forced: Extractor | None = None
    may_carve: bool = True


@dataclass(slots=True)
class UnpackResult:
    """The inventory of a release and the problems met while unpacking it."""

    artifacts: list[Artifact] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    bytes_written: int = 0


class Unpacker:
    """Unpacks one release into `workspace`, recursively and within `limits`."""

    def __init__(
        self,
        extractors: Sequence[Extractor],
        limits: Limits,
        workspace: Path,
        progress: Progress | None = None,
    ) -> None:
        self.extractors = tuple(extractors)
        self.limits = limits
        self.workspace = workspace
        self.progress = progress or NullProgress()
        self.carver = Carver(self.extractors)
        self._scratch_counter = 0

    def unpack(self, source: Path) -> UnpackResult:
        """Inventory `source` (a file or a directory) and everything inside it."""
        self.workspace.mkdir(parents=True, exist_ok=True)
        size = source.stat().st_size if source.is_file() else _tree_bytes(source)
        run = _Run(self, Budget(self.limits, size), source)
        run.seed(source)
        run.drain()
        shutil.rmtree(self.workspace / ".scratch", ignore_errors=True)
        run.result.artifacts.sort(key=lambda a: (a.chain, a.id))
        run.result.bytes_written = run.budget.bytes_written
        return run.result

    def scratch(self) -> Path:
        """A fresh scratch folder on the workspace's file system."""
        self._scratch_counter += 1
        path = self.workspace / ".scratch" / str(self._scratch_counter)
        path.mkdir(parents=True, exist_ok=True)
        return path


class _Run:
    """The state of one unpacking run."""

    def __init__(self, owner: Unpacker, budget: Budget, source: Path) -> None:
        self.owner = owner
        self.limits = owner.limits
        self.budget = budget
        self.source = source
        self.queue: deque[_Item] = deque()
        self.seen: dict[str, str] = {}
        self.result = UnpackResult()
        self.exhausted: ProblemKind | None = None
        self.done = 0

    # -- seeding -------------------------------------------------------------------------------

    def seed(self, source: Path) -> None:
        layout = self.dir_format(source) if source.is_dir() else None
        if layout is not None:
            self.queue.append(_Item(source, (source.name,), source.name, 0, forced=layout))
        elif source.is_dir():
            for rel, disk in _walk(source):
                self.queue.append(_Item(disk, (source.name, "/" + rel), "/" + rel, 0))
        else:
            self.queue.append(_Item(source, (source.name,), source.name, 0))
        self.owner.progress.start(TASK, len(self.queue))

    def dir_format(self, source: Path) -> Extractor | None:
        for extractor in self.owner.extractors:
            if extractor.identify_dir(source):
                return extractor
        return None

    def drain(self) -> None:
        while self.queue:
            item = self.queue.popleft()
            self.owner.progress.note(TASK, item.chain[-1])
            try:
                self.process(item)
            except OSError as err:
                self.problem(item, None, ProblemKind.UNREADABLE, f"cannot read: {err}")
            self.done += 1
            self.owner.progress.advance(TASK, 1, total=self.done + len(self.queue))
        self.owner.progress.finish(TASK)

    # -- one file ------------------------------------------------------------------------------

    def process(self, item: _Item) -> None:
        info = os.lstat(item.disk)
        if stat.S_ISLNK(info.st_mode):
            self.add_symlink(item)
            return
        if stat.S_ISDIR(info.st_mode) and item.forced is not None:
            digest = FileDigest(_tree_digest(item.disk), _tree_bytes(item.disk), b"")
        elif not stat.S_ISREG(info.st_mode):
            return
        else:
            digest = digest_file(item.disk, HEAD_SIZE)
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
        first = self.seen.get(digest.sha256)
        if first is not None:
            self.result.artifacts.append(replace(artifact, duplicate_of=first))
            return
        self.seen[digest.sha256] = artifact.id
        extractor = item.forced or self.identify(digest.head, item.disk)
        if extractor is not None:
            artifact = self.unpack_container(item, artifact, extractor)
        elif kind in CARVE_KINDS and item.may_carve and digest.size >= self.limits.carve_min_bytes:
            artifact = self.carve(item, artifact)
        self.result.artifacts.append(artifact)

    def identify(self, head: bytes, disk: Path) -> Extractor | None:
        for extractor in self.owner.extractors:
            try:
                if extractor.identify(head, disk):
                    return extractor
            except (OSError, ValueError, LookupError):
                continue
        return None

    def add_symlink(self, item: _Item) -> None:
        target = item.link_target if item.link_target is not None else os.readlink(item.disk)
        self.result.artifacts.append(
            Artifact(
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
        )

    # -- containers ----------------------------------------------------------------------------

    def unpack_container(self, item: _Item, artifact: Artifact, extractor: Extractor) -> Artifact:
        artifact = replace(
            artifact,
            format=extractor.name,
            kind=FileKind.ARCHIVE
            if artifact.kind in (FileKind.DATA, FileKind.TEXT)
            else artifact.kind,
        )
        if not self.may_unpack(item, artifact):
            return artifact
        out = self.output_dir(item)
        fs, ctx = self.open_extraction(item, artifact, out)
        try:
            extractor.extract(item.disk, fs, ctx)
        except LimitExceeded as err:
            self.limit_hit(item, artifact, err, extractor.name)
        except ExtractionError as err:
            self.problem(item, artifact, ProblemKind.CORRUPT, str(err), extractor=extractor.name)
        except ToolMissing as err:
            self.problem(
                item, artifact, ProblemKind.TOOL_MISSING, str(err), extractor=extractor.name
            )
        except Exception as err:  # an extractor bug must never end the scan
            log.exception("extractor %s failed on %s", extractor.name, artifact.location)
            message = f"{type(err).__name__}: {err}"
            self.problem(item, artifact, ProblemKind.TOOL_FAILED, message, extractor=extractor.name)
        finally:
            shutil.rmtree(ctx.scratch, ignore_errors=True)
        self.flush_problems(item, artifact, ctx, extractor.name)
        self.enqueue_tree(item, artifact, fs, extractor.name)
        return replace(artifact, metadata=tuple(sorted(ctx.metadata.items())))

    def may_unpack(self, item: _Item, artifact: Artifact) -> bool:
        if self.exhausted is not None:
            message = f"not unpacked: the scan's {self.exhausted.value} limit was already reached"
            self.problem(item, artifact, self.exhausted, message)
            return False
        if item.depth >= self.limits.max_depth:
            message = f"not unpacked: nesting depth {item.depth} reached the limit"
            self.problem(item, artifact, ProblemKind.LIMIT_DEPTH, message)
            return False
        return True

    def open_extraction(
        self, item: _Item, artifact: Artifact, out: Path
    ) -> tuple[SafeFS, ExtractContext]:
        deadline = Deadline(self.limits.extractor_seconds)
        ctx = ExtractContext(
            limits=self.limits,
            budget=self.budget,
            deadline=deadline,
            scratch=self.owner.scratch(),
            source_name=item.disk.name,
        )

        def report(
            kind: ProblemKind, level: ProblemLevel, message: str, member: str | None
        ) -> None:
            ctx.problem(kind, message, member, level)

        ratio = RatioGuard(self.limits, artifact.size)
        return SafeFS(out, self.budget, ratio, deadline, report), ctx

    def output_dir(self, item: _Item) -> Path:
        workspace = self.owner.workspace
        try:
            item.disk.relative_to(workspace)
            base = item.disk.parent / (item.disk.name + ".extracted")
        except ValueError:
            rel = item.path.lstrip("/") if self.source.is_dir() else item.disk.name
            base = workspace / (rel + ".extracted")
            base.parent.mkdir(parents=True, exist_ok=True)
        candidate, counter = base, 0
        while os.path.lexists(candidate):
            counter += 1
            candidate = base.with_name(f"{base.name}-{counter}")
        return candidate

    def enqueue_tree(self, item: _Item, artifact: Artifact, fs: SafeFS, extractor: str) -> None:
        if not fs.root.is_dir():
            return
        for rel, disk in _walk(fs.root):
            self.queue.append(
                _Item(
                    disk=disk,
                    chain=(*item.chain, "/" + rel),
                    path="/" + rel,
                    depth=item.depth + 1,
                    parent=artifact.id,
                    extractor=extractor,
                    mode=fs.modes.get(rel),
                    link_target=fs.link_targets.get(rel),
                )
            )

    # -- carving -------------------------------------------------------------------------------

    def carve(self, item: _Item, artifact: Artifact) -> Artifact:
        with (
            open(item.disk, "rb") as handle,
            mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data,
        ):
            regions = self.owner.carver.carve(data)
            if not regions:
                return artifact
            whole = regions[0]
            if len(regions) == 1 and whole.extractor is not None and whole.length == len(data):
                return self.unpack_container(item, artifact, whole.extractor)
            if not self.may_unpack(item, artifact):
                return artifact
            return self.write_regions(item, artifact, data, regions)

    def write_regions(
        self, item: _Item, artifact: Artifact, data: mmap.mmap, regions: list[Region]
    ) -> Artifact:
        out = self.output_dir(item)
        fs, ctx = self.open_extraction(item, artifact, out)
        blobs = [r for r in regions if r.extractor is not None]
        try:
            for region in regions:
                self.write_region(item, artifact, fs, data, region)
        except LimitExceeded as err:
            self.limit_hit(item, artifact, err, "carver")
        finally:
            shutil.rmtree(ctx.scratch, ignore_errors=True)
        self.flush_problems(item, artifact, ctx, "carver")
        summary = ", ".join(f"{r.extractor.name}@0x{r.start:x}" for r in blobs if r.extractor)
        return replace(artifact, format="carved", metadata=(("carved", summary),))

    def write_region(
        self, item: _Item, artifact: Artifact, fs: SafeFS, data: mmap.mmap, region: Region
    ) -> None:
        name = region.extractor.name if region.extractor else "unknown"
        filename = f"0x{region.start:x}.{name}"
        disk = fs.write(filename, memoryview(data)[region.start : region.end])
        if disk is None:
            return
        self.queue.append(
            _Item(
                disk=disk,
                chain=(*item.chain, f"{name}@0x{region.start:x}"),
                path=f"@0x{region.start:x}",
                depth=item.depth + 1,
                parent=artifact.id,
                extractor="carver",
                forced=region.extractor,
                may_carve=False,
            )
        )

    # -- problems ------------------------------------------------------------------------------

    def limit_hit(
        self, item: _Item, artifact: Artifact, err: LimitExceeded, extractor: str
    ) -> None:
        self.problem(item, artifact, err.kind, err.message, extractor=extractor)
        if err.kind in GLOBAL_LIMITS:
            self.exhausted = err.kind

    def flush_problems(
        self, item: _Item, artifact: Artifact, ctx: ExtractContext, extractor: str
    ) -> None:
        for kind, level, message, member in ctx.problems:
            self.problem(item, artifact, kind, message, member, level, extractor)

    def problem(
        self,
        item: _Item,
        artifact: Artifact | None,
        kind: ProblemKind,
        message: str,
        member: str | None = None,
        level: ProblemLevel | None = None,
        extractor: str | None = None,
    ) -> None:
        if level is None:
            level = ProblemLevel.WARNING if kind in _WARNING_KINDS else ProblemLevel.ERROR
        if kind in LIMIT_KINDS:
            level = ProblemLevel.ERROR
        self.result.problems.append(
            Problem(
                kind=kind,
                level=level,
                message=message,
                location=" › ".join(item.chain),
                artifact=artifact.id if artifact else None,
                member=member,
                extractor=extractor,
            )
        )


_WARNING_KINDS = frozenset(
    {
        ProblemKind.PATH_ESCAPE,
        ProblemKind.LINK_ESCAPE,
        ProblemKind.LINK_IN_PATH,
        ProblemKind.SPECIAL_FILE,
        ProblemKind.SETUID_DROPPED,
        ProblemKind.DUPLICATE_MEMBER,
        ProblemKind.INVALID_NAME,
        ProblemKind.NAME_CONFLICT,
    }
)


def _mode_flags(mode: int) -> tuple[str, ...]:
    flags = []
    if mode & stat.S_ISUID:
        flags.append("setuid")
    if mode & stat.S_ISGID:
        flags.append("setgid")
    if mode & stat.S_IWOTH:
        flags.append("world-writable")
    return tuple(flags)


def _walk(root: Path) -> list[tuple[str, Path]]:
    """Every non-directory entry under `root`, as (relative path, disk path), sorted; never
    follows symlinks."""
    found: list[tuple[str, Path]] = []
    stack: list[tuple[str, Path]] = [("", root)]
    while stack:
        prefix, folder = stack.pop()
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            continue
        for entry in entries:
            rel = f"{prefix}{entry.name}"
            if entry.is_dir(follow_symlinks=False):
                stack.append((rel + "/", Path(entry.path)))
            else:
                found.append((rel, Path(entry.path)))
    found.sort()
    return found


def _tree_digest(root: Path) -> str:
    """A digest of a directory's sorted relative paths and file contents."""
    listing = hashlib.sha256()
    for rel, disk in _walk(root):
        listing.update(rel.encode("utf-8", "surrogateescape") + b"\0")
        if disk.is_file() and not disk.is_symlink():
            listing.update(digest_file(disk, 0).sha256.encode())
        listing.update(b"\n")
    return listing.hexdigest()


def _tree_bytes(root: Path) -> int:
    total = 0
    for _, disk in _walk(root):
        try:
            info = os.lstat(disk)
        except OSError:
            continue
        if stat.S_ISREG(info.st_mode):
            total += info.st_size
    return total
