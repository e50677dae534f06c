"""HardeningCheck: NX, PIE, RELRO, canary, FORTIFY, RPATH/RUNPATH, stripped and setuid for every
ELF program and library of the release, the hardening matrix, and findings."""

import stat
from collections import Counter
from typing import ClassVar

from assay.checks.base import CheckContext, CheckResult, ReleaseCheck
from assay.checks.hardening.elfinfo import ElfReadError, read_elf
from assay.checks.hardening.findings import hardening_findings
from assay.checks.hardening.matrix import hardening_matrix
from assay.checks.hardening.properties import assess, skip_reason
from assay.checks.hardening.stack import kernel_release
from assay.inventory.index import FileIndex
from assay.model.artifact import Artifact, FileKind
from assay.model.hardening import ElfHardening, HardeningFacts, HardeningRow
from assay.model.problem import ProblemKind

ANY_EXECUTE = stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH


class HardeningCheck(ReleaseCheck):
    """Reads each distinct ELF file once: headers, dynamic array and symbol names only."""

    name: ClassVar[str] = "hardening"
    description: ClassVar[str] = (
        "ELF hardening of every program and library: NX, PIE, RELRO, stack canary, "
        "FORTIFY_SOURCE, RPATH/RUNPATH, stripped, setuid/setgid"
    )

    def run(self, index: FileIndex, ctx: CheckContext) -> CheckResult:
        """Assess every ELF file; unreadable ones become problems."""
        kernel = kernel_release(ctx.components)
        assessed: dict[str, ElfHardening] = {}
        skipped: Counter[str] = Counter()
        unreadable = 0
        for artifact in index.unique_files(FileKind.ELF):
            outcome = _assess_file(index, artifact, kernel, ctx)
            if isinstance(outcome, ElfHardening):
                assessed[artifact.id] = outcome
            elif outcome is None:
                unreadable += 1
            else:
                skipped[outcome] += 1
        rows = sorted(
            (row for a in index.artifacts if (row := _row(a, assessed)) is not None),
            key=lambda r: (r.path, r.location),
        )
        facts = HardeningFacts(
            rows=tuple(rows),
            matrix=hardening_matrix(rows),
            skipped=tuple(sorted(skipped.items())),
            unreadable=unreadable,
            kernel=kernel,
        )
        return CheckResult(findings=hardening_findings(rows), facts=facts)


def _assess_file(
    index: FileIndex, artifact: Artifact, kernel: str | None, ctx: CheckContext
) -> ElfHardening | str | None:
    """The file's mitigations, the reason it is not assessed, or None when it is unreadable."""
    try:
        with index.mapped(artifact) as data:
            info = read_elf(data)
    except ElfReadError as err:
        ctx.problem(ProblemKind.CORRUPT, f"ELF not assessed: {err}", artifact.location)
        return None
    except OSError as err:
        ctx.problem(ProblemKind.UNREADABLE, f"ELF not read: {err}", artifact.location)
        return None
    for note in info.notes:
        ctx.problem(ProblemKind.CORRUPT, f"ELF assessed without it: {note}", artifact.location)
    reason = skip_reason(info)
    return reason if reason is not None else assess(info, kernel)


def _row(artifact: Artifact, assessed: dict[str, ElfHardening]) -> HardeningRow | None:
    """The row of an ELF path: its own mitigations or those of the file it is a copy of."""
    if artifact.kind is not FileKind.ELF or not artifact.sha256:
        return None
    origin = artifact.duplicate_of
    elf = assessed.get(origin if origin is not None else artifact.id)
    if elf is None:
        return None
    executable = bool(artifact.mode & ANY_EXECUTE)
    return HardeningRow(
        artifact=artifact.id,
        path=artifact.path,
        location=artifact.location,
        sha256=artifact.sha256,
        setuid=executable and bool(artifact.mode & stat.S_ISUID),
        setgid=bool(artifact.mode & stat.S_IXGRP) and bool(artifact.mode & stat.S_ISGID),
        elf=elf,
        copy_of=origin,
    )
