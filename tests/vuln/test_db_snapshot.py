"""The snapshot shipped in assay/data/vulndata: its files, the database built from it (counts
equal to the manifest's), the default database built on first use, and its snapshot date."""

import gzip
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from assay.vuln.db import VulnDatabase
from assay.vuln.snapshot import (
    ENV_VAR,
    SHIPPED_FILES,
    default_database,
    default_database_path,
    shipped_dir,
    snapshot_id,
)
from tests.vuln.vulndb_support import shipped_database

REPO = Path(__file__).resolve().parents[2]
SHARED_VULNDATA = REPO / ".." / "shared" / "vulndata"
MANIFEST = json.loads((shipped_dir() / "manifest.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def shipped(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VulnDatabase]:
    path = shipped_database(tmp_path_factory.mktemp("snapshot") / "vulndb.sqlite")
    with VulnDatabase.open(path, readonly=True) as database:
        yield database


def test_shipped_files_are_small_and_listed() -> None:
    names = {path.name for path in shipped_dir().iterdir()}
    assert names >= set(SHIPPED_FILES) | {"README.md"}
    assert all((shipped_dir() / name).stat().st_size < 2_000_000 for name in names)


def test_epss_subset_covers_exactly_the_shipped_cves() -> None:
    cves: set[str] = set()
    for name in ("nvd-subset.jsonl.gz", "nvd-subset-linux-kernel.jsonl.gz"):
        with gzip.open(shipped_dir() / name, "rt", encoding="utf-8") as lines:
            cves.update(json.loads(line)["id"] for line in lines)
    with gzip.open(shipped_dir() / "epss-subset.csv.gz", "rt", encoding="utf-8") as lines:
        rows = lines.read().splitlines()
    assert rows[0].startswith("#source:EMBA-support-repos/EPSS-data,snapshot:")
    assert rows[1] == "cve,epss,percentile"
    scored = {row.split(",")[0] for row in rows[2:]}
    assert scored <= cves
    assert len(cves - scored) == 91  # the shared README: EPSS for all but 91


@pytest.mark.skipif(not SHARED_VULNDATA.is_dir(), reason="needs ../shared/vulndata")
def test_build_script_regenerates_the_shipped_folder(tmp_path: Path) -> None:
    script = REPO / "scripts" / "build_vulndata.py"
    done = subprocess.run(
        [sys.executable, script, SHARED_VULNDATA, tmp_path], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    for name in SHIPPED_FILES:
        assert (tmp_path / name).read_bytes() == (shipped_dir() / name).read_bytes(), name


def test_counts_equal_the_manifest(shipped: VulnDatabase) -> None:
    counts = MANIFEST["counts"]
    status = shipped.status()
    assert status.cves == counts["cves_total"] == 3768 + 7239
    per_file = {source.file: source.count for source in status.sources}
    assert per_file["nvd-subset.jsonl.gz"] == counts["cves_main_file"] == 3768
    assert per_file["nvd-subset-linux-kernel.jsonl.gz"] == counts["cves_kernel_file"] == 7239
    assert per_file["known_exploited_vulnerabilities.json.gz"] == counts["kev_entries"] == 1662
    assert per_file["osv-subset.jsonl.gz"] == counts["osv_subset_records"] == 320
    assert status.kev == 1662
    assert status.osv == 317  # oss-fuzz-vulns has three ids twice (OSV-2023-38, -49, -69)
    assert status.epss == per_file["epss-subset.csv.gz"] == 10916


def test_per_product_counts_equal_the_manifest(shipped: VulnDatabase) -> None:
    for product, expected in MANIFEST["counts"]["per_product"].items():
        assert len(shipped.cves_for_product(product)) == expected, product


def test_well_known_cves(shipped: VulnDatabase) -> None:
    openssl = {record["id"] for record in shipped.cves_for_cpe("openssl", "openssl")}
    assert {"CVE-2022-0778", "CVE-2014-0160"} <= openssl
    heartbleed = shipped.record("CVE-2014-0160")
    assert heartbleed is not None and heartbleed["configurations"]
    shellshock = shipped.kev("CVE-2014-6271")
    assert shellshock is not None and shellshock.date_added == "2022-01-28"
    score = shipped.epss("CVE-2014-0160")
    assert score is not None and score.score > 0.9 and score.date == "2026-08-16"
    assert [r["id"] for r in shipped.osv_for_package("OSS-Fuzz", "curl")][:1] == ["OSV-2017-1"]


def test_snapshot_date_is_the_newest_record_source(shipped: VulnDatabase) -> None:
    status = shipped.status()
    assert status.snapshot_date == date(2026, 8, 21)
    dates = {source.file: source.snapshot_date for source in status.sources}
    assert dates["nvd-subset.jsonl.gz"] == date(2026, 8, 21)
    assert dates["known_exploited_vulnerabilities.json.gz"] == date(2026, 8, 7)
    assert dates["epss-subset.csv.gz"] == date(2026, 8, 16)
    upstream = {entry.name: entry for entry in status.upstream}
    assert upstream["nvd11"].commit_date == date(2021, 4, 9)
    assert upstream["nvd11"].repository == "vmcommunity/nvdlist"
    assert len(upstream) == len(MANIFEST["sources"])
    assert shipped.age_warning(date(2026, 9, 1)) is None
    assert shipped.age_warning(date(2026, 11, 26)) == (
        "vulnerability data is 97 days old (snapshot 2026-08-21); run `assay db update`"
    )


def test_default_database_is_built_once_where_configured(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "data" / "vuln.sqlite"
    monkeypatch.setenv(ENV_VAR, str(target))
    assert default_database_path() == target
    with default_database() as database:
        assert database.status().cves == 11007
    built = target.stat()
    with default_database() as database:
        assert database.path == target
    assert target.stat().st_ino == built.st_ino and target.stat().st_mtime == built.st_mtime
    assert [p.name for p in target.parent.iterdir()] == ["vuln.sqlite"]


def test_default_path_names_the_snapshot(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_VAR, raising=False)
    path = default_database_path()
    assert path.name == f"vulndb-{snapshot_id()}.sqlite"
    assert len(snapshot_id()) == 16
    assert path.parent.name == "assay"


def test_two_processes_racing_to_build_both_get_a_database(tmp_path: Path) -> None:
    target = tmp_path / "race.sqlite"
    code = (
        "from assay.vuln.snapshot import default_database\n"
        "with default_database() as db: print(db.status().cves)\n"
    )
    env = {**os.environ, ENV_VAR: str(target)}
    runs = [
        subprocess.Popen([sys.executable, "-c", code], env=env, stdout=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    outputs = [run.communicate(timeout=120)[0].strip() for run in runs]
    assert [run.returncode for run in runs] == [0, 0]
    assert outputs == ["11007", "11007"]
    assert [p.name for p in tmp_path.iterdir()] == ["race.sqlite"]
