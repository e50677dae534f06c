"""`assay report` renders a saved evaluation.json; `assay scan -o DIR` writes every registered
reporter's file beside it."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from assay.plugins import reporters
from tests.report.golden_support import release_files


def assay(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "FORCE_COLOR")}
    argv = [sys.executable, "-m", "assay", *map(str, args)]
    return subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def assert_usage_error(done: subprocess.CompletedProcess[str], *words: str) -> None:
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:"), done.stderr
    for word in words:
        assert word in lines[0]


@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("scan")
    root = work / "router-fw"
    for name, data in release_files().items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    done = assay("scan", root, "-o", work / "out", cwd=work)
    assert done.returncode == 0, done.stderr
    return work / "out"


def test_scan_writes_every_reporters_file(scanned: Path) -> None:
    for reporter in reporters():
        assert (scanned / reporter.file_name).stat().st_size > 0, reporter.name
    sarif = json.loads((scanned / "report.sarif").read_text())
    assert sarif["version"] == "2.1.0"
    assert (scanned / "report.md").read_text().startswith("# assay evaluation of router-fw")


def test_report_renders_sarif_to_a_file(scanned: Path, tmp_path: Path) -> None:
    done = assay(
        "report",
        scanned / "evaluation.json",
        "-f",
        "sarif",
        "-o",
        tmp_path / "r.sarif",
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "r.sarif").read_bytes() == (scanned / "report.sarif").read_bytes()


def test_report_renders_markdown_and_json_to_stdout(scanned: Path, tmp_path: Path) -> None:
    done = assay("report", scanned / "evaluation.json", "-f", "markdown", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout == (scanned / "report.md").read_text()
    done = assay("report", scanned / "evaluation.json", "-f", "json", cwd=tmp_path)
    assert json.loads(done.stdout) == json.loads((scanned / "evaluation.json").read_text())


def test_a_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    assert_usage_error(
        assay("report", tmp_path / "nope.json", "-f", "sarif", cwd=tmp_path), "no such file"
    )


def test_a_file_that_is_not_an_evaluation_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "bom.json").write_text(json.dumps({"bomFormat": "CycloneDX"}))
    (tmp_path / "text.json").write_text("not json {")
    (tmp_path / "old.json").write_text(
        json.dumps({"schema": "https://assay.dev/schemas/evaluation", "schema_version": "1.1"})
    )
    assert_usage_error(
        assay("report", "bom.json", "-f", "markdown", cwd=tmp_path), "not an assay evaluation"
    )
    assert_usage_error(assay("report", "text.json", "-f", "markdown", cwd=tmp_path), "not JSON")
    assert_usage_error(assay("report", "old.json", "-f", "markdown", cwd=tmp_path), "missing")


def test_an_unwritable_output_is_a_usage_error(scanned: Path, tmp_path: Path) -> None:
    target = tmp_path / "no-such-dir" / "r.md"
    done = assay(
        "report", scanned / "evaluation.json", "-f", "markdown", "-o", target, cwd=tmp_path
    )
    assert_usage_error(done, "cannot write")
