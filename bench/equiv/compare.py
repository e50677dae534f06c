"""Run `assay equiv --json A B` and `diffoscope --text OUT A B` on the tree pair made by
make_trees.py, time both, and score each against truth.json: did the metadata-only files come
out equal and the code-changed ones different (naming the function)?

Usage: compare.py [--assay PATH] [--diffoscope PATH] [--timeout SECONDS] WORK_DIR
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HEADER = re.compile(r"^[│ ]*├── \+\+\+ B/(.+)$|^\+\+\+ B/(.+)$")
TEXT_DIFF = re.compile(r"── objdump .*--section=\.text\b|── Disassembly of section \.text")


def timed(command: list[str], output: Path, timeout: float, cwd: Path) -> tuple[float, int | None]:
    """Wall time and exit code (None after a timeout: the whole session is killed)."""
    start = time.perf_counter()
    with open(output, "w") as sink:
        process = subprocess.Popen(command, stdout=sink, start_new_session=True, cwd=cwd)
        try:
            code: int | None = process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            code = None
    return time.perf_counter() - start, code


def score_assay(truth: dict[str, Any], pairs: list[dict[str, Any]]) -> dict[str, Any]:
    verdicts = {(p["vendor"] or p["rebuilt"]).lstrip("/"): p for p in pairs}
    score: dict[str, Any] = {"metadata_equal": 0, "code_different": 0, "code_function_named": 0}
    wrong: list[str] = []
    for path, entry in truth.items():
        pair = verdicts.get(path)
        verdict = pair["verdict"] if pair else "absent"
        if entry["code"] is None:
            if verdict in ("identical", "equivalent"):
                score["metadata_equal"] += 1
            else:
                wrong.append(f"{path} ({'+'.join(entry['changes'])}): {verdict}, {_why(pair)}")
            continue
        if verdict == "different":
            score["code_different"] += 1
        else:
            wrong.append(f"{path} (code): {verdict}")
        named = {d.get("function") for d in (pair or {}).get("differences", [])}
        if entry["code"]["function"] in named:
            score["code_function_named"] += 1
        elif pair:
            text = [d.get("function") for d in pair["differences"] if d["section"] == ".text"]
            wrong.append(f"{path}: function {entry['code']['function']} shown as {text}")
    score["wrong"] = wrong
    return score


def _why(pair: dict[str, Any] | None) -> str:
    if not pair or not pair["differences"]:
        return ""
    first = pair["differences"][0]
    return f"{first['section']}: {first['detail'][:80]}"


def diffoscope_blocks(report: Path, files: set[str]) -> dict[str, list[str]]:
    """The lines diffoscope wrote under each file of the pair (directories left out)."""
    blocks: dict[str, list[str]] = {}
    current: list[str] | None = None
    with open(report, encoding="utf-8", errors="replace") as handle:
        for line in handle:
            match = HEADER.match(line.rstrip("\n"))
            if match:
                name = match.group(1) or match.group(2)
                current = blocks.setdefault(name, []) if name in files else None
            elif current is not None:
                current.append(line)
    return blocks


def score_diffoscope(truth: dict[str, Any], report: Path) -> dict[str, Any]:
    blocks = diffoscope_blocks(report, set(truth))
    score = {
        "metadata_shown_differing": 0,
        "metadata_with_text_diff": 0,
        "code_with_text_diff": 0,
        "code_shown_differing": 0,
    }
    for path, entry in truth.items():
        block = blocks.get(path)
        text_diff = block is not None and any(TEXT_DIFF.search(line) for line in block)
        kind = "metadata" if entry["code"] is None else "code"
        score[f"{kind}_shown_differing"] += block is not None
        score[f"{kind}_with_text_diff"] += text_diff
    score["report_lines"] = sum(len(b) for b in blocks.values())
    return score


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("work", type=lambda text: Path(text).resolve())
    parser.add_argument("--assay", type=lambda text: str(Path(text).resolve()), default="assay")
    parser.add_argument("--diffoscope", default="diffoscope")
    parser.add_argument("--timeout", type=float, default=1800.0)
    arguments = parser.parse_args()
    work: Path = arguments.work
    truth = json.loads((work / "truth.json").read_text())
    files = truth["files"]
    tree_a, tree_b = "A", "B"  # relative, so diffoscope's headers read `+++ B/usr/…`
    assay_out, diffoscope_out = work / "assay.json", work / "diffoscope.txt"
    print("running assay equiv …", file=sys.stderr)
    assay_time, assay_code = timed(
        [arguments.assay, "equiv", "--json", tree_a, tree_b], assay_out, arguments.timeout, work
    )
    if assay_code not in (0, 1):
        sys.exit(f"assay equiv exited {assay_code}; see {assay_out}")
    assay = score_assay(files, json.loads(assay_out.read_text()))
    print("running diffoscope …", file=sys.stderr)
    command = [
        arguments.diffoscope,
        "--exclude-directory-metadata=yes",
        "--text",
        diffoscope_out.name,
        tree_a,
        tree_b,
    ]
    diffoscope_time, diffoscope_code = timed(
        command, work / "diffoscope.log", arguments.timeout, work
    )
    diffoscope = score_diffoscope(files, diffoscope_out) if diffoscope_out.exists() else {}
    results = {
        "files": len(files),
        "bytes_per_tree": truth["total_bytes"],
        "metadata_only": sum(1 for f in files.values() if f["code"] is None),
        "code_changed": sum(1 for f in files.values() if f["code"] is not None),
        "assay": {"seconds": assay_time, "exit": assay_code, **assay},
        "diffoscope": {
            "seconds": diffoscope_time,
            "exit": diffoscope_code,
            "timed_out": diffoscope_code is None,
            **diffoscope,
        },
    }
    (work / "results.json").write_text(json.dumps(results, indent=2))
    print_table(results)


def print_table(results: dict[str, Any]) -> None:
    meta, code = results["metadata_only"], results["code_changed"]
    a, d = results["assay"], results["diffoscope"]
    print(
        f"\n{results['files']} ELF files, {results['bytes_per_tree'] / 2**20:.0f} MiB per tree: "
        f"{meta} metadata-only, {code} with one changed instruction\n"
    )
    print(f"{'tool':<11} {'wall s':>8} {'ratio':>6}  {'metadata-only':<34} {'code-changed':<30}")
    equal = f"{a['metadata_equal']}/{meta} equivalent or identical"
    print(
        f"{'assay':<11} {a['seconds']:>8.1f} {1:>6.1f}  {equal:<34} "
        f"{a['code_different']}/{code} different, {a['code_function_named']}/{code} fn named"
    )
    status = " (TIMEOUT)" if d["timed_out"] else ""
    shown = f"no verdict; {d.get('metadata_shown_differing', '?')}/{meta} shown differing"
    print(
        f"{'diffoscope':<11} {d['seconds']:>8.1f} {d['seconds'] / a['seconds']:>6.1f}  "
        f"{shown:<34} {d.get('code_with_text_diff', '?')}/{code} with a .text diff{status}"
    )
    print(
        f"\ndiffoscope: {d.get('metadata_with_text_diff', '?')}/{meta} metadata-only files also "
        f"show a .text disassembly diff; {d.get('report_lines', '?')} report lines to read."
    )
    for line in a["wrong"][:20]:
        print(f"assay miss: {line}")
    if len(a["wrong"]) > 20:
        print(f"assay miss: … {len(a['wrong']) - 20} more in results.json")


if __name__ == "__main__":
    main()
