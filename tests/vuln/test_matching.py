"""Matching real components against the real vulnerability records, both ways."""

import pytest

from assay.vuln.match_result import ComponentMatches, MatchMethod, VulnMatch
from assay.vuln.matcher import Matcher, match_component
from tests.vuln.matching_support import component, main_source


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher(main_source())


def assess(matcher: Matcher, product: str, version: str, *cpes: str) -> ComponentMatches:
    return matcher.assess(component(product, version, cpes=cpes))


def matched(matcher: Matcher, product: str, version: str, *cpes: str) -> dict[str, VulnMatch]:
    return {m.cve: m for m in assess(matcher, product, version, *cpes).matches}


def test_openssl_1_0_2k(matcher: Matcher) -> None:
    found = matched(matcher, "openssl", "1.0.2k")
    assert found["CVE-2017-3735"].method is MatchMethod.CPE_CONFIGURATION
    assert "CVE-2014-0160" not in found  # Heartbleed: 1.0.1 to 1.0.1f only
    # CVE-2022-0778 has no CPE configuration in the data, only distribution fixes (1.1.1n, 3.0.2)
    bn_mod_sqrt = found["CVE-2022-0778"]
    assert bn_mod_sqrt.method is MatchMethod.DISTRIBUTION_FIX
    assert bn_mod_sqrt.presumed


def test_openssl_range_sentence_and_fix(matcher: Matcher) -> None:
    match = matched(matcher, "openssl", "1.0.2k")["CVE-2018-5407"]
    assert match.sentence == (
        "openssl 1.0.2k is in [1.0.2, 1.0.2q) of cpe:2.3:a:openssl:openssl:*:*:*:*:*:*:*:*"
    )
    assert match.fixed_version == "1.0.2q"
    assert match.why["matched"] == [
        {
            "configuration": 3,
            "criteria": "cpe:2.3:a:openssl:openssl:*:*:*:*:*:*:*:*",
            "versionStartIncluding": "1.0.2",
            "versionEndExcluding": "1.0.2q",
        }
    ]
    assert match.record["id"] == "CVE-2018-5407"


def test_heartbleed(matcher: Matcher) -> None:
    heartbleed = matched(matcher, "openssl", "1.0.1f")["CVE-2014-0160"]
    assert heartbleed.fixed_version == "1.0.1g"
    assert not heartbleed.presumed and not heartbleed.conditions
    assert "CVE-2014-0160" not in matched(matcher, "openssl", "1.0.1g")
    assert "CVE-2014-0160" not in matched(matcher, "openssl", "1.0.0t")


def test_openssl_distribution_fixes_per_release_line(matcher: Matcher) -> None:
    assert "CVE-2022-0778" in matched(matcher, "openssl", "1.1.1m")
    assert "CVE-2022-0778" not in matched(matcher, "openssl", "1.1.1n")
    assert "CVE-2022-0778" in matched(matcher, "openssl", "3.0.1")
    assert "CVE-2022-0778" not in matched(matcher, "openssl", "3.0.2")
    assert "CVE-2022-0778" not in matched(matcher, "openssl", "3.1.0")
    # punycode overflow: only the 3.0 line was fixed, older lines are not said to have it
    result = assess(matcher, "openssl", "1.1.1w")
    assert "CVE-2022-3602" not in {m.cve for m in result.matches}
    assert "CVE-2022-3602" in {u.cve for u in result.undecided}


def test_look_alike_openssl_versions(matcher: Matcher) -> None:
    # CVE-2016-2183 (SWEET32) lists 1.0.2a to 1.0.2h one by one, not 1.0.2 itself
    assert "CVE-2016-2183" in matched(matcher, "openssl", "1.0.2a")
    assert "CVE-2016-2183" not in matched(matcher, "openssl", "1.0.2")


def test_openssl_cna_text_ranges(matcher: Matcher) -> None:
    # CVE-2021-4160: no configuration; CNA text "Fixed in OpenSSL 1.0.2zc-dev (Affected
    # 1.0.2-1.0.2zb)", "Fixed in OpenSSL 1.1.1m (Affected 1.1.1-1.1.1l)", "... 3.0.1 (3.0.0)"
    match = matched(matcher, "openssl", "1.1.1l")["CVE-2021-4160"]
    assert match.method is MatchMethod.CVE5_AFFECTED
    assert match.fixed_version == "1.1.1m"
    assert "CVE-2021-4160" not in matched(matcher, "openssl", "1.1.1m")
    assert "CVE-2021-4160" in matched(matcher, "openssl", "3.0.0")


def test_dropbear(matcher: Matcher) -> None:
    # CVE-2016-7406: dropbear_ssh <= 2016.73 (fixed in 2016.74); CVE-2017-9078: < 2017.75
    old = matched(matcher, "dropbear", "2016.73")
    assert {"CVE-2016-7406", "CVE-2017-9078"} <= set(old)
    fixed_in_74 = matched(matcher, "dropbear", "2016.74")
    assert "CVE-2016-7406" not in fixed_in_74
    assert fixed_in_74["CVE-2017-9078"].fixed_version == "2017.75"
    assert "CVE-2017-9078" not in matched(matcher, "dropbear", "2017.75")


def test_openssh_regresshion(matcher: Matcher) -> None:
    for version in ("8.5p1", "9.7p1"):
        match = matched(matcher, "openssh", version)["CVE-2024-6387"]
        assert match.sentence.endswith(
            "is in [8.5p1, 9.8) of cpe:2.3:a:openbsd:openssh:*:*:*:*:*:*:*:*"
        )
        assert match.fixed_version == "9.8"
    for version in ("8.4p1", "9.8p1", "9.9p1"):
        assert "CVE-2024-6387" not in matched(matcher, "openssh", version)


def test_openssh_4_3p1(matcher: Matcher) -> None:
    found = matched(matcher, "openssh", "4.3p1")
    # the record's only range is [8.5p1, 9.8): the pre-4.4p1 race is CVE-2006-5051's own record
    assert "CVE-2024-6387" not in found
    assert "is an update of version 4.3" in found["CVE-2006-5051"].sentence
    assert "CVE-2006-5051" not in matched(matcher, "openssh", "4.4p1")


def test_busybox(matcher: Matcher) -> None:
    # CVE-2019-5747: busybox <= 1.30.0
    assert matched(matcher, "busybox", "1.30.0")["CVE-2019-5747"].fixed_version is None
    assert "CVE-2019-5747" not in matched(matcher, "busybox", "1.30.1")
    assert "CVE-2019-5747" not in matched(matcher, "busybox", "1.36.1")


def test_sudo_baron_samedit(matcher: Matcher) -> None:
    # CVE-2021-3156 in the data: sudo < 1.9.5, and 1.9.5 patch 1
    assert "CVE-2021-3156" in matched(matcher, "sudo", "1.8.31p2")
    assert "CVE-2021-3156" in matched(matcher, "sudo", "1.9.5p1")
    assert "CVE-2021-3156" not in matched(matcher, "sudo", "1.9.5p2")
    assert "CVE-2021-3156" not in matched(matcher, "sudo", "1.9.6")


def test_bash_shellshock(matcher: Matcher) -> None:
    assert "CVE-2014-6271" in matched(matcher, "bash", "4.3")
    assert "CVE-2014-6271" in matched(matcher, "bash", "3.2.48")
    assert "CVE-2014-6271" not in matched(matcher, "bash", "4.3.30")
    assert "CVE-2014-6271" not in matched(matcher, "bash", "5.2.15")


def test_curl_socks5_heap_overflow(matcher: Matcher) -> None:
    # CVE-2023-38545 has only the CNA's CVE 5 data: affected below 8.4.0, unaffected below 7.69.0
    match = matched(matcher, "curl", "7.69.0")["CVE-2023-38545"]
    assert match.method is MatchMethod.CVE5_AFFECTED
    assert match.fixed_version == "8.4.0"
    assert "CVE-2023-38545" in matched(matcher, "curl", "8.3.0")
    assert "CVE-2023-38545" not in matched(matcher, "curl", "7.68.0")
    assert "CVE-2023-38545" not in matched(matcher, "curl", "8.4.0")


def test_vendor_must_match_not_only_the_product(matcher: Matcher) -> None:
    gnu_curl = "cpe:2.3:a:gnu:curl:7.50.0:*:*:*:*:*:*:*"
    assert assess(matcher, "gnu-curl", "7.50.0", gnu_curl).matches == ()
    haxx_curl = "cpe:2.3:a:haxx:curl:7.50.0:*:*:*:*:*:*:*"
    assert assess(matcher, "some-curl", "7.50.0", haxx_curl).matches != ()
    bash = matched(matcher, "bash", "4.3")
    assert not any("curl" in m.record.get("products", ()) for m in bash.values())


def test_cves_filed_under_alias_names(matcher: Matcher) -> None:
    # CVE-2010-0734 is filed under curl:libcurl only; the curl rule's own CPE is haxx:curl
    curl = "cpe:2.3:a:haxx:curl:7.19.7:*:*:*:*:*:*:*"
    assert "is version 7.19.7 of cpe:2.3:a:curl:libcurl:7.19.7" in (
        matched(matcher, "curl", "7.19.7", curl)["CVE-2010-0734"].sentence
    )
    # CVE-2020-36254 is filed under dropbear_project:dropbear only
    assert "CVE-2020-36254" in matched(matcher, "dropbear", "2020.78")
    # CVE-2006-5050 is filed under rob_landley:busybox only
    assert "CVE-2006-5050" in matched(matcher, "busybox", "1.01")
    # without the alias table a component known only by its rule CPE misses them
    assert "CVE-2010-0734" not in matched(matcher, "curl-unknown", "7.19.7", curl)


def test_unparseable_version_is_undecided_never_matched(matcher: Matcher) -> None:
    result = assess(matcher, "openssl", "unknown")
    assert result.matches == ()
    undecided = {u.cve: u for u in result.undecided}
    assert "CVE-2014-0160" in undecided
    assert "cannot be compared" in undecided["CVE-2014-0160"].reason


def test_results_are_deduplicated_and_ordered(matcher: Matcher) -> None:
    result = assess(matcher, "openssl", "1.0.1f")
    ids = [m.cve for m in result.matches]
    assert len(ids) == len(set(ids))
    years = [(int(i.split("-")[1]), int(i.split("-")[2])) for i in ids]
    assert years == sorted(years)
    assert not {u.cve for u in result.undecided} & set(ids)
    assert result == assess(matcher, "openssl", "1.0.1f")


def test_match_component_function() -> None:
    found = match_component(component("openssl", "1.0.1f"), main_source())
    assert "CVE-2014-0160" in {m.cve for m in found}


def test_cve5_ranges_with_changes_and_default_status(matcher: Matcher) -> None:
    # CVE-2023-4785 (gRPC CNA): unaffected below 1.23, [1.55.0, 1.55.2] affected with the change
    # to unaffected at 1.55.3, … ; default unaffected
    match = matched(matcher, "grpc", "1.55.2")["CVE-2023-4785"]
    assert match.method is MatchMethod.CVE5_AFFECTED
    assert match.fixed_version == "1.55.3"
    assert "CVE-2023-4785" not in matched(matcher, "grpc", "1.22.0")
    assert "CVE-2023-4785" not in matched(matcher, "grpc", "1.57.0")
