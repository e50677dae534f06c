"""Run `assay hardening --json` and `checksec --format=json --dir` on the same directory, print
the time of each, the ratio, and per-property agreement with examples of each disagreement.

Usage: compare.py [--assay PATH] [--checksec PATH] [--examples N] [--json OUT] CORPUS_DIR
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

Row = dict[str, Any]


def run_assay(assay: str, corpus: Path) -> tuple[float, dict[str, Row]]:
    start = time.perf_counter()
    done = subprocess.run(
        [assay, "hardening", str(corpus), "--json"], capture_output=True, text=True, check=False
    )
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 3):
        sys.exit(f"assay failed ({done.returncode}): {done.stderr[-2000:]}")
    rows = json.loads(done.stdout)
    return elapsed, {row["path"].lstrip("/"): row for row in rows}


def run_checksec(checksec: str, corpus: Path) -> tuple[float, dict[str, Row]]:
    start = time.perf_counter()
    done = subprocess.run(
        [checksec, "--format=json", f"--dir={corpus}"],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "COLUMNS": "200"},
    )
    elapsed = time.perf_counter() - start
    document = json.loads(done.stdout)
    prefix = str(corpus).rstrip("/") + "/"
    rows = {}
    for key, value in document.items():
        if key == "dir" or not isinstance(value, dict):
            continue
        name = value.get("filename", key)
        rows[name.removeprefix(prefix)] = value
    return elapsed, rows


def assay_as_checksec(row: Row) -> dict[str, str]:
    """An assay row in checksec's vocabulary (`?` where assay says it cannot tell)."""

    def yes_no(value: bool | None) -> str:
        return "?" if value is None else ("yes" if value else "no")

    pie = row["pie"]
    fortified, fortifiable = row["fortified"], row["fortifiable"]
    return {
        "relro": {"none": "no"}.get(row["relro"], row["relro"]),
        "canary": yes_no(row["canary"]),
        "nx": yes_no(row["nx"]),
        "pie": pie if isinstance(pie, str) else yes_no(pie),
        "rpath": yes_no(bool(row["rpath"])),
        "runpath": yes_no(bool(row["runpath"])),
        "symbols": yes_no(not row["stripped"]),
        "fortify_source": yes_no(row["fortify"]),
        "fortified": "?" if fortified is None else str(fortified),
        "fortify-able": "?" if fortified is None else str(fortified + fortifiable),
    }


PROPERTIES = (
    "relro",
    "canary",
    "nx",
    "pie",
    "rpath",
    "runpath",
    "symbols",
    "fortify_source",
    "fortified",
    "fortify-able",
)


def compare(
    ours: dict[str, Row], theirs: dict[str, Row], examples: int
) -> tuple[dict[str, Counter[str]], dict[str, Counter[str]], dict[str, list[str]]]:
    """Per property: agreement counts by value pattern, disagreements by corpus folder (the
    architecture), and a few example files."""
    agreement: dict[str, Counter[str]] = {p: Counter() for p in PROPERTIES}
    by_arch: dict[str, Counter[str]] = {p: Counter() for p in PROPERTIES}
    samples: dict[str, list[str]] = defaultdict(list)
    for path in sorted(set(ours) & set(theirs)):
        mine = assay_as_checksec(ours[path])
        for prop in PROPERTIES:
            a, c = mine[prop], str(theirs[path].get(prop, "")).strip()
            if a == c:
                agreement[prop]["agree"] += 1
                continue
            pattern = f"assay={a} checksec={c}"
            agreement[prop][pattern] += 1
            by_arch[prop][path.split("/", 1)[0]] += 1
            if len(samples[prop]) < examples:
                samples[prop].append(f"{pattern}  {path}")
    return agreement, by_arch, samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--assay", default="assay")
    parser.add_argument("--checksec", default="checksec")
    parser.add_argument("--examples", type=int, default=3)
    parser.add_argument("--json", type=Path, help="write the raw results here")
    args = parser.parse_args()
    mine_time, ours = run_assay(args.assay, args.corpus)
    theirs_time, theirs = run_checksec(args.checksec, args.corpus)
    common = set(ours) & set(theirs)
    print(f"corpus: {args.corpus}")
    print(f"assay hardening: {len(ours)} ELF files in {mine_time:.2f} s")
    print(f"checksec --dir:  {len(theirs)} ELF files in {theirs_time:.2f} s")
    print(f"ratio checksec/assay: {theirs_time / mine_time:.1f}x")
    only_theirs, only_ours = len(set(theirs) - common), len(set(ours) - common)
    print(f"compared: {len(common)} in both; only checksec: {only_theirs}; only assay: {only_ours}")
    for path in sorted(set(theirs) - common)[: args.examples * 3]:
        print(f"  only checksec: {path} (pie={theirs[path].get('pie')})")
    agreement, by_arch, samples = compare(ours, theirs, args.examples)
    print(f"\n{'property':<16}{'agree':>8}{'of':>6}   disagreements")
    for prop in PROPERTIES:
        counts = agreement[prop]
        total = sum(counts.values())
        patterns = [(k, v) for k, v in counts.most_common() if k != "agree"]
        shown = ", ".join(f"{k}: {v}" for k, v in patterns[:4])
        more = f" (+{len(patterns) - 4} other value pairs)" if len(patterns) > 4 else ""
        print(f"{prop:<16}{counts['agree']:>8}{total:>6}   {shown}{more}")
        if by_arch[prop]:
            folders = ", ".join(f"{k} {v}" for k, v in sorted(by_arch[prop].items()))
            print(f"{'':<30}by folder: {folders}")
        for sample in samples.get(prop, []):
            print(f"{'':<30}e.g. {sample}")
    if args.json:
        machines = Counter(row["arch"] for row in ours.values())
        args.json.write_text(
            json.dumps(
                {
                    "assay_seconds": mine_time,
                    "checksec_seconds": theirs_time,
                    "files": len(common),
                    "arches": machines,
                    "agreement": {p: dict(c) for p, c in agreement.items()},
                    "disagreements_by_folder": {p: dict(c) for p, c in by_arch.items()},
                },
                indent=2,
            )
        )


if __name__ == "__main__":
    main()
