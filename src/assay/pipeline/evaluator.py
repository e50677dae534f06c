"""The Evaluator: runs the stages of an evaluation over one release and assembles the result."""

import hashlib
import os
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path

from assay import __version__
from assay.catalog.base import Cataloger
from assay.checks.base import CheckContext, ReleaseCheck
from assay.extract.base import Extractor
from assay.extract.limits import Limits
from assay.extract.unpacker import Unpacker, UnpackResult
from assay.inventory.index import FileIndex
from assay.model.component import Component
from assay.model.evaluation import Evaluation, Release, StageResult, StageStatus
from assay.model.ids import stable_id
from assay.model.problem import ProblemLevel
from assay.model.vulnerability import Vulnerability
from assay.pipeline.checks import ChecksOutcome, run_checks
from assay.pipeline.identify import identify
from assay.pipeline.progress import NullProgress, Progress
from assay.pipeline.vulnerabilities import VulnOutcome, match_vulnerabilities
from assay.plugins import catalogers as builtin_catalogers
from assay.plugins import checks as builtin_checks
from assay.plugins import extractors as builtin_extractors
from assay.vuln.db import VulnDatabase
from assay.vuln.snapshot import default_database


@dataclass(frozen=True, slots=True)
class ScanOptions:
    """How to run a scan: limits, where to unpack, which extractors, catalogers and checks."""

    limits: Limits = field(default_factory=Limits)
    workspace: Path | None = None
    extractors: tuple[Extractor, ...] = ()
    catalogers: tuple[Cataloger, ...] = ()
    identify: bool = True
    after_identify: Callable[[FileIndex, Sequence[Component]], None] | None = None
    checks: tuple[ReleaseCheck, ...] | None = None
    unredacted: bool = False
    today: date | None = None
    vulnerabilities: bool = True
    vuln_db: Path | None = None
    triage: (
        Callable[[tuple[Vulnerability, ...], tuple[Component, ...]], tuple[Vulnerability, ...]]
        | None
    ) = None
    vendor: str | None = None
    product: str | None = None
    version: str | None = None


@dataclass(slots=True)
class _Run:
    """What the stages produced, gathered for the Evaluation."""

    unpacked: UnpackResult
    components: list[Component] = field(default_factory=list)
    checks: ChecksOutcome = field(default_factory=ChecksOutcome)
    vulns: VulnOutcome = field(default_factory=VulnOutcome)


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def describe_input(path: Path) -> Release:
    """Identify the release input by content: the file's sha256, or a digest of a directory's
    sorted listing of relative paths and file hashes."""
    if path.is_dir():
        listing = hashlib.sha256()
        total = 0
        for root, dirs, files in os.walk(path):
            dirs.sort()
            for name in sorted(files):
                full = Path(root) / name
                if full.is_symlink() or not full.is_file():
                    continue
                rel = full.relative_to(path).as_posix()
                listing.update(rel.encode("utf-8", "surrogateescape") + b"\0")
                listing.update(_file_sha256(full).encode() + b"\n")
                total += full.stat().st_size
        digest, kind, size = listing.hexdigest(), "directory", total
    else:
        digest, kind, size = _file_sha256(path), "file", path.stat().st_size
    return Release(
        id=stable_id("release", digest),
        name=path.name,
        input_path=str(path),
        input_kind=kind,
        sha256=digest,
        size=size,
    )


def _file_sha256(path: Path) -> str:
    sha = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1024 * 1024):
            sha.update(chunk)
    return sha.hexdigest()


class Evaluator:
    """Turns one release input into an Evaluation."""

    def __init__(self, options: ScanOptions | None = None, progress: Progress | None = None):
        self.options = options or ScanOptions()
        self.progress = progress or NullProgress()

    def evaluate(self, source: Path) -> Evaluation:
        """Unpack and inventory `source`; later stages add to the same evaluation."""
        started = _now()
        release = replace(
            describe_input(source),
            vendor=self.options.vendor,
            product=self.options.product,
            version=self.options.version,
        )
        stages: list[StageResult] = []
        if self.options.workspace is not None:
            run = self._run(source, self.options.workspace, stages)
        else:
            with tempfile.TemporaryDirectory(prefix="assay-") as scratch:
                run = self._run(source, Path(scratch), stages)
        return Evaluation(
            release=release,
            tool_version=__version__,
            started=started,
            finished=_now(),
            stages=tuple(stages),
            artifacts=tuple(run.unpacked.artifacts),
            problems=tuple(run.unpacked.problems),
            limits=self.options.limits.as_pairs(),
            components=tuple(run.components),
            findings=tuple(run.checks.findings),
            vulnerabilities=tuple(run.vulns.vulnerabilities),
            facts=tuple(sorted(run.checks.facts.items())),
            vulndata=run.vulns.info,
        )

    def _run(self, source: Path, workspace: Path, stages: list[StageResult]) -> _Run:
        run = _Run(self._unpack(source, workspace, stages))
        index = FileIndex(run.unpacked.artifacts, run.unpacked.disk)
        if not self.options.identify:
            if self.options.after_identify is not None:  # the unpacked files, while they exist
                self.options.after_identify(index, [])
            return run
        catalogers = self.options.catalogers or builtin_catalogers()
        run.components, problems, result = identify(index, catalogers, self.progress)
        run.unpacked.problems.extend(problems)
        stages.append(result)
        if self.options.after_identify is not None:  # reads files while the workspace exists
            self.options.after_identify(index, run.components)
        today = self.options.today or date.today()
        if self.options.vulnerabilities:
            self._match(run, today, stages)
        checks = builtin_checks() if self.options.checks is None else self.options.checks
        if checks:
            context = CheckContext(
                components=tuple(run.components),
                unredacted=self.options.unredacted,
                today=today,
            )
            run.checks = run_checks(index, checks, context, self.progress)
            run.unpacked.problems.extend(run.checks.problems)
            if run.checks.stage is not None:
                stages.append(run.checks.stage)
        return run

    def _match(self, run: _Run, today: date, stages: list[StageResult]) -> None:
        path = self.options.vuln_db
        with VulnDatabase.open(path, readonly=True) if path else default_database() as database:
            run.vulns = match_vulnerabilities(run.components, database, today, self.progress)
        if self.options.triage is not None:
            components = tuple(run.components)
            triaged = self.options.triage(tuple(run.vulns.vulnerabilities), components)
            run.vulns.vulnerabilities = list(triaged)
        run.unpacked.problems.extend(run.vulns.problems)
        if run.vulns.stage is not None:
            stages.append(run.vulns.stage)

    def _unpack(self, source: Path, workspace: Path, stages: list[StageResult]) -> UnpackResult:
        clock = time.monotonic()
        extractors = self.options.extractors or builtin_extractors()
        unpacker = Unpacker(extractors, self.options.limits, workspace, self.progress)
        result = unpacker.unpack(source)
        errors = sum(1 for p in result.problems if p.level is ProblemLevel.ERROR)
        status = StageStatus.PARTIAL if errors else StageStatus.OK
        message = f"{errors} part(s) could not be unpacked" if errors else ""
        stages.append(StageResult("unpack", status, round(time.monotonic() - clock, 3), message))
        return result
