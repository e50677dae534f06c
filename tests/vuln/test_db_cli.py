"""`assay db` run as a real process: import, update, status (table and JSON), path, and usage
errors as one line with exit code 2."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.vuln.vulndb_support import (
    CVE5_CURL,
    KEV_SAMPLE,
    NVD2_SAMPLE,
    SAMPLE_CVES,
    SAMPLES,
    shipped_database,
)


def assay_db(
    *args: str | Path, cwd: Path, db_env: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """Run `python -m assay db ARGS` without a terminal; ASSAY_VULN_DB set to `db_env`."""
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "FORCE_COLOR")}
    env.pop("ASSAY_VULN_DB", None)
    if db_env is not None:
        env["ASSAY_VULN_DB"] = str(db_env)
    argv = [sys.executable, "-m", "assay", "db", *map(str, args)]
    return subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def assert_usage_error(done: subprocess.CompletedProcess[str], *words: str) -> None:
    """Exit code 2, one line on stderr starting with `error:`, no traceback."""
    lines = done.stderr.splitlines()
    assert done.returncode == 2, done.stderr
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("error: ")
    for word in words:
        assert word in lines[0], lines[0]


def test_update_then_status_json(tmp_path: Path) -> None:
    db = tmp_path / "feeds.sqlite"
    done = assay_db("update", SAMPLES, "--db", db, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "cve-json-5: 2 from" in done.stdout
    status = assay_db("status", "--db", db, "--json", cwd=tmp_path)
    assert status.returncode == 0, status.stderr
    document = json.loads(status.stdout)
    assert document["totals"]["cves"] == len(SAMPLE_CVES)
    assert document["totals"]["kev"] == 3
    assert document["snapshot_date"] == "2025-10-28"
    assert {s["name"] for s in document["sources"]} >= {"nvd-json-2.0", "cisa-kev", "osv"}
    assert document["age_warning"].startswith("vulnerability data is")


def test_status_table_of_the_default_database(tmp_path: Path) -> None:
    db = shipped_database(tmp_path / "default.sqlite")
    done = assay_db("status", cwd=tmp_path, db_env=db)
    assert done.returncode == 0, done.stderr
    assert "snapshot 2026-08-21: 11007 CVEs" in done.stdout
    assert "nvd-subset-linux-kernel.jsonl.gz" in done.stdout
    assert "vmcommunity/nvdlist" in done.stdout
    assert "days old (snapshot 2026-08-21)" in done.stderr
    path = assay_db("path", cwd=tmp_path, db_env=db)
    assert path.stdout == f"{db}\n"


def test_import_files_into_a_new_database(tmp_path: Path) -> None:
    db = tmp_path / "new.sqlite"
    done = assay_db("import", NVD2_SAMPLE, CVE5_CURL, KEV_SAMPLE, "--db", db, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "2 CVEs" in done.stdout and "3 KEV" in done.stdout


def test_broken_feed_is_a_one_line_error_and_imports_nothing(tmp_path: Path) -> None:
    db = tmp_path / "kept.sqlite"
    assert assay_db("import", NVD2_SAMPLE, "--db", db, cwd=tmp_path).returncode == 0
    feeds = tmp_path / "feeds"
    feeds.mkdir()
    shutil.copy(KEV_SAMPLE, feeds / "a.json")
    (feeds / "b.json").write_text('{"cveMetadata": {"cveId": "CVE-2030-1"},\n\n  broken')
    done = assay_db("update", feeds, "--db", db, cwd=tmp_path)
    assert_usage_error(done, "b.json", "line 3", "invalid JSON", "nothing was imported")
    status = json.loads(assay_db("status", "--db", db, "--json", cwd=tmp_path).stdout)
    assert status["totals"] == {"cves": 1, "osv": 0, "kev": 0, "epss": 0}


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("import", "missing.json", "--db", "x.sqlite"), ("no such file", "missing.json")),
        (("import", "notes.txt", "--db", "x.sqlite"), ("notes.txt", "not a known feed format")),
        (("update", "notes.txt", "--db", "x.sqlite"), ("not a directory", "notes.txt")),
        (("update", "empty", "--db", "x.sqlite"), ("empty", "no feed found")),
        (
            ("status", "--db", "missing.sqlite"),
            ("missing.sqlite", "no such vulnerability database"),
        ),
        (("status", "--db", "notes.txt"), ("notes.txt", "not a vulnerability database")),
    ],
)
def test_usage_errors(args: tuple[str, ...], words: tuple[str, ...], tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("some notes, not a feed\n")
    (tmp_path / "empty").mkdir()
    assert_usage_error(assay_db(*args, cwd=tmp_path), *words)
