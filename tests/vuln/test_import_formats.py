"""Each importer on real feed records (tests/data/vulndata-samples, see tests/data/README.md):
the normalised record it gives, and recognition of the format by content, not by name."""

import gzip
import json
from pathlib import Path
from typing import Any

import pytest

from assay.vuln.feeds import FeedError, Parsed, Unit, UnknownFormat, read_unit, units
from assay.vuln.importers.common import cpe_vendor_product, timestamp
from assay.vuln.importers.items import CvePart, OsvEntry, PartKind, Provenance
from assay.vuln.importers.osv import package_key
from assay.vuln.snapshot import shipped_dir
from assay.vuln.source import EpssScore, KevEntry
from tests.vuln.vulndb_support import (
    CVE5_CURL,
    CVE5_OPENSSH,
    KEV_SAMPLE,
    NVD2_SAMPLE,
    NVD11_SUDO,
    OSV_OPENSSL,
    OSV_YAML,
    OVERRIDE_CURL,
    OVERRIDE_OPENSSH,
    SAMPLES,
    load,
    nvd2_record,
    write_json,
    write_zip,
)


def read(path: Path) -> list[Parsed]:
    """Every item of a file, read as `assay db import` reads a file it was given."""
    return [parsed for unit in units(path, str(path), True) for parsed in read_unit(unit)]


def part(path: Path, kind: PartKind | None = None) -> CvePart:
    """The one CVE part (of `kind`) a file gives."""
    parts = [p.item for p in read(path) if isinstance(p.item, CvePart)]
    parts = [p for p in parts if kind is None or p.kind is kind]
    assert len(parts) == 1, parts
    return parts[0]


def shipped_record(cve_id: str) -> dict[str, Any]:
    """A record of the shipped snapshot (built by the data set's own converter)."""
    with gzip.open(shipped_dir() / "nvd-subset.jsonl.gz", "rt", encoding="utf-8") as lines:
        for line in lines:
            if f'"id":"{cve_id}"' in line:
                record: dict[str, Any] = json.loads(line)
                return record
    raise AssertionError(f"{cve_id} not shipped")


@pytest.mark.parametrize(
    ("sample", "fmt"),
    [
        ("nvd-json-2.0_CVE-2019-1653.json", "nvd-json-2.0"),
        ("nvd-json-2.0-override_CVE-2024-6387.json", "nvd-data-overrides"),
        ("nvd-json-2.0-override_CVE-2025-0167.json", "nvd-data-overrides"),
        ("nvd-json-1.1_CVE-2014-6271.json", "nvd-json-1.1"),
        ("nvd-json-1.1_CVE-2019-5747.json", "nvd-json-1.1"),
        ("nvd-json-1.1_CVE-2020-1967.json", "nvd-json-1.1"),
        ("nvd-json-1.1_CVE-2021-3156.json", "nvd-json-1.1"),
        ("cve-json-5_CVE-2023-38545.json", "cve-json-5"),
        ("cve-json-5_CVE-2024-6387.json", "cve-json-5"),
        ("osv_CVE-2021-42374.json", "osv"),
        ("osv_CVE-2022-0778.json", "osv"),
        ("osv-oss-fuzz_OSV-2017-1.yaml", "osv"),
        ("cisa-kev_excerpt.json", "cisa-kev"),
    ],
)
def test_format_is_recognised_by_content(sample: str, fmt: str, tmp_path: Path) -> None:
    renamed = tmp_path / "feed.bin"
    renamed.write_bytes((SAMPLES / sample).read_bytes())
    assert {parsed.fmt for parsed in read(renamed)} == {fmt}


def test_nvd2_record_as_nvd_publishes_it() -> None:
    record = part(NVD2_SAMPLE).record
    assert record["id"] == "CVE-2019-1653"
    assert record["cvss_v3"] == {
        "version": "3.1",
        "score": 7.5,
        "severity": "HIGH",
        "vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N",
    }
    assert record["cwes"] == ["CWE-284", "NVD-CWE-noinfo"]
    assert record["published"] == "2019-01-24T16:29:00.317"
    assert record["last_modified"] == "2025-10-28T13:57:57.263"
    assert record["description"].startswith("A vulnerability in the web-based management")
    assert record["kev"] == {"date_added": "2021-11-03", "due_date": "2022-05-03"}
    assert record["sources"] == ["nvd-json-2.0"]


def test_nvd2_and_configuration_keeps_the_hardware_node() -> None:
    configurations = part(NVD2_SAMPLE).record["configurations"]
    assert [c["operator"] for c in configurations] == ["AND", "AND"]
    firmware, hardware = configurations[0]["nodes"]
    assert [m["criteria"] for m in firmware["cpeMatch"]] == [
        "cpe:2.3:o:cisco:rv320_firmware:1.4.2.15:*:*:*:*:*:*:*",
        "cpe:2.3:o:cisco:rv320_firmware:1.4.2.17:*:*:*:*:*:*:*",
    ]
    assert all(m["vulnerable"] for m in firmware["cpeMatch"])
    assert hardware == {
        "operator": "OR",
        "negate": False,
        "cpeMatch": [{"vulnerable": False, "criteria": "cpe:2.3:h:cisco:rv320:-:*:*:*:*:*:*:*"}],
    }


def test_nvd2_prefers_nvds_primary_score(tmp_path: Path) -> None:
    cve = load(NVD2_SAMPLE)
    primary = cve["metrics"]["cvssMetricV31"][0]
    secondary = json.loads(json.dumps(primary))
    secondary.update(source="psirt@cisco.com", type="Secondary")
    secondary["cvssData"].update(baseScore=5.3, vectorString="CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L")
    cve["metrics"]["cvssMetricV31"] = [secondary, primary]
    cve["metrics"]["cvssMetricV40"] = [
        {
            "source": "psirt@cisco.com",
            "type": "Secondary",
            "cvssData": {
                "version": "4.0",
                "vectorString": "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:N/VA:N/SC:N/SI:N/SA:N",
                "baseScore": 8.7,
                "baseSeverity": "HIGH",
            },
        }
    ]
    record = part(write_json(tmp_path / "cve.json", {"cve": cve})).record
    assert record["cvss_v3"]["score"] == 7.5
    assert record["cvss_v4"]["score"] == 8.7


def test_nvd2_collection_gives_every_cve_and_the_feed_time(tmp_path: Path) -> None:
    feed = {
        "resultsPerPage": 2,
        "format": "NVD_CVE",
        "version": "2.0",
        "timestamp": "2026-08-20T10:00:00.000",
        "vulnerabilities": [
            {"cve": nvd2_record("CVE-2030-0001", "2026-01-01T00:00:00", 5.0)},
            {"cve": nvd2_record("CVE-2030-0002", "2026-02-01T00:00:00", 6.0)},
        ],
    }
    parsed = read(write_json(tmp_path / "CVE-2030.json", feed))
    assert [p.item.cve_id for p in parsed if isinstance(p.item, CvePart)] == [
        "CVE-2030-0001",
        "CVE-2030-0002",
    ]
    assert {p.feed_date for p in parsed} == {"2026-08-20T10:00:00.000000Z"}


def test_nvd2_yearly_release_feed_of_fkie_cad(tmp_path: Path) -> None:
    """fkie-cad/nvd-json-data-feeds releases `CVE-<year>.json.xz`: `cve_items` of CVE objects."""
    feed = {
        "timestamp": "2026-08-21T00:00:20",
        "cve_count": 1,
        "feed_name": "CVE-2019",
        "source": "fkie-cad/nvd-json-data-feeds",
        "cve_items": [load(NVD2_SAMPLE)],
    }
    parsed = read(write_json(tmp_path / "CVE-2019.json.xz", feed, "xz"))
    assert [p.item.record for p in parsed] == [part(NVD2_SAMPLE).record]  # type: ignore[union-attr]
    assert parsed[0].feed_date == "2026-08-21T00:00:20.000000Z"


def test_nvd11_and_nodes_become_an_and_configuration() -> None:
    record = part(NVD11_SUDO).record
    and_configurations = [c for c in record["configurations"] if c.get("operator") == "AND"]
    assert len(and_configurations) == 2
    firmware, hardware = and_configurations[0]["nodes"]
    assert firmware["cpeMatch"] == [
        {"vulnerable": True, "criteria": "cpe:2.3:o:synology:skynas_firmware:-:*:*:*:*:*:*:*"}
    ]
    assert hardware["cpeMatch"] == [
        {"vulnerable": False, "criteria": "cpe:2.3:h:synology:skynas:-:*:*:*:*:*:*:*"}
    ]
    sudo = record["configurations"][0]
    assert "operator" not in sudo
    assert sudo["nodes"][0]["cpeMatch"][0] == {
        "vulnerable": True,
        "criteria": "cpe:2.3:a:sudo_project:sudo:*:*:*:*:*:*:*:*",
        "versionEndExcluding": "1.9.5",
    }
    assert record["cvss_v3"]["score"] == 7.8
    assert record["cvss_v2"] == {
        "version": "2.0",
        "score": 7.2,
        "severity": "HIGH",
        "vector": "AV:L/AC:L/Au:N/C:C/I:C/A:C",
    }
    assert record["cwes"] == ["CWE-193"]
    assert record["products"] == ["sudo"]


def test_nvd11_conversion_equals_the_shipped_records() -> None:
    """The shipped records were converted from the same NVD 1.1 snapshot by another program."""
    for name, cve_id in [
        ("nvd-json-1.1_CVE-2021-3156.json", "CVE-2021-3156"),
        ("nvd-json-1.1_CVE-2020-1967.json", "CVE-2020-1967"),
        ("nvd-json-1.1_CVE-2014-6271.json", "CVE-2014-6271"),
    ]:
        record, shipped = part(SAMPLES / name).record, shipped_record(cve_id)
        for field in ("configurations", "cvss_v3", "cvss_v2", "cwes", "published", "products"):
            assert record.get(field) == shipped.get(field), (cve_id, field)


def test_nvd11_feed_of_items(tmp_path: Path) -> None:
    items = [
        load(SAMPLES / f"nvd-json-1.1_{cve}.json") for cve in ("CVE-2014-6271", "CVE-2019-5747")
    ]
    feed = {"CVE_data_type": "CVE", "CVE_data_timestamp": "2021-04-09T07:00Z", "CVE_Items": items}
    parsed = read(write_json(tmp_path / "nvdcve-1.1-2019.json", feed, "gz"))
    assert [p.item.cve_id for p in parsed if isinstance(p.item, CvePart)] == [
        "CVE-2014-6271",
        "CVE-2019-5747",
    ]
    assert parsed[0].feed_date == "2021-04-09T07:00:00.000000Z"


def test_override_gives_configurations_only() -> None:
    curl = part(OVERRIDE_CURL)
    assert curl.kind is PartKind.OVERRIDE
    assert curl.record["products"] == ["curl"]
    assert curl.record["configurations_source"] == "nvd-data-overrides"
    assert curl.record["configurations"][0]["nodes"][0]["cpeMatch"] == [
        {
            "vulnerable": True,
            "criteria": "cpe:2.3:a:haxx:curl:*:*:*:*:*:*:*:*",
            "versionStartIncluding": "7.76.0",
            "versionEndExcluding": "8.12.0",
        }
    ]
    assert curl.modified == "2025-02-05T09:15:06.891000Z"
    openssh = part(OVERRIDE_OPENSSH).record
    assert openssh["id"] == "CVE-2024-6387"
    assert "cvss_v3" not in openssh


def test_cve5_cna_metrics_cwes_and_affected() -> None:
    record = part(CVE5_OPENSSH).record
    assert record["cvss_v3"]["score"] == 8.1
    assert record["cvss_source"] == {"cvss_v3": "cve5:cna"}
    assert record["cwes"] == ["CWE-364"]
    assert record["products"] == ["openssh"]
    assert record["published"] == "2024-07-01T12:37:25.431Z"
    upstream = record["cve5_affected"][0]
    assert upstream["packageName"] == "OpenSSH"
    assert upstream["versions"] == [
        {
            "status": "affected",
            "version": "8.5p1",
            "versionType": "custom",
            "lessThanOrEqual": "9.7p1",
        }
    ]
    assert upstream["provider"] == "redhat"
    rhel = record["cve5_affected"][1]
    assert rhel["cpes"][0] == "cpe:/o:redhat:enterprise_linux:9::baseos"


def test_cve5_adp_score_when_the_cna_has_none() -> None:
    record = part(CVE5_CURL).record
    assert record["cvss_v3"]["score"] == 8.8
    assert record["cvss_source"] == {"cvss_v3": "cve5:CISA-ADP"}
    assert record["cwes"] == ["CWE-787"]
    assert record["products"] == ["curl"]
    assert record["cve5_affected"][0]["provider"] == "hackerone"


def test_osv_record_and_its_cve_part() -> None:
    parsed = read(OSV_OPENSSL)
    osv = [p.item for p in parsed if isinstance(p.item, OsvEntry)]
    assert [entry.record["id"] for entry in osv] == ["CVE-2022-0778"]
    assert "GHSA-x3mh-jvjw-3xwx" in osv[0].record["aliases"]
    record = part(OSV_OPENSSL, PartKind.OSV).record
    assert record["cvss_v3"] == {
        "version": "3.1",
        "score": 7.5,
        "severity": "HIGH",
        "vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H",
    }
    assert record["cvss_source"] == {"cvss_v3": "osv-vector:score-computed"}
    assert "openssl" in record["products"]
    alpine = record["osv_affected"][0]
    assert alpine["package"] == "openssl"
    assert alpine["ecosystems"][:2] == ["Alpine:v3.12", "Alpine:v3.13"]
    assert alpine["ranges"] == [
        {"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1.1.1n-r0"}]}
    ]
    assert shipped_record("CVE-2022-0778")["osv_affected"][0] == alpine


def test_osv_yaml_from_oss_fuzz() -> None:
    parsed = read(OSV_YAML)
    assert [type(p.item) for p in parsed] == [OsvEntry]
    record = parsed[0].item.record  # type: ignore[union-attr]
    assert record["affected"][0]["package"] == {"name": "curl", "ecosystem": "OSS-Fuzz"}
    assert parsed[0].item.modified == "2022-04-13T03:04:42.923505Z"  # type: ignore[union-attr]


def test_kev_catalog_entries() -> None:
    parsed = read(KEV_SAMPLE)
    entries = {p.item.cve: p.item for p in parsed if isinstance(p.item, KevEntry)}
    assert set(entries) == {"CVE-2014-0160", "CVE-2021-3156", "CVE-2014-6271"}
    assert entries["CVE-2021-3156"] == KevEntry(
        cve="CVE-2021-3156", date_added="2022-04-06", due_date="2022-04-27", ransomware="Unknown"
    )
    assert parsed[0].feed_date == "2026-08-07T16:45:47.064800Z"


def test_epss_csv_with_first_comment_header(tmp_path: Path) -> None:
    csv = (
        "#model_version:v2025.03.14,score_date:2026-08-16T00:00:00+0000\n"
        "cve,epss,percentile\n"
        "CVE-2014-0160,0.94469,0.99985\n"
        "CVE-2022-0778,0.70561,0.99335\n"
    )
    path = tmp_path / "epss_scores-2026-08-16.csv.gz"
    path.write_bytes(gzip.compress(csv.encode()))
    scores = [p.item for p in read(path)]
    assert scores[0] == EpssScore("CVE-2014-0160", 0.94469, 0.99985, "2026-08-16")
    assert len(scores) == 2


def test_epss_shipped_subset_and_its_snapshot_line() -> None:
    parsed = read(shipped_dir() / "epss-subset.csv.gz")
    assert {p.feed_date for p in parsed} == {"2026-08-16T11:16:02.000000Z"}
    scores = {p.item.cve: p.item for p in parsed if isinstance(p.item, EpssScore)}
    assert scores["CVE-1999-0009"].score == 0.29013
    assert scores["CVE-1999-0009"].percentile == 0.97998


def test_epss_bad_row_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "epss.csv"
    path.write_text("cve,epss,percentile\nCVE-2014-0160,0.9,0.99\nCVE-2014-0161,high,0.5\n")
    with pytest.raises(FeedError, match=r"epss.csv: line 3: could not convert"):
        read(path)


def test_manifest_gives_upstream_sources_and_record_dates() -> None:
    parsed = read(shipped_dir() / "manifest.json")
    provenance = parsed[0].item
    assert isinstance(provenance, Provenance)
    assert {s.name for s in provenance.sources} >= {"nvd11", "overrides", "cve5", "kev", "epss"}
    dates = dict(provenance.file_dates)
    assert dates["nvd-subset.jsonl.gz"] == "2026-08-21T16:36:16.000000Z"
    assert dates["osv-subset.jsonl.gz"] == "2026-08-21T14:16:19.000000Z"
    assert "known_exploited_vulnerabilities.json.gz" not in dates


@pytest.mark.parametrize("compression", ["", "gz", "xz", "bz2"])
def test_compressed_feeds_read_the_same(compression: str, tmp_path: Path) -> None:
    path = write_json(tmp_path / "feed", load(CVE5_CURL), compression)
    assert part(path).record == part(CVE5_CURL).record


def test_json_lines_and_arrays(tmp_path: Path) -> None:
    kinds = [load(NVD2_SAMPLE), load(CVE5_CURL)]
    lines = tmp_path / "records.jsonl"
    lines.write_text("".join(json.dumps(d) + "\n\n" for d in kinds))
    array = write_json(tmp_path / "records.json", kinds)
    for path in (lines, array):
        assert [p.fmt for p in read(path)] == ["nvd-json-2.0", "cve-json-5"]


def test_broken_json_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{\n  "cveMetadata": {\n    "cveId": "CVE-2023-38545",\n  oops\n}\n')
    with pytest.raises(FeedError, match=r"broken.json: line 4: invalid JSON"):
        read(path)
    lines = tmp_path / "broken.jsonl"
    lines.write_text(json.dumps(load(CVE5_CURL)) + "\n" + '{"id": \n')
    with pytest.raises(FeedError, match=r"broken.jsonl: line 2: invalid JSON"):
        read(lines)


def test_recognised_document_without_an_id_names_the_record(tmp_path: Path) -> None:
    feed = {
        "format": "NVD_CVE",
        "vulnerabilities": [{"cve": nvd2_record("CVE-2030-1111", "", 1.0)}],
    }
    feed["vulnerabilities"].append({"cve": {"id": "not-a-cve", "descriptions": []}})
    with pytest.raises(FeedError, match=r"feed.json: record 2: nvd-json-2.0: .*not-a-cve"):
        read(write_json(tmp_path / "feed.json", feed))


def test_unknown_schema_versions_are_refused(tmp_path: Path) -> None:
    feed = {
        "format": "NVD_CVE",
        "version": "3.0",
        "vulnerabilities": [{"cve": nvd2_record("CVE-2030-1111", "", 1.0)}],
    }
    with pytest.raises(FeedError, match=r"nvd3.json: .*schema version '3.0' is not supported"):
        read(write_json(tmp_path / "nvd3.json", feed))
    feed["version"] = "2.0"
    assert [p.fmt for p in read(write_json(tmp_path / "nvd2.json", feed))] == ["nvd-json-2.0"]
    record = load(CVE5_CURL) | {"dataVersion": "6.0"}
    with pytest.raises(FeedError, match=r"cve6.json: .*dataVersion '6.0' is not supported"):
        read(write_json(tmp_path / "cve6.json", record))


def test_files_that_are_no_feeds(tmp_path: Path) -> None:
    texts = {
        "README.md": "# Notes\n\nsome text\n",
        "package.json": '{"name": "x", "version": "1.0.0"}\n',
        "config.yaml": "name: x\nitems: [1, 2]\n",
        "binary.bin": bytes(range(256)).decode("latin-1"),
        "empty.json": "",
    }
    for name, text in texts.items():
        path = tmp_path / name
        path.write_text(text, encoding="latin-1")
        with pytest.raises(UnknownFormat):
            read(path)


def test_timestamps_of_every_feed_sort_together() -> None:
    assert timestamp("2021-03-26T20:02Z") == "2021-03-26T20:02:00.000000Z"
    assert timestamp("2019-01-24T16:29:00.317") == "2019-01-24T16:29:00.317000Z"
    assert timestamp("2026-08-16T13:16:02+02:00") == "2026-08-16T11:16:02.000000Z"
    assert timestamp("2026-08-07T16:45:47.0648Z") == "2026-08-07T16:45:47.064800Z"
    assert timestamp("2022-05-04") == "2022-05-04T00:00:00.000000Z"
    assert timestamp("yesterday") is None


def test_cpe_vendor_and_product() -> None:
    assert cpe_vendor_product("cpe:2.3:a:NodeJS:node.js:*:*:*:*:*:*:*:*") == ("nodejs", "node.js")
    assert cpe_vendor_product(r"cpe:2.3:a:foo\:bar:c\+\+:1:*:*:*:*:*:*:*") == ("foo:bar", "c++")
    assert cpe_vendor_product("cpe:/a:redhat:enterprise_linux:9::appstream") == (
        "redhat",
        "enterprise_linux",
    )
    assert cpe_vendor_product("cpe:2.3:a:*:*:*") is None


def test_pypi_names_are_normalised() -> None:
    assert package_key("PyPI", "Foo_Bar.baz") == "foo-bar-baz"
    assert package_key("npm", "Foo_Bar") == "Foo_Bar"


def test_units_of_a_zip_skip_hidden_members(tmp_path: Path) -> None:
    archive = write_zip(
        tmp_path / "all.zip",
        {
            "a/CVE-2022-0778.json": OSV_OPENSSL.read_bytes(),
            "__MACOSX/.hidden.json": b"{",
            ".git/config": b"[core]",
        },
    )
    found = list(units(archive, "all.zip", True))
    assert [unit.label for unit in found] == ["all.zip!a/CVE-2022-0778.json"]
    assert all(isinstance(unit, Unit) and not unit.explicit for unit in found)
