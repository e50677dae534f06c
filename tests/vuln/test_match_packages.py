"""Distribution and language packages: OSV ranges for the ecosystem package, and the upstream
fallback for CVEs the distribution release has no entry for."""

import json
from typing import Any

import pytest

from assay.vuln.match_result import MatchMethod, VulnMatch
from assay.vuln.matcher import Matcher
from assay.vuln.memory_source import MemorySource
from tests.vuln.matching_support import SAMPLES, component, main_source


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher(main_source())


def deb(product: str, package: str, version: str, release: str | None = "debian-12") -> Any:
    purl = f"pkg:deb/debian/{package}@{version.replace('+', '%2B')}"
    if release:
        purl += f"?distro={release}"
    return component(product, version, purl=purl, ecosystem="deb")


def apk(product: str, package: str, version: str, release: str = "alpine-3.11.6") -> Any:
    purl = f"pkg:apk/alpine/{package}@{version}?distro={release}"
    return component(product, version, purl=purl, ecosystem="apk")


def found(matcher: Matcher, package: Any) -> dict[str, VulnMatch]:
    return {m.cve: m for m in matcher.assess(package).matches}


def test_debian_stable_update_fixes_curl(matcher: Matcher) -> None:
    # CVE-2023-38545 in Debian 12: fixed in 7.88.1-10+deb12u4
    match = found(matcher, deb("curl", "curl", "7.88.1-10+deb12u3"))["CVE-2023-38545"]
    assert match.method is MatchMethod.OSV
    assert match.fixed_version == "7.88.1-10+deb12u4"
    assert match.sentence.startswith("OSV Debian:12 curl: 7.88.1-10+deb12u3 is affected")
    fixed = found(matcher, deb("curl", "curl", "7.88.1-10+deb12u4"))
    # the distribution's entry decides: no upstream judgement of the same CVE
    assert "CVE-2023-38545" not in fixed


def test_binary_package_is_matched_through_its_source_package(matcher: Matcher) -> None:
    # libcurl4 is built from source package curl, which the Debian data names
    assert "CVE-2023-38545" in found(matcher, deb("curl", "libcurl4", "7.88.1-10+deb12u3"))


def test_alpine_revision_fixes_busybox(matcher: Matcher) -> None:
    # CVE-2021-42374 in Alpine 3.11: fixed in 1.31.1-r11
    assert "CVE-2021-42374" in found(matcher, apk("busybox", "busybox", "1.31.1-r10"))
    assert "CVE-2021-42374" not in found(matcher, apk("busybox", "busybox", "1.31.1-r11"))
    # the same version is fixed in 3.12 only at r21
    newer = apk("busybox", "busybox", "1.31.1-r11", release="alpine-3.12.0")
    assert found(matcher, newer)["CVE-2021-42374"].fixed_version == "1.31.1-r21"


def test_debian_epoch_versions(matcher: Matcher) -> None:
    # CVE-2021-42374 in Debian 12: fixed in 1:1.35.0-1
    assert "CVE-2021-42374" in found(matcher, deb("busybox", "busybox", "1:1.30.1-6"))
    assert "CVE-2021-42374" not in found(matcher, deb("busybox", "busybox", "1:1.35.0-1"))


def test_unknown_release_is_judged_by_every_release(matcher: Matcher) -> None:
    package = deb("busybox", "busybox", "1:1.30.1-6", release=None)
    assert found(matcher, package)["CVE-2021-42374"].method is MatchMethod.OSV


def test_cves_the_distribution_has_no_entry_for_fall_back_to_upstream(matcher: Matcher) -> None:
    # Debian 9 is not in the distribution data: the upstream version 1.0.1t decides, presumed
    libssl = deb("openssl", "libssl1.0.2", "1.0.1t-1+deb8u12", release="debian-9")
    match = found(matcher, libssl)["CVE-2016-2183"]
    assert match.method is MatchMethod.CPE_CONFIGURATION
    assert match.presumed
    assert match.why["basis"] == (
        "upstream version 1.0.1t of the distribution package 1.0.1t-1+deb8u12"
    )
    assert match.sentence.endswith("(judged on the " + match.why["basis"] + ")")


def test_raw_osv_records_are_read_too() -> None:
    # the samples are OSV.dev records (Alpine and Debian affected packages, `versions` lists)
    records = [
        json.loads((SAMPLES / name).read_text(encoding="utf-8"))
        for name in ("osv_CVE-2021-42374.json", "osv_CVE-2022-0778.json")
    ]
    matcher = Matcher(MemorySource(osv=records))
    busybox = found(matcher, apk("busybox", "busybox", "1.31.1-r10"))
    assert busybox["CVE-2021-42374"].record["id"] == "CVE-2021-42374"
    assert busybox["CVE-2021-42374"].method is MatchMethod.OSV
    assert found(matcher, apk("busybox", "busybox", "1.31.1-r11")) == {}


def _osv(ident: str, ecosystem: str, name: str, *ranges: dict[str, Any]) -> dict[str, Any]:
    """An OSV record as the GitHub advisory database publishes them."""
    affected = {"package": {"ecosystem": ecosystem, "name": name}, "ranges": list(ranges)}
    return {"id": ident, "aliases": [f"CVE-{ident[5:]}"], "affected": [affected]}


def _events(*events: dict[str, str], kind: str = "ECOSYSTEM") -> dict[str, Any]:
    return {"type": kind, "events": list(events)}


def test_pypi_package_with_pep440_ranges() -> None:
    # CVE-2023-32681 (requests: Proxy-Authorization leak): introduced 2.3.0, fixed 2.31.0
    record = _osv(
        "GHSA-2023-32681", "PyPI", "requests", _events({"introduced": "2.3.0"}, {"fixed": "2.31.0"})
    )
    matcher = Matcher(MemorySource(osv=[record]))

    def requests(version: str) -> Any:
        purl = f"pkg:pypi/requests@{version}"
        return component("pypi:requests", version, purl=purl, ecosystem="pypi")

    match = found(matcher, requests("2.31.0rc1"))["CVE-2023-32681"]
    assert match.fixed_version == "2.31.0"
    assert "CVE-2023-32681" not in found(matcher, requests("2.31.0"))
    assert "CVE-2023-32681" not in found(matcher, requests("2.2.1"))


def test_npm_semver_last_affected_and_git_ranges() -> None:
    git = {
        "type": "GIT",
        "repo": "https://github.com/lodash/lodash",
        "events": [{"introduced": "0"}],
    }
    record = _osv(
        "GHSA-2021-23337",
        "npm",
        "lodash",
        _events({"introduced": "0"}, {"last_affected": "4.17.20"}, kind="SEMVER"),
        git,
    )
    matcher = Matcher(MemorySource(osv=[record]))

    def lodash(version: str) -> Any:
        return component("npm:lodash", version, purl=f"pkg:npm/lodash@{version}", ecosystem="npm")

    match = found(matcher, lodash("4.17.20"))["CVE-2021-23337"]
    assert match.why["skipped_git_ranges"] == ["https://github.com/lodash/lodash"]
    assert "CVE-2021-23337" not in found(matcher, lodash("4.17.21"))


def test_unparseable_package_version_is_undecided() -> None:
    record = _osv(
        "GHSA-2023-32681", "PyPI", "requests", _events({"introduced": "0"}, {"fixed": "2.31.0"})
    )
    matcher = Matcher(MemorySource(osv=[record]))
    odd = component("pypi:requests", "latest", purl="pkg:pypi/requests@latest", ecosystem="pypi")
    result = matcher.assess(odd)
    assert result.matches == ()
    assert [u.cve for u in result.undecided] == ["CVE-2023-32681"]


def test_openwrt_package_is_judged_on_its_upstream_version(matcher: Matcher) -> None:
    # no OSV data for OpenWrt: dropbear 2019.78-2 is upstream 2019.78, < 2020.79 (CVE-2020-36254)
    purl = "pkg:opkg/openwrt/dropbear@2019.78-2?arch=mipsel_24kc"
    package = component("dropbear", "2019.78-2", purl=purl, ecosystem="opkg")
    match = found(matcher, package)["CVE-2020-36254"]
    assert match.presumed
    assert match.why["basis"] == "upstream version 2019.78 of the distribution package 2019.78-2"
    later = component("dropbear", "2020.79-1", purl=purl, ecosystem="opkg")
    assert "CVE-2020-36254" not in found(matcher, later)
