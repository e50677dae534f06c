"""The matcher against an independent oracle (`nvd_oracle`): for real versions of real products,
the CVEs matched through CPE configurations are exactly those the oracle finds in the records'
configurations; and every match of any method carries the data that names the product."""

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from assay.vuln import db
from assay.vuln.db import VulnDatabase
from assay.vuln.match_result import MatchMethod, VulnMatch
from assay.vuln.matcher import Matcher
from assay.vuln.memory_source import MemorySource
from tests.vuln import nvd_oracle as oracle
from tests.vuln.matching_support import (
    KERNEL_FILE,
    MAIN_FILE,
    SAMPLES,
    component,
    data_dir,
    full_source,
)

# Released versions. Left out because the oracle's simple rule cannot decide them (it raises
# Ambiguous, and this set must never make it): bash 4.4.x and 5.0.x with a patch number (NVD
# writes `bash:4.4:patch1`; whether that is 4.4.1 is bash's convention, not the rule's); bind
# 9.11.5 (NVD's `9.11.5:s3` subscription editions); jq 1.6 (a bound `1.6rc2`); lz4 (a bound
# `r118`); nodejs (a bound `4.*`).
VERSIONS: dict[str, tuple[str, ...]] = {
    "openssl": ("0.9.8za", "1.0.1f", "1.0.2k", "1.0.2u", "1.1.0l", "1.1.1k", "1.1.1w", "3.0.7"),
    "busybox": ("1.20.2", "1.24.1", "1.30.1", "1.33.1", "1.36.1"),
    "dropbear": ("2013.62", "2016.74", "2019.78", "2022.83"),
    "openssh": ("5.3p1", "6.6p1", "7.4p1", "8.2p1", "8.4p1", "9.2p1"),
    "curl": ("7.19.7", "7.50.0", "7.64.0", "7.74.0", "8.1.2"),
    "dnsmasq": ("2.45", "2.76", "2.80", "2.85", "2.89"),
    "sudo": ("1.8.3p1", "1.8.27", "1.8.31p2", "1.9.5p1", "1.9.5p2", "1.9.13p3"),
    "bash": ("3.2.57", "4.1.17", "4.2.53", "4.3", "4.3.48", "5.1.16", "5.2.15"),
    "glibc": ("2.17", "2.24", "2.28", "2.31", "2.36"),
    "zlib": ("1.2.3", "1.2.8", "1.2.11", "1.2.13"),
    "libpng": ("1.2.50", "1.5.13", "1.6.34", "1.6.37"),
    "expat": ("2.1.0", "2.2.5", "2.4.1", "2.5.0"),
    "sqlite": ("3.7.17", "3.22.0", "3.31.1", "3.40.1"),
    "lighttpd": ("1.4.35", "1.4.45", "1.4.59"),
    "nginx": ("1.4.0", "1.10.3", "1.16.1", "1.22.1"),
    "samba": ("3.6.25", "4.7.6", "4.13.13"),
    "wpa_supplicant": ("2.4", "2.6", "2.9", "2.10"),
    "hostapd": ("2.6", "2.9", "2.10"),
    "libxml2": ("2.7.8", "2.9.4", "2.9.10", "2.9.14"),
    "ntp": ("4.2.6p5", "4.2.8", "4.2.8p10", "4.2.8p15"),
    "strongswan": ("5.3.5", "5.5.1", "5.9.1"),
    "openvpn": ("2.3.10", "2.4.7", "2.5.1"),
    "mbedtls": ("2.7.0", "2.16.0", "2.28.1"),
    "unbound": ("1.6.0", "1.9.0", "1.13.1"),
    "miniupnpd": ("1.9", "2.1"),
    "net-snmp": ("5.7.2", "5.7.3", "5.8"),
    "pcre": ("8.32", "8.39", "8.45"),
    "uclibc": ("0.9.33.2",),
    "u-boot": ("2013.07", "2020.04"),
    "python": ("2.7.18", "3.8.10"),
    "php": ("7.4.3",),
    "bind": ("9.16.1",),
    "wolfssl": ("4.5.0",),
}
# products whose patch level NVD writes in the CPE update field (`openssh:7.4:p1`)
PATCH_IN_UPDATE = frozenset({"openssh", "sudo", "ntp"})
CASES = [(p, v) for p, versions in VERSIONS.items() for v in versions]


@cache
def product_names() -> dict[str, frozenset[str]]:
    """Each product's NVD vendor:product names, from the data's own manifest."""
    manifest = json.loads((data_dir() / "manifest.json").read_text(encoding="utf-8"))
    return {product: frozenset(names) for product, names in manifest["products"].items()}


@cache
def records_by_name() -> dict[str, dict[str, dict[str, Any]]]:
    """The shipped records (the kernel file's too) by every vendor:product their entries name."""
    index: dict[str, dict[str, dict[str, Any]]] = {}
    for record in oracle.load_records(data_dir() / MAIN_FILE, data_dir() / KERNEL_FILE):
        for config in record.get("configurations") or ():
            for node in config.get("nodes", ()):
                for entry in node.get("cpeMatch", ()):
                    index.setdefault(oracle.entry_name(entry), {})[record["id"]] = record
    return index


@cache
def matcher() -> Matcher:
    return Matcher(full_source())


def oracle_component(product: str, version: str) -> oracle.Component:
    names = product_names()[product]
    patch = re.fullmatch(r"(.+?)(p[0-9]+)", version) if product in PATCH_IN_UPDATE else None
    if patch:
        return oracle.Component(names, patch[1], patch[2])
    return oracle.Component(names, version)


def expected(product: str, version: str) -> dict[str, bool]:
    """The oracle's matches of a product version: CVE → conditional."""
    subject = oracle_component(product, version)
    records = {i: r for n in subject.names for i, r in records_by_name().get(n, {}).items()}
    return {v.cve: v.conditional for v in oracle.matches(records.values(), subject).values()}


def configured(product: str, version: str) -> dict[str, VulnMatch]:
    """The matcher's matches of a product version that came from CPE configurations."""
    result = matcher().assess(component(product, version))
    return {m.cve: m for m in result.matches if m.method is MatchMethod.CPE_CONFIGURATION}


def test_the_version_set_is_large_and_covers_conditional_matches() -> None:
    assert len(CASES) >= 60
    conditional = [c for p, v in CASES for c in expected(p, v).values()]
    assert len(conditional) > 1000
    assert any(conditional)  # glibc running on Linux, curl on Windows, …


@pytest.mark.parametrize(("product", "version"), CASES, ids=[f"{p}-{v}" for p, v in CASES])
def test_configuration_matches_equal_the_oracle(product: str, version: str) -> None:
    want = expected(product, version)
    got = configured(product, version)
    assert sorted(got) == sorted(want)
    assert {cve: bool(m.conditions) for cve, m in got.items()} == want
    for match in got.values():
        for hit in match.why["matched"]:
            assert oracle.entry_name(hit) in product_names()[product], (match.cve, hit)


# --- no match on the product name alone -------------------------------------------------------


def _names_cve5_entry(match: VulnMatch) -> bool:
    entry = match.why["cve5"]
    if not (entry.get("vendor") and entry.get("product")) and not entry.get("packageName"):
        return False
    keys = ("vendor", "product", "packageName")
    return any(
        all((raw.get(k) or None) == entry.get(k) for k in keys)
        for raw in match.record.get("cve5_affected", ())
    )


def _names_distribution_package(match: VulnMatch) -> bool:
    packages = {str(a.get("package")) for a in match.record.get("osv_affected", ())}
    sources = [*match.why.get("fixes", ()), *match.why.get("unfixed", ())]
    return bool(sources) and all(s.split()[1] in packages for s in sources)


def _names_criteria(match: VulnMatch) -> bool:
    names = product_names()[match.product]
    return bool(match.why["matched"]) and all(
        oracle.entry_name(hit) in names for hit in match.why["matched"]
    )


EVIDENCE = {
    MatchMethod.CPE_CONFIGURATION: _names_criteria,
    MatchMethod.CVE5_AFFECTED: _names_cve5_entry,
    MatchMethod.OSV: lambda m: bool(m.why.get("package") and m.why.get("ecosystem")),
    MatchMethod.KERNEL_STABLE_FIX: lambda m: bool(m.why.get("kernel_fixed_in")),
    MatchMethod.DISTRIBUTION_FIX: _names_distribution_package,
}
KERNELS = ("3.18.140", "4.14.180", "5.10.90", "6.1.55")
DEBIAN = (
    ("openssl", "libssl3", "3.0.11-1~deb12u2"),
    ("curl", "libcurl4", "7.88.1-10+deb12u3"),
    ("busybox", "busybox", "1:1.35.0-4"),
    ("openssh", "openssh-server", "1:9.2p1-2+deb12u2"),
)


def _every_match() -> list[VulnMatch]:
    components = [component(p, v) for p, v in CASES]
    components += [component("linux_kernel", v) for v in KERNELS]
    for product, package, version in DEBIAN:
        purl = f"pkg:deb/debian/{package}@{version.replace('+', '%2B')}?distro=debian-12"
        components.append(component(product, version, purl=purl, ecosystem="deb"))
    return [m for c in components for m in matcher().assess(c).matches]


def test_no_cve_is_matched_by_product_name_alone() -> None:
    matches = _every_match()
    assert {m.method for m in matches} == set(MatchMethod)
    for match in matches:
        assert EVIDENCE[match.method](match), (match.product, match.cve, match.why)


def test_distribution_saying_never_affected_is_no_match() -> None:
    # Alpine's `introduced 0, fixed 0` means its package never had the flaw: CVE-2023-4807
    # (OpenSSL on Windows only), CVE-2023-6992 (Cloudflare's zlib fork), CVE-2022-3638 (rejected)
    for product, version, cve in (
        ("openssl", "1.0.2k", "CVE-2023-4807"),
        ("zlib", "1.2.13", "CVE-2023-6992"),
        ("nginx", "1.22.1", "CVE-2022-3638"),
    ):
        record = full_source().record(cve)
        assert record is not None
        assert record["osv_affected"][0]["ranges"][0]["events"][-1] == {"fixed": "0"}
        assert cve not in {m.cve for m in matcher().assess(component(product, version)).matches}


def test_no_update_criteria_is_the_release_alone() -> None:
    # CVE-2014-9750 (fixed in 4.2.8p1): [4.2.0, 4.2.8) and `ntp:4.2.8:-`, 4.2.8 without update
    assert "CVE-2014-9750" in configured("ntp", "4.2.8")
    assert "CVE-2014-9750" in configured("ntp", "4.2.7p11")
    assert "CVE-2014-9750" not in configured("ntp", "4.2.8p1")
    assert "CVE-2014-9750" not in expected("ntp", "4.2.8p1")


# --- ranges, platforms, aliases ----------------------------------------------------------------


def _excluding_ends(product: str) -> set[str]:
    """The versionEndExcluding bounds of the product's entries that the oracle can order."""
    ends = set()
    for name in product_names()[product]:
        for record in records_by_name().get(name, {}).values():
            for config in record["configurations"]:
                for node in config["nodes"]:
                    ends |= {
                        e["versionEndExcluding"]
                        for e in node["cpeMatch"]
                        if e.get("versionEndExcluding") and oracle.entry_name(e) == name
                    }
    return {e for e in ends if _orderable(e)}


def _orderable(version: str) -> bool:
    try:
        oracle.compare(version, version)
    except oracle.Ambiguous:
        return False
    return oracle.PRE_RELEASE not in oracle.version_key(version)


def test_openssl_excluding_end_is_not_matched() -> None:
    record = full_source().record("CVE-2021-23840")
    assert record is not None
    ranges = [e for c in record["configurations"] for n in c["nodes"] for e in n["cpeMatch"]]
    assert {"versionStartIncluding": "1.0.2", "versionEndExcluding": "1.0.2y"}.items() <= (
        ranges[0].items()
    )
    assert "CVE-2021-23840" in configured("openssl", "1.0.2x")
    assert "CVE-2021-23840" not in configured("openssl", "1.0.2y")


@pytest.mark.parametrize("product", ["openssl", "openssh", "dropbear", "busybox", "sudo"])
def test_no_version_is_matched_by_the_range_it_ends(product: str) -> None:
    ends = _excluding_ends(product)
    assert len(ends) >= 5
    for end in sorted(ends):
        for match in configured(product, end).values():
            hits = match.why["matched"]
            assert all(h.get("versionEndExcluding") != end for h in hits), (match.cve, hits)


def test_and_configuration_on_a_platform_agrees_with_the_oracle() -> None:
    # CVE-2019-1653: rv320_firmware 1.4.2.15 or 1.4.2.17 AND running on h:cisco:rv320
    raw = json.loads((SAMPLES / "nvd-json-2.0_CVE-2019-1653.json").read_text(encoding="utf-8"))
    record = {"id": raw["id"], "configurations": raw["configurations"]}
    names = frozenset({"cisco:rv320_firmware"})
    sample = Matcher(MemorySource([record]))
    for version, conditional in (("1.4.2.15", True), ("1.4.2.17", True), ("1.4.2.20", None)):
        verdict = oracle.assess(record, oracle.Component(names, version))
        assert (verdict.conditional if verdict else None) is conditional
        cpe = f"cpe:2.3:o:cisco:rv320_firmware:{version}:*:*:*:*:*:*:*"
        found = sample.assess(component("rv320_firmware", version, cpes=(cpe,))).matches
        assert [bool(m.conditions) for m in found] == ([] if conditional is None else [True])


def test_cves_filed_under_haxx_libcurl_only_match_curl() -> None:
    libcurl_only = {
        cve
        for cve, record in records_by_name()["haxx:libcurl"].items()
        if "haxx:curl" not in _vulnerable_names(record)
    }
    assert len(libcurl_only) >= 20
    found = {
        cve: match
        for version in VERSIONS["curl"]
        for cve, match in configured("curl", version).items()
        if cve in libcurl_only
    }
    assert len(found) >= 5
    for match in found.values():
        assert any(":haxx:libcurl:" in h["criteria"] for h in match.why["matched"])


def _vulnerable_names(record: dict[str, Any]) -> set[str]:
    return {
        oracle.entry_name(e)
        for c in record["configurations"]
        for n in c["nodes"]
        for e in n["cpeMatch"]
        if e["vulnerable"]
    }


# --- shapes the NVD data does not show: negation, AND nodes ----------------------------------

DNSMASQ_UP_TO_2_85 = {
    "criteria": "cpe:2.3:a:thekelleys:dnsmasq:*:*:*:*:*:*:*:*",
    "vulnerable": True,
    "versionEndIncluding": "2.85",
}
DNSMASQ_2_80 = {"criteria": "cpe:2.3:a:thekelleys:dnsmasq:2.80:*:*:*:*:*:*:*", "vulnerable": False}
ROUTER = {"criteria": "cpe:2.3:h:acme:router:-:*:*:*:*:*:*:*", "vulnerable": False}
OTHER_APP = {"criteria": "cpe:2.3:a:isc:bind:9.11.0:*:*:*:*:*:*:*", "vulnerable": True}


def _shape(operator: str | None, *nodes: tuple[str, bool, list[dict[str, Any]]]) -> dict[str, Any]:
    config: dict[str, Any] = {
        "nodes": [{"operator": o, "negate": n, "cpeMatch": e} for o, n, e in nodes]
    }
    if operator:
        config["operator"] = operator
    return config


SHAPES = {
    "or-with-other-product": _shape(None, ("OR", False, [DNSMASQ_UP_TO_2_85, OTHER_APP])),
    "and-on-router": _shape("AND", ("OR", False, [DNSMASQ_UP_TO_2_85]), ("OR", False, [ROUTER])),
    "and-not-on-router": _shape("AND", ("OR", False, [DNSMASQ_UP_TO_2_85]), ("OR", True, [ROUTER])),
    "and-node-with-router": _shape(None, ("AND", False, [DNSMASQ_UP_TO_2_85, ROUTER])),
    "all-but-2.80": _shape(
        "AND", ("OR", False, [DNSMASQ_UP_TO_2_85]), ("OR", True, [DNSMASQ_2_80])
    ),
    "negated-subject-node": _shape(None, ("OR", True, [DNSMASQ_UP_TO_2_85])),
    "negated-configuration": {**_shape(None, ("OR", False, [DNSMASQ_UP_TO_2_85])), "negate": True},
}


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_oracle_and_matcher_agree_on_negation_and_and_nodes(shape: str) -> None:
    record = {"id": "CVE-2000-0001", "configurations": [SHAPES[shape]]}
    sample = Matcher(MemorySource([record]))
    outcomes = set()
    for version in ("2.79", "2.80", "2.86"):
        verdict = oracle.assess(record, oracle_component("dnsmasq", version))
        want = None if verdict is None else verdict.conditional
        found = sample.assess(component("dnsmasq", version)).matches
        assert [bool(m.conditions) for m in found] == ([] if want is None else [want]), version
        outcomes.add(want)
    assert outcomes != {None} or shape.startswith("negated")


# --- the database decodes each record once (the matching benchmark's fix) ---------------------


def test_database_records_are_decoded_once_and_refreshed_by_an_import(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "vuln.sqlite"
    with VulnDatabase.open(path) as database:
        database.import_paths([SAMPLES / "nvd-json-1.1_CVE-2021-3156.json"])
        first = database.record("CVE-2021-3156")
        assert first is not None and "kev" not in first
        assert database.cves_for_product("sudo")[0] is first
        assert database.cves_for_cpe("sudo_project", "sudo")[0] is first
        database.import_paths([SAMPLES / "cisa-kev_excerpt.json"])
        again = database.record("CVE-2021-3156")
        assert again is not None and again["kev"]["date_added"] == "2022-04-06"
    monkeypatch.setattr(db, "RECORD_CACHE_SIZE", 0)
    with VulnDatabase.open(path, readonly=True) as database:
        fresh = database.cves_for_cpe("sudo_project", "sudo")
        assert fresh == [again] and fresh[0] is not database.cves_for_product("sudo")[0]
