"""Runs assay and cve-bin-tool on the identification corpus and scores both against the truth.

Both tools read the same tree, one after the other, with the page cache warmed first. assay:
`assay scan CORPUS -o OUT --json`, components and evidence read from OUT/evaluation.json; a hit
in a file assay unpacked from an archive is credited to the archive's file in the tree, and a
hit in one of several identical files (assay scans each content once) to all of them.
cve-bin-tool: its VersionScanner run by cvebintool_driver.py in its own venv, (vendor, product)
mapped to product keys by the manifest's CPE names and CBT_EXTRA.

Scoring, per file of the tree: each (product, version) a tool reports there is a true positive
when the ground truth has it for that file, else a false positive (wrong version, a product the
file is not, or a file with no product); each truth pair the tool does not report there is a
miss. Detections in files whose content nothing establishes, and of a product in a file known to
embed a copy of it (`unscored`), are not counted. The "unique" scores compare the sets of
(product, version) over the whole corpus.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import os
import shutil
import subprocess
import sys
import time
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
WORK = HERE.parent / "work" / "identify"
CORPUS = WORK / "corpus"
TRUTH = WORK / "ground_truth.json"
RESULTS = WORK / "results.json"
CBT_VENV = WORK / "venv-cvebintool"
MANIFEST = Path(os.environ.get("VULNDATA", "/work/shared/vulndata")) / "manifest.json"
# cve-bin-tool (vendor:product) -> product key, for products the manifest does not list
CBT_EXTRA = {
    "postgresql:postgresql": "postgresql",
    "xmlsoft:libxslt": "libxslt",
    "ntpsec:ntpsec": "ntpsec",
    "openldap:openldap": "openldap",
    "uclouvain:openjpeg": "openjpeg",
    "libjpeg-turbo:libjpeg-turbo": "libjpeg-turbo",
    "d.r.commander:libjpeg-turbo": "libjpeg-turbo",
    "harfbuzz_project:harfbuzz": "harfbuzz",
    "mit:kerberos_5": "krb5",
    "libtiff:libtiff": "libtiff",
    "python_software_foundation:python": "python",
}
# assay product key -> benchmark product key, where the two name a product differently
ASSAY_ALIASES: dict[str, str] = {}
# evidence that is a metadata record about a package, not the identification of the file it sits in
RECORD_METHODS = ("package-db", "source-version")

Pair = tuple[str, str]
Found = dict[str, set[Pair]]
Run = tuple[float, int]


@dataclass
class Truth:
    """The ground truth, indexed for scoring."""

    pairs: Found
    main: set[tuple[str, str, str]]
    identifiable: set[tuple[str, str, str]]
    unscored: list[tuple[str, str]]
    files: int
    bytes: int


@dataclass
class Score:
    """One tool's run, measured against the ground truth."""

    tool: str
    seconds: float = 0.0
    status: str = "ok"
    correct: int = 0
    tp: int = 0
    fp: int = 0
    fn: int = 0
    fn_identifiable: int = 0
    tp_identifiable: int = 0
    unique_tp: int = 0
    unique_predicted: int = 0
    unique_truth: int = 0
    fp_kinds: dict[str, int] = field(default_factory=dict)
    fn_kinds: dict[str, int] = field(default_factory=dict)
    misses: list[dict[str, Any]] = field(default_factory=list)
    false_positives: list[dict[str, Any]] = field(default_factory=list)
    per_product: dict[str, dict[str, int]] = field(default_factory=dict)

    def ratio(self, a: int, b: int) -> float:
        """a / b, 0 when b is 0."""
        return a / b if b else 0.0

    @property
    def precision(self) -> float:
        return self.ratio(self.correct, self.correct + self.fp)

    @property
    def recall(self) -> float:
        return self.ratio(self.tp, self.tp + self.fn)

    @property
    def recall_identifiable(self) -> float:
        return self.ratio(self.tp_identifiable, self.tp_identifiable + self.fn_identifiable)

    @property
    def unique_precision(self) -> float:
        return self.ratio(self.unique_tp, self.unique_predicted)

    @property
    def unique_recall(self) -> float:
        return self.ratio(self.unique_tp, self.unique_truth)


def log(message: str) -> None:
    """Progress on stderr."""
    print(f"[run_identify] {message}", file=sys.stderr, flush=True)


# --- ground truth -------------------------------------------------------------------------------


def corpus_size(root: Path) -> tuple[int, int]:
    """Regular files (not symlinks) in the tree and their total size."""
    files = size = 0
    for folder, _dirs, names in os.walk(root):
        for name in names:
            path = os.path.join(folder, name)
            if not os.path.islink(path):
                files += 1
                size += os.path.getsize(path)
    return files, size


def load_truth() -> Truth:
    """ground_truth.json, indexed by file."""
    data = json.loads(TRUTH.read_text())
    pairs: Found = defaultdict(set)
    main = set()
    identifiable = set()
    for row in data["files"]:
        key = (row["path"], row["product"], row["version"])
        pairs[row["path"]].add(key[1:])
        if row["role"] == "main":
            main.add(key)
        if row["identifiable"]:
            identifiable.add(key)
    unscored = [(row["path"], row["product"]) for row in data["unscored"]]
    files, size = corpus_size(CORPUS)
    return Truth(dict(pairs), main, identifiable, unscored, files, size)


def warm_cache(root: Path) -> None:
    """Read every file once, so neither tool pays for the first read from disk."""
    for folder, _dirs, names in os.walk(root):
        for name in names:
            path = os.path.join(folder, name)
            if os.path.isfile(path) and not os.path.islink(path):
                with open(path, "rb") as handle:
                    while handle.read(1 << 20):
                        pass


# --- the tools ----------------------------------------------------------------------------------


def timed(argv: list[str], log_file: Path, env: dict[str, str] | None = None) -> tuple[float, int]:
    """Run a command with its output to a file: (wall seconds, exit code)."""
    started = time.monotonic()
    with log_file.open("wb") as out:
        done = subprocess.run(argv, stdout=out, stderr=subprocess.STDOUT, env=env, check=False)
    return time.monotonic() - started, done.returncode


def assay_found(evaluation: dict[str, Any]) -> Found:
    """(product, version) per file of the tree, from evaluation.json's components."""
    artifacts = {a["id"]: a for a in evaluation["artifacts"]}
    by_sha: dict[str, set[str]] = defaultdict(set)
    for artifact in artifacts.values():
        if artifact.get("sha256"):
            by_sha[artifact["sha256"]].add(artifact["chain"][1].lstrip("/"))
    found: Found = defaultdict(set)
    for component in evaluation["components"]:
        product = component["product"].removeprefix("pypi:")  # the truth names wheels bare
        pair = (ASSAY_ALIASES.get(product, product), component["version"])
        for evidence in component["evidence"]:
            if evidence["method"] in RECORD_METHODS:
                continue
            artifact = artifacts.get(evidence["artifact"])
            if artifact is None:
                continue
            paths = by_sha.get(artifact.get("sha256", ""), set())
            for path in paths | {artifact["chain"][1].lstrip("/")}:
                found[path].add(pair)
    return dict(found)


def run_once(argv: list[str], out: Path, rescore: bool, env: dict[str, str] | None = None) -> Run:
    """Run a tool into a fresh output folder, or with `rescore` read how its last run went."""
    if not rescore:
        shutil.rmtree(out, ignore_errors=True)
        out.mkdir(parents=True)
        log(" ".join(Path(a).name if a.startswith("/") else a for a in argv))
        seconds, code = timed(argv, out / "log.txt", env)
        record = {"seconds": seconds, "code": code, "recipe": truth_recipe()}
        (out / "run.json").write_text(json.dumps(record))
    run = json.loads((out / "run.json").read_text())
    if run.get("recipe") != truth_recipe():
        log(f"warning: {out} was made from another corpus recipe; run the tool again")
    return float(run["seconds"]), int(run["code"])


def truth_recipe() -> str:
    """The digest of the corpus recipe the ground truth was built from."""
    return str(json.loads(TRUTH.read_text())["recipe"])


def run_assay(assay: str, out: Path, rescore: bool) -> tuple[Score, Found]:
    """`assay scan CORPUS -o OUT --json`, timed; what it found per file."""
    # identification only, as cve-bin-tool's version scanner: no CVE matching, no checks
    argv = [assay, "scan", str(CORPUS), "-o", str(out), "--json", "--no-vulns", "--no-checks"]
    seconds, code = run_once(argv, out, rescore)
    score = Score("assay", seconds=seconds, status="ok" if code in (0, 3) else f"exit {code}")
    evaluation_file = out / "evaluation.json"
    if not evaluation_file.exists():
        return Score("assay", seconds=seconds, status=f"exit {code}, no evaluation.json"), {}
    return score, assay_found(json.loads(evaluation_file.read_text()))


def cbt_keys() -> dict[str, str]:
    """cve-bin-tool's vendor:product and product -> product key: the manifest's CPE names (a
    checker reports one row per vendor it knows, so the product name alone maps too), then
    CBT_EXTRA."""
    products = json.loads(MANIFEST.read_text())["products"]
    keys = {cpe.split(":")[1]: key for key, cpes in products.items() for cpe in cpes}
    keys.update({cpe: key for key, cpes in products.items() for cpe in cpes})
    keys.update(CBT_EXTRA)
    keys.update({cpe.split(":")[1]: key for cpe, key in CBT_EXTRA.items()})
    return keys


def cbt_key(keys: dict[str, str], vendor: str, product: str) -> str:
    """The product key of one cve-bin-tool result."""
    return keys.get(f"{vendor}:{product}") or keys.get(product) or f"{vendor}:{product}"


def run_cvebintool(out: Path, rescore: bool) -> tuple[Score, Found]:
    """cve-bin-tool's version scanner over the corpus, timed; what it found per file."""
    env = {**os.environ, "HOME": str(WORK / "cbt-home")}
    python = str(CBT_VENV / "bin" / "python")
    argv = [python, str(HERE / "cvebintool_driver.py"), str(CORPUS), str(out / "found.json")]
    seconds, code = run_once(argv, out, rescore, env)
    if code:
        return Score("cve-bin-tool", seconds=seconds, status=f"exit {code}"), {}
    keys = cbt_keys()
    found: Found = defaultdict(set)
    for row in json.loads((out / "found.json").read_text())["results"]:
        found[row["path"]].add((cbt_key(keys, row["vendor"], row["product"]), row["version"]))
    return Score("cve-bin-tool", seconds=seconds), dict(found)


# --- scoring ------------------------------------------------------------------------------------


def score_file(score: Score, truth: Truth, path: str, predicted: set[Pair]) -> None:
    """Count one file's true and false positives and misses into the score."""
    expected = truth.pairs.get(path, set())
    expected_products = {p for p, _ in expected}
    predicted_products = {p for p, _ in predicted}
    for product, version in sorted(predicted - expected):
        kind = "wrong-version" if product in expected_products else "extra-product"
        kind = kind if expected else "unowned-file"
        score.fp_kinds[kind] = score.fp_kinds.get(kind, 0) + 1
        row: dict[str, Any] = {"path": path, "product": product, "version": version}
        row |= {"kind": kind, "expected": sorted(v for p, v in expected if p == product)}
        score.false_positives.append(row)
    for product, version in sorted(expected):
        if (path, product, version) not in truth.main:
            continue
        stats = score.per_product.setdefault(product, {"truth": 0, "found": 0})
        stats["truth"] += 1
        known = (path, product, version) in truth.identifiable
        if (product, version) in predicted:
            stats["found"] += 1
            score.tp += 1
            score.tp_identifiable += known
            continue
        score.fn += 1
        kind = "wrong-version" if product in predicted_products else "missed"
        score.fn_kinds[kind] = score.fn_kinds.get(kind, 0) + 1
        score.fn_identifiable += known
        reported = sorted(v for p, v in predicted if p == product)
        score.misses.append(
            {"path": path, "product": product, "version": version, "kind": kind}
            | {"reported": reported, "identifiable": known}
        )
    score.correct += len(predicted & expected)
    score.fp += len(predicted - expected)


def scored(truth: Truth, path: str, pairs: set[Pair]) -> set[Pair]:
    """The pairs found in a file less those `unscored` there (unknown file, embedded copy)."""
    rules = [product for glob, product in truth.unscored if fnmatch.fnmatch(path, glob)]
    return {(p, v) for p, v in pairs if p not in rules and "*" not in rules}


def score_tool(score: Score, truth: Truth, found: Found) -> Score:
    """Score one tool's findings against the truth, per file and as unique pairs."""
    found = {path: scored(truth, path, pairs) for path, pairs in found.items()}
    for path in sorted(set(truth.pairs) | set(found)):
        score_file(score, truth, path, found.get(path, set()))
    truth_pairs = set().union(*truth.pairs.values())
    predicted_pairs = set().union(*found.values()) if found else set()
    score.unique_tp = len(truth_pairs & predicted_pairs)
    score.unique_predicted = len(predicted_pairs)
    score.unique_truth = len(truth_pairs)
    return score


# --- report -------------------------------------------------------------------------------------


def fmt(value: float, percent: bool = True) -> str:
    """A number for the table."""
    return f"{100 * value:6.2f} %" if percent else f"{value:8.1f}"


def table(scores: list[Score], truth: Truth) -> str:
    """The results table: one column per tool and, with two tools, assay vs cve-bin-tool."""
    rows: list[tuple[str, list[float], bool]] = [
        ("precision (per file)", [s.precision for s in scores], True),
        ("recall (per file)", [s.recall for s in scores], True),
        ("recall, version text present", [s.recall_identifiable for s in scores], True),
        ("precision (unique pairs)", [s.unique_precision for s in scores], True),
        ("recall (unique pairs)", [s.unique_recall for s in scores], True),
        ("wall seconds", [s.seconds for s in scores], False),
        ("files / s", [truth.files / s.seconds if s.seconds else 0 for s in scores], False),
    ]
    head = f"{'':32}" + "".join(f"{s.tool:>14}" for s in scores)
    head += f"{scores[0].tool + ' vs ' + scores[1].tool:>28}" if len(scores) == 2 else ""
    lines = [head]
    for label, values, percent in rows:
        line = f"{label:32}" + "".join(f"{fmt(v, percent):>14}" for v in values)
        if len(values) == 2:
            a, b = values
            ratio = (b / a if label.startswith("wall") else a / b) if a and b else 0
            line += f"{ratio:>27.2f}x"
        lines.append(line)
    counts = [f"tp {s.tp} fp {s.fp} fn {s.fn}" for s in scores]
    lines.append(f"{'counts':32}" + "".join(f"{c:>28}" for c in counts))
    return "\n".join(lines)


def summary(score: Score) -> dict[str, Any]:
    """A score as JSON, with the derived rates."""
    data = asdict(score)
    for name in ("precision", "recall", "recall_identifiable", "unique_precision"):
        data[name] = round(getattr(score, name), 4)
    data["unique_recall"] = round(score.unique_recall, 4)
    return data


def tool_versions(assay: str) -> dict[str, str]:
    """What `--version` says, for the record."""
    versions = {}
    cbt = str(CBT_VENV / "bin" / "cve-bin-tool")
    for name, argv in (("assay", [assay, "--version"]), ("cve-bin-tool", [cbt, "--version"])):
        try:
            done = subprocess.run(argv, capture_output=True, text=True, check=False, timeout=60)
            versions[name] = (done.stdout or done.stderr).strip().splitlines()[-1]
        except (OSError, IndexError, subprocess.TimeoutExpired):
            versions[name] = "unknown"
    return versions


def main() -> None:
    """Run both tools, score them, print the table and write results.json."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assay", default=shutil.which("assay") or "assay")
    parser.add_argument("--tools", default="assay,cve-bin-tool")
    parser.add_argument(
        "--rescore",
        nargs="?",
        const="assay,cve-bin-tool",
        default="",
        help="score these tools' last outputs instead of running them (default: all), e.g. "
        "`--rescore cve-bin-tool` while iterating on assay's rules",
    )
    args = parser.parse_args()
    truth = load_truth()
    log(f"corpus: {truth.files} files, {truth.bytes / 2**20:.0f} MiB")
    tools, rescore = args.tools.split(","), args.rescore.split(",")
    if set(tools) - set(rescore):
        warm_cache(CORPUS)
    scores = []
    if "assay" in tools:
        score, found = run_assay(args.assay, WORK / "out" / "assay", "assay" in rescore)
        scores.append(score_tool(score, truth, found))
    if "cve-bin-tool" in tools:
        out = WORK / "out" / "cve-bin-tool"
        score, found = run_cvebintool(out, "cve-bin-tool" in rescore)
        scores.append(score_tool(score, truth, found))
    print(table(scores, truth))
    for score in scores:
        print(f"{score.tool}: status {score.status}; misses {score.fn_kinds}; fp {score.fp_kinds}")
    results = {
        "versions": tool_versions(args.assay),
        "corpus": {"files": truth.files, "bytes": truth.bytes, "truth_files": len(truth.pairs)},
        "truth_rows": sum(len(p) for p in truth.pairs.values()),
        "tools": [summary(s) for s in scores],
        "missed_products": dict(Counter(m["product"] for m in scores[0].misses)) if scores else {},
    }
    RESULTS.write_text(json.dumps(results, indent=1) + "\n")
    log(f"results: {RESULTS}")


if __name__ == "__main__":
    main()
