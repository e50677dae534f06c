"""Unpacking one container: run its extractor, or carve it, and list what came out."""

import logging
import mmap
import os
import shutil
from dataclasses import replace
from pathlib import Path

from assay.extract.base import ExtractContext, ExtractionError, Extractor
from assay.extract.carver import Carver, Region
from assay.extract.limits import Budget, Deadline, LimitExceeded, Limits, RatioGuard
from assay.extract.safefs import SafeFS
from assay.extract.tools import ToolMissing
from assay.extract.work import Item, Outcome, walk
from assay.model.artifact import Artifact, FileKind
from assay.model.problem import LIMIT_KINDS, Problem, ProblemKind, ProblemLevel

log = logging.getLogger(__name__)
WARNING_KINDS = frozenset(
    {
        ProblemKind.PATH_ESCAPE,
        ProblemKind.LINK_ESCAPE,
        ProblemKind.LINK_IN_PATH,
        ProblemKind.SPECIAL_FILE,
        ProblemKind.DUPLICATE_MEMBER,
        ProblemKind.INVALID_NAME,
        ProblemKind.NAME_CONFLICT,
    }
)


def make_problem(
    item: Item,
    artifact: Artifact | None,
    kind: ProblemKind,
    message: str,
    member: str | None = None,
    level: ProblemLevel | None = None,
    extractor: str | None = None,
) -> Problem:
    """A Problem located at `item`; its level follows from its kind unless given."""
    if level is None or kind in LIMIT_KINDS:
        level = ProblemLevel.WARNING if kind in WARNING_KINDS else ProblemLevel.ERROR
    return Problem(
        kind=kind,
        level=level,
        message=message,
        location=item.location,
        artifact=artifact.id if artifact else None,
        member=member,
        extractor=extractor,
    )


class ContainerJob:
    """Unpacks one container into `out`; safe to run in a worker thread."""

    def __init__(
        self,
        item: Item,
        artifact: Artifact,
        out: Path,
        scratch: Path,
        limits: Limits,
        budget: Budget,
    ) -> None:
        self.item = item
        self.artifact = artifact
        self.out = out
        self.limits = limits
        self.budget = budget
        self.outcome = Outcome(artifact)
        self.ctx = ExtractContext(
            limits=limits,
            budget=budget,
            deadline=Deadline(limits.extractor_seconds),
            scratch=scratch,
            source_name=item.disk.name,
        )
        self.fs = SafeFS(
            out, budget, RatioGuard(limits, artifact.size), self.ctx.deadline, self._report
        )

    def _report(
        self, kind: ProblemKind, level: ProblemLevel, message: str, member: str | None
    ) -> None:
        self.ctx.problem(kind, message, member, level)

    def problem(self, kind: ProblemKind, message: str, extractor: str) -> None:
        """Record a problem of this container."""
        self.outcome.problems.append(
            make_problem(self.item, self.artifact, kind, message, extractor=extractor)
        )

    def limit_hit(self, err: LimitExceeded, extractor: str) -> None:
        """Record a limit; a whole-scan limit also stops later containers from being unpacked."""
        self.problem(err.kind, err.message, extractor)
        if err.whole_scan:
            self.outcome.exhausted = err.kind

    # -- extraction ----------------------------------------------------------------------------

    def extract(self, extractor: Extractor) -> Outcome:
        """Run `extractor` and list its output; never raises for bad input."""
        name = extractor.name
        try:
            extractor.extract(self.item.disk, self.fs, self.ctx)
        except LimitExceeded as err:
            self.limit_hit(err, name)
        except ExtractionError as err:
            self.problem(ProblemKind.CORRUPT, str(err), name)
        except ToolMissing as err:
            self.problem(ProblemKind.TOOL_MISSING, str(err), name)
        except OSError as err:
            self.problem(ProblemKind.TOOL_FAILED, f"{type(err).__name__}: {err}", name)
        except Exception as err:  # an extractor bug must never end the scan
            log.exception("extractor %s failed on %s", name, self.item.location)
            self.problem(ProblemKind.TOOL_FAILED, f"{type(err).__name__}: {err}", name)
        self._finish(name)
        self.outcome.artifact = replace(
            self.outcome.artifact, metadata=tuple(sorted(self.ctx.metadata.items()))
        )
        self._list_output(name)
        return self.outcome

    def _finish(self, name: str) -> None:
        shutil.rmtree(self.ctx.scratch, ignore_errors=True)
        for kind, level, message, member in self.ctx.problems:
            self.outcome.problems.append(
                make_problem(self.item, self.artifact, kind, message, member, level, name)
            )

    def _list_output(self, extractor: str) -> None:
        if not self.fs.root.is_dir():
            return
        for rel, disk in walk(self.fs.root):
            self.outcome.children.append(
                Item(
                    disk=disk,
                    chain=(*self.item.chain, "/" + rel),
                    path="/" + rel,
                    depth=self.item.depth + 1,
                    parent=self.artifact.id,
                    extractor=extractor,
                    mode=self.fs.modes.get(rel),
                    link_target=self.fs.link_targets.get(rel),
                )
            )

    # -- carving -------------------------------------------------------------------------------

    def carve(self, carver: Carver) -> Outcome:
        """Split a raw image into blobs; a single blob spanning the file is extracted directly."""
        with (
            open(self.item.disk, "rb") as handle,
            mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data,
        ):
            regions = carver.carve(data)
            if not regions:
                return self.outcome
            whole = regions[0]
            if len(regions) == 1 and whole.extractor is not None and whole.length == len(data):
                self.outcome.artifact = _as_container(self.artifact, whole.extractor.name)
                return self.extract(whole.extractor)
            try:
                for region in regions:
                    self._write_region(data, region)
            except LimitExceeded as err:
                self.limit_hit(err, "carver")
        self._finish("carver")
        blobs = ", ".join(f"{r.extractor.name}@0x{r.start:x}" for r in regions if r.extractor)
        self.outcome.artifact = replace(
            _as_container(self.artifact, "carved"), metadata=(("carved", blobs),)
        )
        return self.outcome

    def _write_region(self, data: mmap.mmap, region: Region) -> None:
        name = region.extractor.name if region.extractor else "unknown"
        disk = self.fs.write(
            f"0x{region.start:x}.{name}", memoryview(data)[region.start : region.end]
        )
        if disk is None:
            return
        self.outcome.children.append(
            Item(
                disk=disk,
                chain=(*self.item.chain, f"{name}@0x{region.start:x}"),
                path=f"@0x{region.start:x}",
                depth=self.item.depth + 1,
                parent=self.artifact.id,
                extractor="carver",
                forced=region.extractor,
                may_carve=False,
            )
        )


def _as_container(artifact: Artifact, fmt: str) -> Artifact:
    opaque = (FileKind.DATA, FileKind.TEXT)
    kind = FileKind.ARCHIVE if artifact.kind in opaque else artifact.kind
    return replace(artifact, format=fmt, kind=kind)


def output_dir(item: Item, workspace: Path, source_is_dir: bool) -> Path:
    """Where a container's content goes: a `<name>.extracted` folder beside it."""
    try:
        item.disk.relative_to(workspace)
        base = item.disk.parent / (item.disk.name + ".extracted")
    except ValueError:
        rel = item.path.lstrip("/") if source_is_dir else item.disk.name
        base = workspace / (rel + ".extracted")
        base.parent.mkdir(parents=True, exist_ok=True)
    candidate, counter = base, 0
    while os.path.lexists(candidate):
        counter += 1
        candidate = base.with_name(f"{base.name}-{counter}")
    return candidate
