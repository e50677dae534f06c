"""The shipped identification rules: every rule reads its real version-string layout, refuses
look-alikes, names products as the vulnerability data does, and feeds the copies report."""

import json
import shutil
import subprocess
from collections.abc import Iterable
from pathlib import Path

import pytest

from assay.catalog.binary.engine import Hit, Matcher
from assay.catalog.binary.rules import Rule, load_rules
from assay.catalog.copies import copies_report
from assay.pipeline.evaluator import Evaluator, ScanOptions
from tests.factories.version_strings import (
    LOOK_ALIKES,
    NAME_SAMPLES,
    SAMPLES,
    LookAlike,
    Sample,
    embedded,
)

RULES = load_rules()
MATCHER = Matcher(RULES)
BY_PRODUCT = {rule.product: rule for rule in RULES}
MANIFEST = Path(__file__).resolve().parents[3] / "shared" / "vulndata" / "manifest.json"


def identified(data: bytes) -> set[tuple[str, str]]:
    """(product, version) pairs the binary cataloger would keep for these bytes."""
    return {(hit.rule.product, hit.version) for hit in MATCHER.scan(data) if _kept(hit)}


def _kept(hit: Hit) -> bool:
    return hit.confirmed or not hit.rule.require_contains


def _ids(rows: Iterable[Sample | LookAlike]) -> list[str]:
    return [f"{row.product}-{i}" for i, row in enumerate(rows)]


@pytest.mark.parametrize("sample", SAMPLES, ids=_ids(SAMPLES))
def test_version_string_is_read(sample: Sample) -> None:
    assert identified(embedded(sample.data)) == {(sample.product, sample.version)}


@pytest.mark.parametrize("look_alike", LOOK_ALIKES, ids=_ids(LOOK_ALIKES))
def test_look_alike_is_not_a_version(look_alike: LookAlike) -> None:
    found = identified(embedded(look_alike.data))
    assert not {product for product, _ in found} & {look_alike.product}, look_alike.why


def test_every_rule_has_a_positive_sample() -> None:
    sampled = {sample.product for sample in SAMPLES}
    named = {product for product, _, version in NAME_SAMPLES if version}
    with_patterns = {r.product for r in RULES if r.version_patterns}
    assert sorted(with_patterns - sampled) == []
    # rules with version symbols only are sampled in tests/unit/test_version_encodings.py
    with_symbols = {r.product for r in RULES if r.version_symbols}
    assert sorted(set(BY_PRODUCT) - with_patterns - named - with_symbols) == []
    assert sorted(sampled - set(BY_PRODUCT)) == []
    assert sorted({r.product for r in RULES if r.file_versions} - named) == []


@pytest.mark.parametrize(("product", "file_name", "version"), NAME_SAMPLES)
def test_file_name_versions(product: str, file_name: str, version: str | None) -> None:
    assert BY_PRODUCT[product].version_from_name(file_name) == version


def test_look_alikes_name_existing_rules() -> None:
    assert sorted({row.product for row in LOOK_ALIKES} - set(BY_PRODUCT)) == []


def test_rules_cover_network_equipment() -> None:
    assert len(RULES) >= 80


def test_junk_alone_identifies_nothing() -> None:
    assert identified(embedded(b"")) == set()


@pytest.mark.parametrize("rule", RULES, ids=[rule.product for rule in RULES])
def test_rule_names_the_product(rule: Rule) -> None:
    assert rule.supplier, "supplier"
    assert rule.cpes and all(cpe.startswith("cpe:2.3:") for cpe in rule.cpes)
    assert rule.purl and rule.purl.startswith("pkg:")
    if rule.product != "boringssl":
        assert all("{version}" in cpe for cpe in rule.cpes)
        assert rule.purl_for("1.2.3") != rule.purl


def test_required_markers_exist_where_demanded() -> None:
    assert [r.product for r in RULES if r.require_contains and not r.contains] == []


def test_products_use_the_vulnerability_data_names() -> None:
    if not MANIFEST.is_file():
        pytest.skip(f"{MANIFEST} not present")
    products: dict[str, list[str]] = json.loads(MANIFEST.read_text())["products"]
    for key, pairs in products.items():
        if key not in BY_PRODUCT:
            continue
        names = {":".join(cpe.split(":")[3:5]) for cpe in BY_PRODUCT[key].cpes}
        assert names & set(pairs), f"{key}: {names} not in {pairs}"


@pytest.mark.parametrize(
    ("product", "version", "date"),
    [
        ("openssl", "1.0.2k", "2019-12-31"),
        ("openssl", "3.0.11", "2026-09-07"),
        ("openssl", "0.9.8zh", "2015-12-31"),
        ("python", "3.7.17", "2023-06-27"),
        ("php", "7.4.33", "2022-11-28"),
        ("nodejs", "16.20.2", "2023-09-11"),
        ("linux_kernel", "4.14.180-xyz", "2024-01-10"),
        ("linux_kernel", "4.4.198", "2022-02-03"),
    ],
)
def test_end_of_life_lines(product: str, version: str, date: str) -> None:
    assert BY_PRODUCT[product].eol_for(version) == date


@pytest.mark.parametrize(
    ("product", "version"),
    [("linux_kernel", "4.1.52"), ("python", "3.12.1"), ("busybox", "1.36.1")],
)
def test_no_end_of_life_where_none_is_published(product: str, version: str) -> None:
    assert BY_PRODUCT[product].eol_for(version) is None


def test_decimal_versions_map_to_releases() -> None:
    libxml2 = BY_PRODUCT["libxml2"]
    assert libxml2.normalise("20914") == "2.9.14"
    assert libxml2.normalise("21210") == "2.12.10"
    assert libxml2.normalise("20632") == "2.6.32"
    assert BY_PRODUCT["libxslt"].normalise("10143") == "1.1.43"


# --- the copies report on a release built by code ----------------------------------------------

OPENSSL = {
    "1.0.2k": b"OpenSSL 1.0.2k  26 Jan 2017",
    "1.1.1w": b"OpenSSL 1.1.1w  11 Sep 2023",
    "3.0.11": b"OpenSSL 3.0.11 19 Sep 2023",
    "0.9.8zh": b"OpenSSL 0.9.8zh 3 Dec 2015",
}
COPIES = {
    "1.0.2k": ["lib/libcrypto.so.1.0.0", "opt/vendor/lib/libcrypto.so.1.0.0", "usr/sbin/vendord"],
    "1.1.1w": ["usr/lib/libcrypto.so.1.1", "opt/app/lib/libcrypto.so.1.1"],
    "3.0.11": ["usr/lib/libcrypto.so.3"],
    "0.9.8zh": ["opt/legacy/libcrypto.so.0.9.8"],
}
C_LIBRARY = """\
const char *version_text(void) { return "%s"; }
const char *version_dir(void) { return "OPENSSLDIR: \\"/usr/lib/ssl\\""; }
"""
C_DAEMON = """\
#include <stdio.h>
static const char banner[] = "%s";
static const char dir[] = "OPENSSLDIR: \\"/etc/vendor/ssl\\"";
int main(int argc, char **argv) {
    printf("vendord %%s %%s %%s\\n", argc > 1 ? argv[1] : "", banner, dir);
    return 0;
}
"""


def _compile(source: str, output: Path, *flags: str) -> None:
    output.parent.mkdir(parents=True, exist_ok=True)
    source_file = output.with_suffix(".c")
    source_file.write_text(source)
    subprocess.run(["gcc", "-O2", *flags, "-o", str(output), str(source_file)], check=True)
    source_file.unlink()


def _build_release(root: Path, scratch: Path) -> None:
    """Each OpenSSL version compiled once as a shared library and copied where COPIES says; the
    vendor daemon links OpenSSL 1.0.2k statically (its version text is in the program)."""
    for version, places in COPIES.items():
        text = OPENSSL[version].decode()
        library = scratch / f"libcrypto-{version}.so"
        _compile(C_LIBRARY % text, library, "-shared", "-fPIC")
        for place in places:
            target = root / place
            target.parent.mkdir(parents=True, exist_ok=True)
            if place.endswith("vendord"):
                _compile(C_DAEMON % text, target)
            else:
                shutil.copyfile(library, target)


@pytest.mark.skipif(shutil.which("gcc") is None, reason="gcc is needed to build the release")
def test_copies_report_counts_every_copy_of_each_version(tmp_path: Path) -> None:
    release = tmp_path / "release"
    _build_release(release, tmp_path / "build")
    evaluation = Evaluator(ScanOptions()).evaluate(release)
    report = {p.product: p for p in copies_report(list(evaluation.components))}
    openssl = report["openssl"]
    counts = {v.version: len(v.locations) for v in openssl.versions}
    assert counts == {version: len(places) for version, places in COPIES.items()}
    assert openssl.copies == 7
    by_version = {v.version: v for v in openssl.versions}
    assert sorted(by_version["1.0.2k"].locations) == sorted(
        f"release › /{place}" for place in COPIES["1.0.2k"]
    )
    assert by_version["1.0.2k"].embedded == 1
    assert by_version["1.0.2k"].eol == "2019-12-31"
    assert by_version["3.0.11"].eol == "2026-09-07"
    assert by_version["0.9.8zh"].eol == "2015-12-31"
