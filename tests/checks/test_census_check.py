"""UnsafeFunctionCensusCheck over a real unpacked tree: per-binary rows, the release table,
findings (severity, evidence at call sites, stable ids), problems for broken files, the JSON
facts, and the same answer from the process pool."""

import json
from pathlib import Path

import pytest

from assay.checks.base import CheckContext, CheckResult
from assay.checks.census import UnsafeFunctionCensusCheck
from assay.checks.census import check as census_check
from assay.extract.limits import Limits
from assay.extract.unpacker import Unpacker
from assay.inventory.index import FileIndex
from assay.model.census import Coverage, ReleaseCensus
from assay.model.finding import Category, Severity
from assay.model.ids import stable_id
from assay.pipeline.evaluator import Evaluator, ScanOptions
from assay.plugins import BUILTIN_CHECKS, extractors
from assay.report.census_json import facts_to_json
from assay.report.json_report import evaluation_json
from tests.factories.census_build import COUNTED, GETS, LIBRARY, compile_c, function_range


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("builds")
    return {
        "counted": compile_c(COUNTED, out, "x86-64"),
        "reader": compile_c(GETS, out, "mipsel", strip=True),
        "library": compile_c(LIBRARY, out, "aarch64", ("-shared", "-fPIC"), strip=True),
        "static": compile_c(COUNTED, out, "x86-64", ("-static",), strip=True),
    }


@pytest.fixture(scope="module")
def release(builds: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("rootfs")
    files = {
        "usr/bin/counted": builds["counted"].read_bytes(),
        "usr/bin/counted-copy": builds["counted"].read_bytes(),
        "usr/sbin/reader": builds["reader"].read_bytes(),
        "usr/lib/libx.so.1": builds["library"].read_bytes(),
        "bin/busybox": builds["static"].read_bytes(),
        "bin/broken": builds["counted"].read_bytes()[:300],
        "etc/passwd": b"root:x:0:0:root:/root:/bin/sh\n",
    }
    for name, data in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return root


def run_check(release: Path, workspace: Path, workers: int = 1) -> tuple[CheckResult, CheckContext]:
    unpacked = Unpacker(extractors(), Limits(), workspace).unpack(release)
    ctx = CheckContext()
    index = FileIndex(unpacked.artifacts, unpacked.disk)
    return UnsafeFunctionCensusCheck(workers=workers).run(index, ctx), ctx


def test_release_table_rows_and_problems(release: Path, tmp_path: Path) -> None:
    result, ctx = run_check(release, tmp_path / "ws")
    facts = result.facts
    assert isinstance(facts, ReleaseCensus)
    rows = {row.path.split("/")[-1]: row for row in facts.binaries}
    # the copy has the same content: counted once
    assert set(rows) == {"counted", "reader", "libx.so.1", "busybox"}
    table = {f.family: (f.unsafe_calls, f.safe_calls, f.percent_unsafe) for f in facts.families}
    assert table == {
        "memcpy-like": (2, 0, 100.0),
        "strcpy-like": (6, 0, 100.0),
        "strcat-like": (1, 0, 100.0),
        "sprintf-like": (2, 3, 40.0),
        "gets-like": (1, 1, 50.0),
    }
    strcpy = next(f for f in facts.families if f.family == "strcpy-like")
    assert strcpy.unsafe_functions == ("strcpy", "strncpy")
    totals = {(f.name, f.calls, f.binaries) for f in facts.functions}
    assert ("strcpy", 4, 2) in totals and ("snprintf", 3, 2) in totals
    assert dict(facts.coverage) == {
        Coverage.COMPLETE: 3,
        Coverage.LOWER_BOUND: 0,
        Coverage.UNKNOWN: 1,
    }
    assert rows["busybox"].coverage is Coverage.UNKNOWN
    assert facts.throughput.files == 4
    assert facts.throughput.code_bytes == sum(row.code_bytes for row in facts.binaries)
    assert [(kind.value, location.split(" › ")[-1]) for kind, _, _, location in ctx.problems] == [
        ("corrupt", "/bin/broken")
    ]


def test_findings_severity_evidence_and_ids(
    release: Path, builds: dict[str, Path], tmp_path: Path
) -> None:
    result, _ = run_check(release, tmp_path / "ws")
    found = {(f.rule, f.evidence[0].location.split(" › ")[-1]): f for f in result.findings}
    assert {(rule, path) for rule, path in found} == {
        ("code.unsafe-function.strcpy-like", "/usr/bin/counted"),
        ("code.unsafe-function.sprintf-like", "/usr/bin/counted"),
        ("code.unsafe-function.gets-like", "/usr/sbin/reader"),
        ("code.unsafe-function.memcpy-like", "/usr/sbin/reader"),
        ("code.unsafe-function.strcpy-like", "/usr/lib/libx.so.1"),
        ("code.unsafe-function.strcat-like", "/usr/lib/libx.so.1"),
        ("code.unsafe-function.sprintf-like", "/usr/lib/libx.so.1"),
    }
    gets = found[("code.unsafe-function.gets-like", "/usr/sbin/reader")]
    assert gets.severity is Severity.HIGH
    assert gets.category is Category.UNSAFE_FUNCTIONS
    assert {f.severity for f in result.findings if f is not gets} == {Severity.LOW}
    strcpy = found[("code.unsafe-function.strcpy-like", "/usr/bin/counted")]
    assert [e.matched for e in strcpy.evidence] == ["strcpy"] * 3 + ["strncpy"] * 2
    start, end = function_range(builds["counted"], "main")
    offsets = [e.offset for e in strcpy.evidence]
    assert offsets == sorted(offsets) and all(start <= o < end for o in offsets if o)
    properties = dict(strcpy.properties)
    assert (properties["unsafe_calls"], properties["safe_calls"]) == (5, 0)
    assert strcpy.id == stable_id("finding", strcpy.rule, "/usr/bin/counted")
    assert "strcpy ×3, strncpy ×2" in strcpy.title
    again, _ = run_check(release, tmp_path / "again")
    assert sorted(f.id for f in again.findings) == sorted(f.id for f in result.findings)


def test_json_facts_are_deterministic(release: Path, tmp_path: Path) -> None:
    first, _ = run_check(release, tmp_path / "one")
    second, _ = run_check(release, tmp_path / "two")
    one, two = facts_to_json(first.facts), facts_to_json(second.facts)
    for document in (one, two):
        document.pop("throughput")
        for row in document["binaries"]:
            row.pop("location")
            row.pop("artifact")
    assert json.dumps(one, sort_keys=False) == json.dumps(two, sort_keys=False)
    assert [row["path"] for row in one["binaries"]] == sorted(
        row["path"] for row in one["binaries"]
    )
    sprintf = next(f for f in one["families"] if f["family"] == "sprintf-like")
    assert sprintf == {
        "family": "sprintf-like",
        "unsafe_calls": 2,
        "safe_calls": 3,
        "percent_unsafe": 40.0,
        "distinct_unsafe_functions": 1,
        "distinct_safe_functions": 1,
        "unsafe_functions": ["sprintf"],
        "safe_functions": ["snprintf"],
    }
    counted = next(row for row in one["binaries"] if row["path"] == "/usr/bin/counted")
    strcpy = next(f for f in counted["functions"] if f["name"] == "strcpy")
    assert (strcpy["calls"], strcpy["imported"], len(strcpy["first_sites"])) == (3, True, 3)


def test_process_pool_gives_the_same_census(
    release: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(census_check, "PARALLEL_BYTES", 0)
    pooled, pooled_ctx = run_check(release, tmp_path / "pool", workers=2)
    serial, serial_ctx = run_check(release, tmp_path / "serial", workers=1)
    assert pooled.facts.families == serial.facts.families
    assert [r.functions for r in pooled.facts.binaries] == [
        r.functions for r in serial.facts.binaries
    ]
    assert pooled.findings == serial.findings
    assert [p[:3] for p in pooled_ctx.problems] == [p[:3] for p in serial_ctx.problems]


def test_registered() -> None:
    assert UnsafeFunctionCensusCheck in BUILTIN_CHECKS


def test_evaluation_json_carries_the_census(release: Path) -> None:
    options = ScanOptions(
        checks=(UnsafeFunctionCensusCheck(workers=1),), vulnerabilities=False, catalogers=()
    )
    document = evaluation_json(Evaluator(options).evaluate(release))
    census = document["facts"]["census"]
    assert {f["family"] for f in census["families"]} >= {"strcpy-like", "gets-like"}
    assert census["coverage"] == {"complete": 3, "lower-bound": 0, "unknown": 1}
    rules = {f["rule"] for f in document["findings"]}
    assert "code.unsafe-function.gets-like" in rules
    json.dumps(document)
