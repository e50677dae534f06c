"""The unsafe-function census check: every executable and shared object of the release is
disassembled, its calls to the listed C functions counted per family; a binary using unsafe
members of a family gets a `code.unsafe-function.<family>` finding, and the release gets the
census table (the oversight board's numbers) as facts."""

import logging
import os
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import get_context
from pathlib import Path

import capstone as cs

from assay.checks.base import CheckContext, CheckResult, ReleaseCheck
from assay.checks.census.binary import BinaryScan, scan_binary
from assay.checks.census.elfimage import ELF_ERRORS
from assay.checks.census.findings import census_findings
from assay.checks.census.rows import binary_row, release_census
from assay.checks.census.table import FunctionTable, default_table
from assay.inventory.index import FileIndex
from assay.model.artifact import Artifact, FileKind
from assay.model.census import BinaryCensus, CensusThroughput
from assay.model.finding import Finding
from assay.model.problem import ProblemKind

log = logging.getLogger(__name__)

SCANNED_TYPES = frozenset({"executable", "shared-object"})
SCAN_ERRORS = (*ELF_ERRORS, cs.CsError, RecursionError, MemoryError)
PARALLEL_BYTES = 32 * 1024 * 1024
MAX_WORKERS = 8


class UnsafeFunctionCensusCheck(ReleaseCheck):
    """Census of direct calls to unsafe and safe C library functions, per function family."""

    name = "census"
    description = "calls to unsafe and safe C library functions per family, per binary and release"

    def __init__(self, table: FunctionTable | None = None, workers: int | None = None) -> None:
        self.table = table or default_table()
        self.workers = workers if workers is not None else min(os.cpu_count() or 1, MAX_WORKERS)

    def run(self, index: FileIndex, ctx: CheckContext) -> CheckResult:
        started = time.perf_counter()
        artifacts = sorted(
            (
                a
                for a in index.unique_files(FileKind.ELF)
                if a.elf is not None and a.elf.elf_type in SCANNED_TYPES
            ),
            key=lambda a: (a.path, a.location),
        )
        scans = self._scan(index, artifacts, ctx)
        rows = [binary_row(a, scans[a.id], self.table) for a in artifacts if a.id in scans]
        throughput = CensusThroughput(
            files=len(rows),
            code_bytes=sum(row.code_bytes for row in rows),
            seconds=round(time.perf_counter() - started, 3),
        )
        log.info(
            "unsafe-function census: %d files, %.1f MB of code, %.1f files/s, %.2f MB/s",
            throughput.files,
            throughput.code_bytes / 1e6,
            throughput.files_per_second,
            throughput.megabytes_per_second,
        )
        facts = release_census(rows, self.table, throughput)
        return CheckResult(findings=tuple(self._findings(facts.binaries)), facts=facts)

    def _findings(self, rows: tuple[BinaryCensus, ...]) -> list[Finding]:
        """Findings keyed by in-release path; a path seen in several containers gets `#n`."""
        seen: Counter[str] = Counter()
        findings: list[Finding] = []
        for row in rows:
            seen[row.path] += 1
            key = row.path if seen[row.path] == 1 else f"{row.path}#{seen[row.path]}"
            findings.extend(census_findings(row, key, self.table))
        return findings

    def _scan(
        self, index: FileIndex, artifacts: list[Artifact], ctx: CheckContext
    ) -> dict[str, BinaryScan]:
        paths = {a.id: index.path_of(a) for a in artifacts}
        total = sum(a.size for a in artifacts)
        outcomes: dict[str, BinaryScan | str] | None = None
        if self.workers > 1 and total >= PARALLEL_BYTES and len(artifacts) > 1:
            try:
                outcomes = self._scan_parallel(artifacts, paths)
            except (BrokenProcessPool, OSError) as err:
                log.warning("unsafe-function census: worker processes failed (%s); serial", err)
        if outcomes is None:
            outcomes = {a.id: scan_path(paths[a.id], self.table) for a in artifacts}
        scans: dict[str, BinaryScan] = {}
        for artifact in artifacts:
            outcome = outcomes[artifact.id]
            if isinstance(outcome, BinaryScan):
                scans[artifact.id] = outcome
            else:
                kind = ProblemKind.UNREADABLE if paths[artifact.id] is None else ProblemKind.CORRUPT
                ctx.problem(kind, f"unsafe-function census: {outcome}", artifact.location)
        return scans

    def _scan_parallel(
        self, artifacts: list[Artifact], paths: dict[str, Path | None]
    ) -> dict[str, BinaryScan | str]:
        largest_first = sorted(artifacts, key=lambda a: -a.size)
        with ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=get_context("forkserver"),
            initializer=_use_table,
            initargs=(self.table,),
        ) as pool:
            results = pool.map(_scan_in_worker, [paths[a.id] for a in largest_first])
            return {a.id: result for a, result in zip(largest_first, results, strict=True)}


def scan_path(path: Path | None, table: FunctionTable) -> BinaryScan | str:
    """Census one file on disk; a message instead when it cannot be read or parsed."""
    if path is None:
        return "the file's bytes are not available"
    try:
        with open(path, "rb") as handle:
            data = handle.read()
        return scan_binary(data, table)
    except SCAN_ERRORS as err:
        return f"not a readable ELF file ({type(err).__name__}: {err})"


_worker_table: FunctionTable | None = None


def _use_table(table: FunctionTable) -> None:
    global _worker_table
    _worker_table = table


def _scan_in_worker(path: Path | None) -> BinaryScan | str:
    return scan_path(path, _worker_table or default_table())
