"""Vulnerability database and matching speed on the shipped snapshot.

1. Builds the whole shipped snapshot into a fresh SQLite file (`build_snapshot`): seconds, size,
   record counts.
2. Matches 1,000 components (`components.mix()`: ~60 products in several real versions, kernels,
   Debian packages) through the real `VulnDatabase`, cold (a new connection and Matcher: no
   record parsed yet, SQLite's page cache empty; the OS file cache is not dropped) and warm (the
   same Matcher again): wall seconds, components/s, (component, candidate CVE) pairs/s, matches.
3. Profiles a cold run with cProfile: the top functions by cumulative and by own time.

    bench/matching/run.sh [--skip-build] [--components N] [--top N] [--no-record-cache]

`--no-record-cache` sets `assay.vuln.db.RECORD_CACHE_SIZE` to 0: every look-up decodes its
records again, as the database did before it kept them (the "before" of README.md).

Everything it writes goes to bench/work/matching/ (git-ignored): the database, results.json and
the profile (matching.prof).
"""

import argparse
import cProfile
import io
import json
import pstats
import resource
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from components import mix

from assay.model.component import Component
from assay.vuln import db
from assay.vuln.aliases import product_names
from assay.vuln.db import VulnDatabase
from assay.vuln.match_result import ComponentMatches
from assay.vuln.matcher import Matcher
from assay.vuln.snapshot import build_snapshot

WORK = Path(__file__).resolve().parents[1] / "work" / "matching"


def build(target: Path) -> dict[str, Any]:
    """Build the shipped snapshot into `target` from scratch; its time, size and counts."""
    for stale in [target, *target.parent.glob(f".{target.name}.*.tmp")]:
        stale.unlink(missing_ok=True)
    seconds = build_snapshot(target)
    with VulnDatabase.open(target, readonly=True) as database:
        status = database.status()
    return {
        "seconds": round(seconds, 2),
        "bytes": target.stat().st_size,
        "cves": status.cves,
        "osv": status.osv,
        "kev": status.kev,
        "epss": status.epss,
        "sources": {f"{s.name} {s.file}": s.count for s in status.sources},
    }


def candidate_pairs(database: VulnDatabase, components: list[Component]) -> int:
    """The (component, CVE) pairs the matcher weighs: every record filed under one of the
    product's vendor:product names or its product key, per component."""
    per_product: dict[str, int] = {}
    for product in {c.product for c in components}:
        ids = {r["id"] for r in database.cves_for_product(product)}
        for name in product_names(product).cpe:
            vendor, _, name_product = name.partition(":")
            ids |= {r["id"] for r in database.cves_for_cpe(vendor, name_product)}
        per_product[product] = len(ids)
    return sum(per_product[c.product] for c in components)


def match_all(matcher: Matcher, components: list[Component]) -> list[ComponentMatches]:
    return [matcher.assess(c) for c in components]


def kind(item: Component) -> str:
    """kernel, deb (a Debian package) or upstream."""
    return "kernel" if item.product == "linux_kernel" else item.ecosystem or "upstream"


def timed(matcher: Matcher, components: list[Component], pairs: int) -> dict[str, Any]:
    """One pass over the components: times, rates, CPU seconds per kind, what was found."""
    results: list[ComponentMatches] = []
    per_kind: dict[str, float] = {}
    wall, cpu = time.perf_counter(), time.process_time()
    for item in components:
        started = time.process_time()
        results.append(matcher.assess(item))
        per_kind[kind(item)] = per_kind.get(kind(item), 0.0) + time.process_time() - started
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    methods = Counter(m.method.value for r in results for m in r.matches)
    return {
        "wall_seconds": round(wall, 2),
        "cpu_seconds": round(cpu, 2),
        "cpu_seconds_by_kind": {k: round(v, 2) for k, v in sorted(per_kind.items())},
        "components_per_second": round(len(components) / wall, 1),
        "pairs_per_second": round(pairs / wall),
        "matches": sum(methods.values()),
        "undecided": sum(len(r.undecided) for r in results),
        "matches_by_method": dict(sorted(methods.items())),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
    }


def profile(target: Path, components: list[Component], top: int) -> dict[str, list[str]]:
    """A cold run under cProfile: the top functions by cumulative and by own time."""
    profiler = cProfile.Profile()
    with VulnDatabase.open(target, readonly=True) as database:
        profiler.runcall(match_all, Matcher(database), components)
    profiler.dump_stats(WORK / "matching.prof")
    tables = {}
    for order in ("cumulative", "tottime"):
        text = io.StringIO()
        pstats.Stats(profiler, stream=text).strip_dirs().sort_stats(order).print_stats(top)
        lines = text.getvalue().splitlines()
        start = next(i for i, line in enumerate(lines) if line.lstrip().startswith("ncalls"))
        tables[order] = [line for line in lines[start:] if line.strip()]
    return tables


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-build", action="store_true", help="reuse the built database")
    parser.add_argument("--components", type=int, default=1000)
    parser.add_argument("--top", type=int, default=10, help="profile rows to print")
    parser.add_argument("--no-record-cache", action="store_true", help="decode every look-up")
    args = parser.parse_args()
    if args.no_record_cache:
        db.RECORD_CACHE_SIZE = 0
    WORK.mkdir(parents=True, exist_ok=True)
    target = WORK / "vulndb.sqlite"
    results: dict[str, Any] = {}
    if not args.skip_build or not target.exists():
        results["build"] = build(target)
        print("build:", json.dumps(results["build"], indent=2))
    components = mix(args.components)
    with VulnDatabase.open(target, readonly=True) as database:
        pairs = candidate_pairs(database, components)
    kinds = Counter(kind(c) for c in components)
    results["components"] = {"total": len(components), "pairs": pairs, **kinds}
    print("components:", json.dumps(results["components"]))
    with VulnDatabase.open(target, readonly=True) as database:
        matcher = Matcher(database)
        for label in ("cold", "warm"):
            results[label] = timed(matcher, components, pairs)
            print(f"{label}:", json.dumps(results[label]))
    results["profile"] = profile(target, components, args.top)
    for order, rows in results["profile"].items():
        print(f"\nprofile of a cold run, top {args.top} by {order}:")
        print("\n".join(rows))
    name = "results-no-record-cache.json" if args.no_record_cache else "results.json"
    (WORK / name).write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
