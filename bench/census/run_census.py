"""Measure the unsafe-function census on real binaries: each folder given is unpacked as a
release and censused; prints files/s, MB/s of code, coverage and the release table.

    .venv/bin/python bench/census/run_census.py bench/work/identify/corpus/debian/* /usr/bin
    .venv/bin/python bench/census/run_census.py --workers 1 /usr/lib/x86_64-linux-gnu

The Debian corpus comes from bench/identify (build_corpus.py): real Debian 12 packages for
amd64, arm64, armhf and mipsel."""

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

from assay.checks.base import CheckContext
from assay.checks.census import UnsafeFunctionCensusCheck
from assay.extract.limits import Limits
from assay.extract.unpacker import Unpacker
from assay.inventory.index import FileIndex
from assay.model.census import ReleaseCensus
from assay.plugins import extractors
from assay.report.census_json import facts_to_json


def census(folder: Path, workers: int | None) -> tuple[ReleaseCensus, float, float, int]:
    """Unpack `folder` as a release, run the census; (facts, wall seconds, CPU seconds of this
    process and its workers, problems). CPU seconds tell the per-core rate on a busy machine."""
    with tempfile.TemporaryDirectory(prefix="census-") as scratch:
        unpacked = Unpacker(extractors(), Limits(), Path(scratch)).unpack(folder)
        index = FileIndex(unpacked.artifacts, unpacked.disk)
        ctx = CheckContext()
        started, cpu = time.perf_counter(), _cpu()
        result = UnsafeFunctionCensusCheck(workers=workers).run(index, ctx)
        wall, cpu = time.perf_counter() - started, _cpu() - cpu
        # pool workers are children of the forkserver, not of this process: CPU time is only
        # measured for a serial run
        return result.facts, wall, cpu if workers == 1 else 0.0, len(ctx.problems)


def _cpu() -> float:
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def report(
    folder: Path, facts: ReleaseCensus, seconds: float, cpu: float, problems: int
) -> dict[str, object]:
    """Print one release's numbers; return them as a JSON-ready dict."""
    t = facts.throughput
    print(f"\n== {folder}")
    per_cpu = f"{cpu:.1f} CPU s: {t.code_bytes / 1e6 / cpu:.2f} MB per CPU second; " if cpu else ""
    print(
        f"   {t.files} ELF files, {t.code_bytes / 1e6:.1f} MB of code in {seconds:.1f} s: "
        f"{t.files / seconds:.1f} files/s, {t.code_bytes / 1e6 / seconds:.2f} MB/s; "
        f"{per_cpu}{problems} problems"
    )
    print("   coverage: " + ", ".join(f"{c.value} {n}" for c, n in facts.coverage))
    header = ("family", "unsafe fns", "calls", "safe fns", "calls", "% unsafe")
    print("   {:14} {:>10} {:>8} {:>9} {:>8} {:>9}".format(*header))
    for f in facts.families:
        share = "-" if f.percent_unsafe is None else f"{f.percent_unsafe:.1f}"
        print(
            f"   {f.family:14} {len(f.unsafe_functions):>10} {f.unsafe_calls:>8} "
            f"{len(f.safe_functions):>9} {f.safe_calls:>8} {share:>9}"
        )
    document = facts_to_json(facts)
    return {
        "folder": str(folder),
        "seconds": seconds,
        "problems": problems,
        "families": document["families"],
        "coverage": document["coverage"],
        "throughput": document["throughput"],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="+", type=Path)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--json", type=Path, help="write the numbers here")
    args = parser.parse_args()
    results = []
    for folder in args.folders:
        facts, seconds, cpu, problems = census(folder, args.workers)
        results.append(report(folder, facts, seconds, cpu, problems))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
