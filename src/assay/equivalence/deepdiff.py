"""A deep, human-readable diff of differing file pairs by diffoscope (GPL: run as a separate
program, nothing of it copied), one text file per pair, each run under a time limit."""

import logging
import os
import re
import shutil
import signal
import subprocess
from dataclasses import dataclass
from pathlib import Path

from assay.equivalence.release import UnpackedPair
from assay.equivalence.verdict import Verdict

log = logging.getLogger(__name__)
DEFAULT_TIMEOUT = 300.0
UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True, slots=True)
class DeepDiffs:
    """What a diffoscope hand-off produced: the reports written and the warnings raised."""

    reports: tuple[Path, ...] = ()
    warnings: tuple[str, ...] = ()


def diffoscope_pairs(
    pairs: tuple[UnpackedPair, ...],
    output: Path,
    limit: int = 1,
    timeout: float = DEFAULT_TIMEOUT,
    executable: str | None = None,
) -> DeepDiffs:
    """Run diffoscope on up to `limit` differing pairs (plain files before containers), writing
    `NNN-<vendor path>.txt` into the `output` directory."""
    program = executable or shutil.which("diffoscope")
    if program is None:
        return DeepDiffs(warnings=("diffoscope is not installed; no deep diff",))
    chosen = differing(pairs)[:limit]
    if not chosen:
        return DeepDiffs(warnings=("no differing pair with both files on disk for diffoscope",))
    output.mkdir(parents=True, exist_ok=True)
    reports: list[Path] = []
    warnings: list[str] = []
    for number, unpacked in enumerate(chosen, start=1):
        report = output / report_name(number, unpacked)
        problem = _run(program, unpacked, report, timeout)
        if problem is None:
            reports.append(report)
        else:
            warnings.append(problem)
    return DeepDiffs(tuple(reports), tuple(warnings))


def differing(pairs: tuple[UnpackedPair, ...]) -> list[UnpackedPair]:
    """The differing pairs with both files on disk, leaves first, in release order."""
    present = [
        p for p in pairs if p.pair.verdict is Verdict.DIFFERENT and p.vendor_disk and p.rebuilt_disk
    ]
    return sorted(present, key=lambda p: p.container)


def report_name(number: int, unpacked: UnpackedPair) -> str:
    """A file name for one pair's report: its number and its vendor path made safe."""
    shown = unpacked.pair.vendor or unpacked.pair.rebuilt or "file"
    stem = UNSAFE.sub("_", shown).strip("_.")[:120] or "file"
    return f"{number:03d}-{stem}.txt"


def _run(program: str, unpacked: UnpackedPair, report: Path, timeout: float) -> str | None:
    """One diffoscope run in its own session, killed with its helpers when over time."""
    assert unpacked.vendor_disk is not None and unpacked.rebuilt_disk is not None
    command = [
        program,
        "--text",
        str(report),
        str(unpacked.vendor_disk),
        str(unpacked.rebuilt_disk),
    ]
    log.info("diffoscope %s", unpacked.pair.vendor)
    process = subprocess.Popen(
        command,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        _, errors = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        return f"diffoscope timed out after {timeout:g} s on {unpacked.pair.vendor}"
    if process.returncode not in (0, 1):  # 0 no difference, 1 differences, 2 its own error
        last = errors.decode(errors="replace").strip().splitlines()[-1:] or ["no message"]
        return f"diffoscope failed ({process.returncode}) on {unpacked.pair.vendor}: {last[0]}"
    return None
