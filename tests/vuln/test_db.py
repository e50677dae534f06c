"""The SQLite vulnerability database on the real feed samples: look-ups, merging of sources,
newer-replaces-older, idempotent and transactional imports, archives and folders, status."""

import gzip
import shutil
import sqlite3
from datetime import date
from pathlib import Path

import pytest

from assay.vuln.db import VulnDatabase
from assay.vuln.feeds import FeedError
from assay.vuln.schema import DatabaseError
from tests.vuln.vulndb_support import (
    CVE5_CURL,
    CVE5_OPENSSH,
    KEV_SAMPLE,
    NVD2_SAMPLE,
    NVD11_SUDO,
    OSV_BUSYBOX,
    OSV_OPENSSL,
    OVERRIDE_OPENSSH,
    SAMPLE_CVES,
    SAMPLES,
    curl_nvd_record,
    dump,
    load,
    nvd2_record,
    write_json,
    write_zip,
)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "vuln.sqlite"


def imported(path: Path, *feeds: Path) -> VulnDatabase:
    """The database at `path` after importing `feeds` (one import)."""
    database = VulnDatabase.open(path)
    database.import_paths(list(feeds))
    return database


def test_samples_folder_import(db_path: Path) -> None:
    with imported(db_path, SAMPLES) as db:
        status = db.status()
        assert status.cves == len(SAMPLE_CVES)
        assert {s.name for s in status.sources} == {
            "nvd-json-2.0",
            "nvd-json-1.1",
            "nvd-data-overrides",
            "cve-json-5",
            "osv",
            "cisa-kev",
        }
        assert {s.file for s in status.sources} == {str(SAMPLES.resolve())}
        assert status.osv == 3 and status.kev == 3
        assert db.record("cve-2019-1653") is not None


def test_cpe_lookup_uses_vulnerable_matches_only(db_path: Path) -> None:
    with imported(db_path, NVD2_SAMPLE) as db:
        assert [r["id"] for r in db.cves_for_cpe("cisco", "rv320_firmware")] == ["CVE-2019-1653"]
        assert [r["id"] for r in db.cves_for_cpe("Cisco", "RV325_Firmware")] == ["CVE-2019-1653"]
        assert db.cves_for_cpe("cisco", "rv320") == []  # the hardware is not vulnerable


def test_product_lookup_and_cve5_cpes(db_path: Path) -> None:
    with imported(db_path, NVD11_SUDO, CVE5_OPENSSH) as db:
        assert [r["id"] for r in db.cves_for_product("sudo")] == ["CVE-2021-3156"]
        assert [r["id"] for r in db.cves_for_product("openssh")] == ["CVE-2024-6387"]
        rhel = db.cves_for_cpe("redhat", "enterprise_linux")
        assert [r["id"] for r in rhel] == ["CVE-2024-6387"]
        assert [r["id"] for r in db.cves_for_cpe("openbsd", "openssh")] == ["CVE-2024-6387"]


def test_nvd_and_cve5_merge(db_path: Path, tmp_path: Path) -> None:
    """NVD's configurations and score are kept; CVE 5 adds its affected entries and fills what
    NVD lacks (here the CWE), whatever the order of import."""
    nvd = write_json(tmp_path / "nvd" / "CVE-2023-38545.json", curl_nvd_record())
    for order in ((nvd, CVE5_CURL), (CVE5_CURL, nvd)):
        path = tmp_path / f"{order[0].name}.sqlite"
        with VulnDatabase.open(path) as db:
            for feed in order:
                db.import_paths([feed])
            record = db.record("CVE-2023-38545")
        assert record is not None
        assert record["cvss_v3"]["score"] == 9.8
        assert "cvss_source" not in record
        assert record["configurations"][0]["nodes"][0]["cpeMatch"][0]["versionEndExcluding"] == (
            "8.4.0"
        )
        assert record["cwes"] == ["CWE-787"]
        assert record["cve5_affected"][0]["provider"] == "hackerone"
        assert record["sources"] == ["nvd-json-2.0", "cve-json-5"]
        assert record["products"] == ["curl"]


def test_cve5_fills_the_score_of_an_unanalysed_cve_and_override_gives_configurations(
    db_path: Path,
) -> None:
    with imported(db_path, CVE5_OPENSSH, OVERRIDE_OPENSSH) as db:
        record = db.record("CVE-2024-6387")
        assert record is not None
        assert record["cvss_v3"]["score"] == 8.1
        assert record["cvss_source"] == {"cvss_v3": "cve5:cna"}
        assert record["configurations_source"] == "nvd-data-overrides"
        assert (
            record["configurations"][0]["nodes"][0]["cpeMatch"][0]["versionEndExcluding"] == "9.8"
        )
        assert record["sources"] == ["cve-json-5", "nvd-data-overrides"]


def test_osv_cve_record_joins_the_nvd_record(db_path: Path, tmp_path: Path) -> None:
    nvd = write_json(tmp_path / "nvd.json", nvd2_record("CVE-2022-0778", "2022-11-01", 7.5))
    with imported(db_path, nvd, OSV_OPENSSL) as db:
        record = db.record("CVE-2022-0778")
        assert record is not None
        assert record["sources"] == ["nvd-json-2.0", "osv"]
        assert record["osv_affected"][0]["package"] == "openssl"
        assert record["cvss_v3"]["vector"] == "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N"


def test_newer_record_replaces_older_and_equal_time_later_import(
    db_path: Path, tmp_path: Path
) -> None:
    def version(name: str, modified: str, score: float) -> Path:
        return write_json(tmp_path / name, nvd2_record("CVE-2030-0001", modified, score))

    with VulnDatabase.open(db_path) as db:
        db.import_paths([version("a.json", "2026-03-01T00:00:00.000", 5.0)])
        db.import_paths([version("b.json", "2026-04-01T00:00:00.000", 6.0)])
        assert db.record("CVE-2030-0001")["cvss_v3"]["score"] == 6.0  # type: ignore[index]
        db.import_paths([version("c.json", "2026-02-01T00:00:00.000", 4.0)])
        assert db.record("CVE-2030-0001")["cvss_v3"]["score"] == 6.0  # type: ignore[index]
        db.import_paths([version("d.json", "2026-04-01T00:00:00.000", 6.5)])
        assert db.record("CVE-2030-0001")["cvss_v3"]["score"] == 6.5  # type: ignore[index]


def test_nvd11_then_nvd2_of_the_same_cve(db_path: Path, tmp_path: Path) -> None:
    """NVD 1.1 and 2.0 are one kind of source: the newer NVD record wins entirely."""
    newer = nvd2_record("CVE-2021-3156", "2025-01-01T00:00:00.000", 7.8, configurations=[])
    with imported(db_path, NVD11_SUDO, write_json(tmp_path / "n.json", newer)) as db:
        record = db.record("CVE-2021-3156")
        assert record is not None
        assert record["sources"] == ["nvd-json-2.0"]
        assert "configurations" not in record
        assert db.cves_for_product("sudo") == []


def test_import_twice_gives_the_same_database(db_path: Path, tmp_path: Path) -> None:
    feeds = [SAMPLES, write_json(tmp_path / "x" / "nvd.json", curl_nvd_record(), "xz")]
    with VulnDatabase.open(db_path) as db:
        db.import_paths(feeds)
        first, status = dump(db_path), db.status()
        db.import_paths(feeds)
        assert dump(db_path) == first
        again = db.status()
    assert [(s.name, s.file, s.count, s.sha256) for s in again.sources] == [
        (s.name, s.file, s.count, s.sha256) for s in status.sources
    ]
    assert (again.cves, again.osv, again.kev) == (status.cves, status.osv, status.kev)


def test_failed_import_leaves_the_database_as_it_was(db_path: Path, tmp_path: Path) -> None:
    feeds = tmp_path / "feeds"
    feeds.mkdir()
    shutil.copy(KEV_SAMPLE, feeds / "1-kev.json")
    shutil.copy(CVE5_OPENSSH, feeds / "2-cve5.json")
    (feeds / "3-broken.json").write_text('{"dataType": "CVE_RECORD",\n "cveMetadata": }\n')
    with VulnDatabase.open(db_path) as db:
        db.import_paths([NVD2_SAMPLE])
        before = dump(db_path)
        sources = db.status().sources
        with pytest.raises(FeedError, match=r"3-broken.json: line 2: invalid JSON"):
            db.import_paths([feeds])
        assert dump(db_path) == before
        assert db.status().sources == sources
        assert db.kev("CVE-2014-0160") is None


def test_missing_or_unknown_input_is_an_error(db_path: Path, tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text("# not a feed\n")
    with VulnDatabase.open(db_path) as db:
        with pytest.raises(FeedError, match="no such file or directory"):
            db.import_paths([NVD2_SAMPLE, tmp_path / "missing.json"])
        with pytest.raises(FeedError, match=r"README.md: not a known feed format"):
            db.import_paths([NVD2_SAMPLE, readme])
        with pytest.raises(FeedError, match="no feed found"):
            db.import_paths([readme.parent])
        assert db.status().cves == 0


def test_folder_import_skips_what_is_not_a_feed(db_path: Path, tmp_path: Path) -> None:
    tree = tmp_path / "mirror"
    shutil.copytree(SAMPLES, tree / "2024" / "samples")
    (tree / "README.md").write_text("# mirror of the feeds\n")
    (tree / "delta.json").write_text('{"fetchTime": "2026-08-21", "new": []}')
    (tree / ".git").mkdir()
    (tree / ".git" / "broken.json").write_text("{")
    with imported(db_path, tree) as db:
        assert db.status().cves == len(SAMPLE_CVES)
        summary = db.import_paths([tree])
    assert sorted(Path(s).name for s in summary.skipped) == ["README.md", "delta.json"]


def test_zip_archive_of_feeds_like_osv_all_zip(db_path: Path, tmp_path: Path) -> None:
    inner = write_zip(tmp_path / "inner.zip", {"CVE-2021-42374.json": OSV_BUSYBOX.read_bytes()})
    archive = write_zip(
        tmp_path / "all.zip",
        {
            "CVE-2022-0778.json": OSV_OPENSSL.read_bytes(),
            "nested/inner.zip": inner.read_bytes(),
            "kev.json.gz": gzip.compress(KEV_SAMPLE.read_bytes()),
        },
    )
    with imported(db_path, archive) as db:
        assert db.status().osv == 2
        assert db.kev("CVE-2014-0160") is not None
        sources = {s.name: s for s in db.status().sources}
        assert sources["osv"].count == 2
        assert sources["osv"].file == str(archive.resolve())


def test_osv_lookup_by_package(db_path: Path, tmp_path: Path) -> None:
    pypi = {
        "id": "GHSA-aaaa-bbbb-cccc",
        "modified": "2025-01-01T00:00:00Z",
        "aliases": ["CVE-2030-4242"],
        "affected": [{"package": {"ecosystem": "PyPI", "name": "Foo_Bar"}, "versions": ["1.0"]}],
    }
    with imported(db_path, OSV_BUSYBOX, OSV_OPENSSL, write_json(tmp_path / "g.json", pypi)) as db:
        assert [r["id"] for r in db.osv_for_package("Alpine", "busybox")] == ["CVE-2021-42374"]
        assert [r["id"] for r in db.osv_for_package("Alpine:v3.11", "busybox")] == [
            "CVE-2021-42374"
        ]
        assert db.osv_for_package("Alpine:v3.99", "busybox") == []
        assert [r["id"] for r in db.osv_for_package("PyPI", "foo-bar")] == ["GHSA-aaaa-bbbb-cccc"]
        assert [r["id"] for r in db.osv_for_alias("cve-2030-4242")] == ["GHSA-aaaa-bbbb-cccc"]
        assert [r["id"] for r in db.osv_for_alias("GHSA-x3mh-jvjw-3xwx")] == ["CVE-2022-0778"]


def test_withdrawn_osv_record_is_not_found_by_package(db_path: Path, tmp_path: Path) -> None:
    withdrawn = {**load(OSV_BUSYBOX), "modified": "2026-01-01T00:00:00Z", "withdrawn": "2026"}
    with imported(db_path, OSV_BUSYBOX) as db:
        db.import_paths([write_json(tmp_path / "w.json", withdrawn)])
        assert db.osv_for_package("Alpine", "busybox") == []


def test_kev_and_epss_are_laid_over_records(db_path: Path, tmp_path: Path) -> None:
    epss = tmp_path / "epss.csv"
    epss.write_text(
        "#model_version:v1,score_date:2026-08-01\ncve,epss,percentile\nCVE-2021-3156,0.99,0.999\n"
    )
    with imported(db_path, NVD11_SUDO, KEV_SAMPLE, epss) as db:
        record = db.record("CVE-2021-3156")
        assert record is not None
        assert record["kev"] == {
            "date_added": "2022-04-06",
            "due_date": "2022-04-27",
            "ransomware": "Unknown",
        }
        assert record["epss"] == {"score": 0.99, "percentile": 0.999}
        assert db.epss("CVE-2021-3156").date == "2026-08-01"  # type: ignore[union-attr]
        assert db.epss("CVE-1999-0001") is None


def test_newer_epss_scores_win_whatever_the_import_order(db_path: Path, tmp_path: Path) -> None:
    def scores(day: str, value: str) -> Path:
        path = tmp_path / f"epss-{day}.csv"
        path.write_text(f"#score_date:{day}\ncve,epss,percentile\nCVE-2014-0160,{value},0.5\n")
        return path

    with VulnDatabase.open(db_path) as db:
        db.import_paths([scores("2026-08-02", "0.2")])
        db.import_paths([scores("2026-08-01", "0.1")])
        assert db.epss("CVE-2014-0160").score == 0.2  # type: ignore[union-attr]
        db.import_paths([scores("2026-08-03", "0.3")])
        assert db.epss("CVE-2014-0160").score == 0.3  # type: ignore[union-attr]


def test_rejected_cve_stays_out_of_the_indexes(db_path: Path, tmp_path: Path) -> None:
    rejected = nvd2_record("CVE-2030-0002", "2026-01-01", 5.0, vulnStatus="Rejected")
    with imported(db_path, write_json(tmp_path / "r.json", rejected)) as db:
        assert db.record("CVE-2030-0002")["rejected"] is True  # type: ignore[index]
        assert db.cves_for_cpe("cisco", "rv320_firmware") == []


def test_status_snapshot_date_and_age_warning(db_path: Path, tmp_path: Path) -> None:
    with VulnDatabase.open(db_path) as db:
        assert db.status().snapshot_date is None
        assert "no CVE records" in str(db.age_warning(date(2026, 1, 1)))
        db.import_paths([NVD11_SUDO, KEV_SAMPLE])
        status = db.status()
        assert status.snapshot_date == date(2021, 3, 26)  # the NVD record; KEV does not count
        kev = next(s for s in status.sources if s.name == "cisa-kev")
        assert kev.snapshot_date == date(2026, 8, 7)
        assert db.age_warning(date(2021, 4, 20)) is None
        assert db.age_warning(date(2021, 5, 1), max_age_days=30) == (
            "vulnerability data is 36 days old (snapshot 2021-03-26); run `assay db update`"
        )
        assert status.as_json()["sources"][0]["snapshot_date"] in ("2026-08-07", "2021-03-26")


def test_other_schema_versions_and_other_files_are_refused(db_path: Path, tmp_path: Path) -> None:
    VulnDatabase.open(db_path).close()
    conn = sqlite3.connect(db_path)
    conn.execute("UPDATE meta SET value = '0' WHERE key = 'schema_version'")
    conn.commit()
    conn.close()
    with pytest.raises(DatabaseError, match="schema 0"):
        VulnDatabase.open(db_path)
    other = tmp_path / "other.sqlite"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.close()
    with pytest.raises(DatabaseError, match="not an assay vulnerability database"):
        VulnDatabase.open(other)
    with pytest.raises(DatabaseError, match="no such vulnerability database"):
        VulnDatabase.open(tmp_path / "missing.sqlite", readonly=True)
