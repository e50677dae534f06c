"""Time `assay network check` on a large inventory: the CLI's wall time per shipped profile and,
in process, the split between loading the inventory and checking it (best of N runs).

Usage: timing.py INVENTORY.csv [--runs N] [--profile-load]"""

import argparse
import cProfile
import io
import pstats
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date
from functools import partial
from pathlib import Path
from typing import TypeVar

from assay.network.check import check
from assay.network.inventory import load_inventory
from assay.network.profiles import shipped_profiles

AT = date(2026, 6, 1)
T = TypeVar("T")


def _best(runs: int, work: Callable[[], T]) -> tuple[float, T]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - start)
    return min(times), result


def _cli(inventory: Path, profile: str) -> tuple[float, int]:
    argv = [
        sys.executable, "-m", "assay", "network", "check", str(inventory), "--profile", profile,
        "--at", AT.isoformat(), "--json",
    ]  # fmt: skip
    start = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):
        sys.stderr.write(done.stderr.decode(errors="replace"))
        raise SystemExit(f"assay network check failed with exit code {done.returncode}")
    return elapsed, done.returncode


def _profile_load(inventory: Path) -> None:
    profiler = cProfile.Profile()
    profiler.enable()
    load_inventory(inventory)
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(18)
    print(out.getvalue())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("inventory", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--profile-load", action="store_true", help="cProfile the loader too")
    options = parser.parse_args()
    load_time, inventory = _best(options.runs, partial(load_inventory, options.inventory))
    print(f"inventory: {options.inventory} ({len(inventory.elements):,} elements)")
    print(f"load (in process, best of {options.runs}): {load_time:.2f} s\n")
    print(f"{'profile':<18} {'check':>8} {'CLI wall':>9} {'exit':>5} {'violations':>11}")
    for profile in shipped_profiles():
        check_time, result = _best(options.runs, partial(check, inventory, profile, AT))
        wall, code = _cli(options.inventory, profile.id)
        count = len(result.violations)
        print(f"{profile.id:<18} {check_time:>7.2f}s {wall:>8.2f}s {code:>5} {count:>11}")
    if options.profile_load:
        _profile_load(options.inventory)
    return 0


if __name__ == "__main__":
    sys.exit(main())
