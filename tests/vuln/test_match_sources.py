"""MemorySource over the shipped records, and the alias table the matcher looks names up in."""

import json
from pathlib import Path

from assay.vuln.aliases import alias_table, normalise_name, product_names, products_for_name
from assay.vuln.memory_source import MemorySource
from tests.vuln.matching_support import SAMPLES, data_dir, full_source, main_source


def test_records_are_indexed_by_vulnerable_cpe_name() -> None:
    source = main_source()
    heartbleed = [r["id"] for r in source.cves_for_cpe("openssl", "openssl")]
    assert "CVE-2014-0160" in heartbleed
    # a vulnerable:false platform name does not index the record
    assert "CVE-2017-18269" not in [r["id"] for r in source.cves_for_cpe("linux", "linux_kernel")]


def test_records_are_indexed_by_cve5_cpes_and_products() -> None:
    source = main_source()
    by_cpe = {r["id"] for r in source.cves_for_cpe("curl", "libcurl")}
    assert "CVE-2024-2466" in by_cpe  # CISA-ADP entry with cpe:2.3:a:curl:libcurl:8.5.0
    assert "CVE-2022-0778" in {r["id"] for r in source.cves_for_product("openssl")}
    assert source.cves_for_product("no-such-product") == []


def test_kev_and_epss_come_from_the_records() -> None:
    source = main_source()
    kev = source.kev("CVE-2021-3156")
    assert kev is not None and kev.date_added == "2022-04-06"
    assert source.kev("CVE-2017-3735") is None
    epss = source.epss("CVE-2021-3156")
    assert epss is not None and 0.9 < epss.score <= 1.0
    assert source.epss("CVE-0000-0000") is None


def test_osv_records_by_ecosystem_and_name() -> None:
    source = main_source()
    assert {r["id"] for r in source.osv_for_package("OSS-Fuzz", "curl")} >= {"OSV-2017-1"}
    sample = json.loads((SAMPLES / "osv_CVE-2021-42374.json").read_text(encoding="utf-8"))
    memory = MemorySource(osv=[sample])
    assert [r["id"] for r in memory.osv_for_package("Alpine:v3.11", "busybox")] == [
        "CVE-2021-42374"
    ]
    assert [r["id"] for r in memory.osv_for_package("alpine", "BusyBox")] == ["CVE-2021-42374"]
    assert memory.osv_for_package("Debian:12", "curl") == []


def test_from_jsonl_reads_plain_and_gzip_files(tmp_path: Path) -> None:
    plain = tmp_path / "records.jsonl"
    plain.write_text('{"id": "CVE-2000-0001", "products": ["bash"]}\n\n', encoding="utf-8")
    source = MemorySource.from_jsonl(plain, data_dir() / "nvd-subset.jsonl.gz")
    assert source.record("CVE-2000-0001") is not None
    assert len(source) == len(main_source()) + 1


def test_kernel_file_holds_the_kernel_only_records() -> None:
    assert len(full_source()) > 10_000
    assert main_source().record("CVE-2022-0847") is None
    assert full_source().record("CVE-2022-0847") is not None


def test_alias_table_holds_every_manifest_name() -> None:
    manifest = json.loads((data_dir() / "manifest.json").read_text(encoding="utf-8"))
    for product, names in manifest["products"].items():
        assert set(names) <= set(product_names(product).cpe), product


def test_rule_cpes_are_added_to_the_table() -> None:
    assert product_names("libressl").cpe == ("openbsd:libressl",)
    assert product_names("curl").cpe[0] == "haxx:curl"
    assert "dropbear" in alias_table()


def test_reverse_lookup_and_cna_names() -> None:
    assert products_for_name("daniel_stenberg:curl") == ("curl",)
    assert products_for_name("HAXX:LIBCURL") == ("curl",)
    assert normalise_name("ISC", "BIND 9") in product_names("bind").cve5
    assert normalise_name("Linux", "Linux") in product_names("linux_kernel").cve5
    assert product_names("no-such-product").cpe == ()
