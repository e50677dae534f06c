"""Runs assay, unblob and binwalk on one firmware image and scores each against the ground truth.

Each tool runs alone, one after another, under `/usr/bin/time -v`, in its own session. While it
runs, its whole process tree (the tool, its worker processes and the external extractors it
starts) is sampled every 0.25 s with psutil: the peak of the summed PSS (proportional set size,
which counts a page shared by forked workers once) and of the summed RSS are reported, beside
GNU time's "maximum resident set size", which is that of the largest single process only.

Accuracy: every regular file under a tool's output folder whose size equals that of some
ground-truth file is hashed; a ground-truth file counts as recovered when a file with its sha256
(recall) or with its basename and sha256 (name recall) is there. Empty files are not scored.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import re
import shutil
import signal
import stat
import subprocess
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import psutil  # type: ignore[import-untyped]

HERE = Path(__file__).resolve().parent
WORK = HERE / "work"
UNBLOB_VENV = WORK / "venv-unblob"
SAMPLE_SECONDS = 0.25
EXAMPLES = 8
SHIM = """#!/bin/sh
# Stands in for sasquatch: drops the options unsquashfs lacks, never fails (-no-exit-code).
for a in "$@"; do
  case "$a" in -le|-be|-no-exit-code) ;; *) set -- "$@" "$a" ;; esac
  shift
done
unsquashfs -no-progress "$@" >&2 || true
"""


@dataclass
class RunStats:
    """How one tool's run went and what it cost."""

    status: str = "ok"
    returncode: int | None = None
    wall_seconds: float = 0.0
    peak_tree_pss_mib: float = 0.0
    peak_tree_rss_mib: float = 0.0
    max_single_rss_mib: float | None = None
    peak_processes: int = 0
    all_wall_seconds: list[float] = field(default_factory=list)


@dataclass
class Truth:
    """The ground truth, indexed for scoring."""

    files: list[dict[str, Any]]
    sizes: set[int]
    shas: set[str]
    pairs: set[tuple[str, str]]
    by_container: dict[str, set[str]]


@dataclass
class Score:
    """What one tool's output holds, measured against the ground truth."""

    regular_files: int = 0
    regular_bytes: int = 0
    symlinks: int = 0
    found: set[str] = field(default_factory=set)
    found_pairs: set[tuple[str, str]] = field(default_factory=set)


@dataclass(frozen=True)
class Tool:
    """A peer tool: how to run it on an image into an output folder."""

    name: str
    argv: Callable[[Path, Path, argparse.Namespace], list[str]]
    path_prefix: tuple[Path, ...] = ()


def assay_argv(image: Path, out: Path, args: argparse.Namespace) -> list[str]:
    return [args.assay, "unpack", str(image), "-o", str(out)]


def unblob_argv(image: Path, out: Path, args: argparse.Namespace) -> list[str]:
    argv = [str(UNBLOB_VENV / "bin" / "unblob"), "-e", str(out)]
    argv += ["--log", str(out.parent / f"{out.name}.unblob.log")]
    if args.unblob_procs:
        argv += ["-p", str(args.unblob_procs)]
    return [*argv, str(image)]


def binwalk_argv(image: Path, out: Path, args: argparse.Namespace) -> list[str]:
    return ["binwalk", "-Me", "-C", str(out), "--run-as=root", str(image)]


TOOLS = {
    "assay": Tool("assay", assay_argv),
    "unblob": Tool("unblob", unblob_argv, (UNBLOB_VENV / "bin",)),
    "unblob+shim": Tool("unblob+shim", unblob_argv, (WORK / "shim", UNBLOB_VENV / "bin")),
    "binwalk": Tool("binwalk", binwalk_argv),
}


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


# --- running and measuring -------------------------------------------------------------------


def tree_memory(root: psutil.Process) -> tuple[int, int, int]:
    """Summed PSS and RSS (bytes) of `root` and all its descendants, and how many there are."""
    pss = rss = count = 0
    try:
        members = [root, *root.children(recursive=True)]
    except psutil.Error:
        return 0, 0, 0
    for member in members:
        try:
            info = member.memory_full_info()
        except psutil.Error:
            continue
        pss += info.pss
        rss += info.rss
        count += 1
    return pss, rss, count


def stop_group(process: subprocess.Popen[bytes]) -> None:
    """End the session this benchmark started for one tool: TERM, then KILL."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(10)
            return
        except subprocess.TimeoutExpired:
            continue


def measure(argv: list[str], env: dict[str, str], logfile: Path, timeout: float) -> RunStats:
    timefile = logfile.with_suffix(".time")
    stats = RunStats()
    with open(logfile, "wb") as output:
        start = time.monotonic()
        process = subprocess.Popen(
            ["/usr/bin/time", "-v", "-o", str(timefile), *argv],
            stdout=output,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
            start_new_session=True,
        )
        watched = psutil.Process(process.pid)
        while process.poll() is None:
            if time.monotonic() - start > timeout:
                stats.status = "timeout"
                stop_group(process)
                break
            pss, rss, count = tree_memory(watched)
            stats.peak_tree_pss_mib = max(stats.peak_tree_pss_mib, pss / 2**20)
            stats.peak_tree_rss_mib = max(stats.peak_tree_rss_mib, rss / 2**20)
            stats.peak_processes = max(stats.peak_processes, count)
            time.sleep(SAMPLE_SECONDS)
        stats.wall_seconds = round(time.monotonic() - start, 2)
    stats.returncode = process.wait()
    if stats.status == "ok" and stats.returncode != 0:
        stats.status = f"exit {stats.returncode}"
    stats.max_single_rss_mib = gnu_time_max_rss(timefile)
    stats.peak_tree_pss_mib = round(stats.peak_tree_pss_mib, 1)
    stats.peak_tree_rss_mib = round(stats.peak_tree_rss_mib, 1)
    return stats


def gnu_time_max_rss(timefile: Path) -> float | None:
    if not timefile.exists():
        return None
    found = re.search(r"Maximum resident set size \(kbytes\): (\d+)", timefile.read_text())
    return round(int(found.group(1)) / 1024, 1) if found else None


def tool_env(tool: Tool) -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([*(str(p) for p in tool.path_prefix), env.get("PATH", "")])
    return env


def install_shim() -> None:
    """`sasquatch` and `sasquatch-v4be` stand-ins that call Debian's unsquashfs."""
    folder = WORK / "shim"
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("sasquatch", "sasquatch-v4be"):
        target = folder / name
        target.write_text(SHIM)
        target.chmod(0o755)


def versions(args: argparse.Namespace) -> dict[str, str]:
    probes = {
        "assay": [args.assay, "--version"],
        "unblob": [str(UNBLOB_VENV / "bin" / "unblob"), "--version"],
        "binwalk": ["binwalk", "--help"],
        "unsquashfs": ["unsquashfs", "-version"],
    }
    found: dict[str, str] = {}
    for name, argv in probes.items():
        try:
            done = subprocess.run(argv, capture_output=True, text=True, timeout=60, check=False)
        except (OSError, subprocess.TimeoutExpired) as error:
            found[name] = f"unavailable: {error}"
            continue
        lines = [ln for ln in (done.stdout + done.stderr).splitlines() if ln.strip()]
        found[name] = lines[0].strip() if lines else "?"
    return found


# --- scoring ---------------------------------------------------------------------------------


def load_truth(path: Path) -> tuple[dict[str, Any], Truth]:
    document: dict[str, Any] = json.loads(path.read_text())
    files = [f for f in document["files"] if f["size"] > 0]
    by_container: dict[str, set[str]] = defaultdict(set)
    for entry in files:
        by_container[entry["container"]].add(entry["sha256"])
    truth = Truth(
        files=files,
        sizes={f["size"] for f in files},
        shas={f["sha256"] for f in files},
        pairs={(Path(f["path"]).name, f["sha256"]) for f in files},
        by_container=dict(by_container),
    )
    return document, truth


def walk_entries(root: Path) -> Iterator[tuple[Path, os.stat_result]]:
    for dirpath, _dirnames, filenames in os.walk(root, followlinks=False):
        for name in filenames:
            path = Path(dirpath, name)
            try:
                yield path, path.lstat()
            except OSError:
                continue


def score_output(root: Path, truth: Truth) -> Score:
    score = Score()
    for path, info in walk_entries(root):
        if stat.S_ISLNK(info.st_mode):
            score.symlinks += 1
        if not stat.S_ISREG(info.st_mode):
            continue
        score.regular_files += 1
        score.regular_bytes += info.st_size
        if info.st_size not in truth.sizes:
            continue
        digest = sha256_of(path)
        if digest in truth.shas:
            score.found.add(digest)
            score.found_pairs.add((path.name, digest))
    score.found_pairs &= truth.pairs
    return score


def sha256_of(path: Path) -> str | None:
    try:
        with open(path, "rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError:
        return None


def per_container(score: Score, truth: Truth) -> dict[str, str]:
    return {
        name: f"{len(shas & score.found)}/{len(shas)}"
        for name, shas in sorted(truth.by_container.items())
    }


def missed_by(name: str, scores: dict[str, Score], truth: Truth) -> dict[str, Any]:
    """Ground-truth files `name` missed that some other tool recovered."""
    others: set[str] = set()
    for other, score in scores.items():
        if other != name:
            others |= score.found
    missing = others - scores[name].found
    entries = [f for f in truth.files if f["sha256"] in missing]
    containers = Counter(f["container"] for f in entries)
    examples: list[str] = []
    seen: set[str] = set()
    for entry in entries:
        if entry["sha256"] not in seen and len(examples) < EXAMPLES:
            seen.add(entry["sha256"])
            examples.append(f"{entry['container']}:{entry['path']}")
    return {"count": len(missing), "by_container": dict(containers), "examples": examples}


# --- the run ---------------------------------------------------------------------------------


def run_tool(tool: Tool, args: argparse.Namespace, truth: Truth) -> tuple[RunStats, Score]:
    """Run `tool` `args.repeat` times on a warm page cache; keep the run of median wall time."""
    out = args.out / tool.name
    logs = args.out / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    argv = tool.argv(args.image, out, args)
    log(f"{tool.name}: {' '.join(argv)}")
    runs: list[RunStats] = []
    for _ in range(args.repeat):
        if out.exists():
            shutil.rmtree(out)
        warm_cache(args.image)
        stats = measure(argv, tool_env(tool), logs / f"{tool.name}.log", args.timeout)
        log(f"{tool.name}: {stats.status} in {stats.wall_seconds:.1f} s")
        runs.append(stats)
        if stats.status == "timeout":
            break
    chosen = sorted(runs, key=lambda r: r.wall_seconds)[(len(runs) - 1) // 2]
    chosen.all_wall_seconds = [r.wall_seconds for r in runs]
    log(f"{tool.name}: scoring its output")
    score = score_output(out, truth) if out.exists() else Score()
    if args.clean and out.exists():
        shutil.rmtree(out)
    return chosen, score


def warm_cache(image: Path) -> None:
    """Flush the last run's writes, then read the image so no tool pays for a cold cache."""
    os.sync()
    with open(image, "rb") as handle:
        while handle.read(1 << 22):
            pass


def ratio(value: float | None, base: float | None) -> str:
    if value is None or not base:
        return "-"
    return f"{value / base:.2f}x"


def table(results: dict[str, Any], base: str) -> str:
    tools = results["tools"]
    ref = tools.get(base, {})
    head = (
        f"{'tool':<12} {'status':<8} {'wall s':>8} {'time':>7} {'PSS MiB':>8} {'mem':>7} "
        f"{'maxRSS1':>8} {'files out':>9} {'GT found':>9} {'recall':>7} {'name+sha':>8}"
    )
    lines = [head, "-" * len(head)]
    for name, row in tools.items():
        lines.append(
            f"{name:<12} {row['status']:<8} {row['wall_seconds']:>8.1f} "
            f"{ratio(row['wall_seconds'], ref.get('wall_seconds')):>7} "
            f"{row['peak_tree_pss_mib']:>8.0f} "
            f"{ratio(row['peak_tree_pss_mib'], ref.get('peak_tree_pss_mib')):>7} "
            f"{row['max_single_rss_mib'] or 0:>8.0f} {row['regular_files']:>9} "
            f"{row['gt_found']:>9} {row['recall']:>7.4f} {row['name_recall']:>8.4f}"
        )
    return "\n".join(lines)


def container_table(results: dict[str, Any]) -> str:
    tools = results["tools"]
    names = sorted(next(iter(tools.values()))["per_container"]) if tools else []
    width = max((len(n) for n in names), default=10)
    lines = [f"{'container':<{width}} " + " ".join(f"{t:>13}" for t in tools)]
    for container in names:
        cells = " ".join(f"{tools[t]['per_container'][container]:>13}" for t in tools)
        lines.append(f"{container:<{width}} {cells}")
    return "\n".join(lines)


def summarise(
    name: str, stats: RunStats, score: Score, truth: Truth, scores: dict[str, Score]
) -> dict[str, Any]:
    row: dict[str, Any] = asdict(stats)
    row.update(
        regular_files=score.regular_files,
        regular_bytes=score.regular_bytes,
        symlinks=score.symlinks,
        gt_found=len(score.found),
        recall=round(len(score.found) / len(truth.shas), 4),
        name_recall=round(len(score.found_pairs) / len(truth.pairs), 4),
        per_container=per_container(score, truth),
        missed_found_by_others=missed_by(name, scores, truth),
    )
    return row


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--image", type=Path, default=WORK / "firmware.bin")
    parser.add_argument("--truth", type=Path, default=WORK / "ground_truth.json")
    parser.add_argument("--out", type=Path, default=WORK / "out")
    parser.add_argument("--results", type=Path, default=WORK / "results.json")
    parser.add_argument("--tools", default="assay,unblob,binwalk", help=f"from {','.join(TOOLS)}")
    parser.add_argument("--timeout", type=float, default=1800.0, help="seconds per tool")
    parser.add_argument("--repeat", type=int, default=1, help="runs per tool; median is kept")
    parser.add_argument("--unblob-procs", type=int, default=0, help="unblob -p (0: its default)")
    parser.add_argument("--assay", default=shutil.which("assay") or "assay")
    parser.add_argument("--clean", action="store_true", help="delete each output once scored")
    args = parser.parse_args(argv)
    args.image = args.image.resolve()
    args.out = args.out.resolve()
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    document, truth = load_truth(args.truth)
    names = [n.strip() for n in args.tools.split(",") if n.strip()]
    unknown = [n for n in names if n not in TOOLS]
    if unknown:
        raise SystemExit(f"unknown tools: {unknown}")
    if "unblob+shim" in names:
        install_shim()
    runs: dict[str, tuple[RunStats, Score]] = {}
    for name in names:
        runs[name] = run_tool(TOOLS[name], args, truth)
    scores = {name: score for name, (_stats, score) in runs.items()}
    results: dict[str, Any] = {
        "image": {k: document[k] for k in ("image", "image_size", "image_sha256", "parts")},
        "truth": {
            "files": document["file_count"],
            "scored_files": len(truth.files),
            "unique_sha256": len(truth.shas),
            "unpacked_bytes": document["unpacked_bytes"],
            "build_seconds": document["build_seconds"],
        },
        "host": {"cpus": os.cpu_count(), "memory_bytes": psutil.virtual_memory().total},
        "platform": platform.platform(),
        "versions": versions(args),
        "memory_method": "psutil tree sampling every 0.25 s (PSS and RSS sums); GNU time -v",
        "tools": {
            name: summarise(name, stats, score, truth, scores)
            for name, (stats, score) in runs.items()
        },
    }
    args.results.write_text(json.dumps(results, indent=1) + "\n")
    print(table(results, names[0]))
    print()
    print(container_table(results))
    log(f"results written to {args.results}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
