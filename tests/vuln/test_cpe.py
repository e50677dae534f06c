"""CPE 2.3 names: parsing with escapes, logical values, wildcards, matching attribute by attribute,
and the version check of one cpeMatch."""

import pytest

from assay.vuln import bounds as vb
from assay.vuln.cpe import (
    Logical,
    Wildcard,
    attribute_matches,
    cpe_name,
    escape,
    names_match,
    parse_cpe,
)
from assay.vuln.versions import Scheme


def test_formatted_string_with_escapes() -> None:
    cpe = parse_cpe(
        r"cpe:2.3:a:beyondtrust:privilege_management_for_unix\/linux:*:*:*:*:basic:*:*:*"
    )
    assert cpe is not None
    assert cpe.product == "privilege_management_for_unix/linux"
    assert cpe.version is Logical.ANY
    assert cpe.sw_edition == "basic"
    assert cpe.vendor_product == "beyondtrust:privilege_management_for_unix/linux"


def test_escaped_colon_and_dot_stay_in_the_value() -> None:
    cpe = parse_cpe(r"cpe:2.3:a:redhat:openssh:0\:8.7p1\.el9:*:*:*:*:*:*:*")
    assert cpe is not None
    assert cpe.version == "0:8.7p1.el9"
    assert cpe.update is Logical.ANY


def test_any_and_na_are_logical_values_unless_quoted() -> None:
    cpe = parse_cpe(r"cpe:2.3:h:cisco:rv320:-:*:*:*:*:*:*:\-")
    assert cpe is not None
    assert cpe.part == "h"
    assert cpe.version is Logical.NA
    assert cpe.update is Logical.ANY
    assert cpe.other == "-"


def test_unquoted_wildcards_make_a_pattern() -> None:
    cpe = parse_cpe("cpe:2.3:a:haxx:lib*:7.?:*:*:*:*:*:*:*")
    assert cpe is not None
    assert isinstance(cpe.product, Wildcard)
    assert cpe.vendor_product is None
    assert attribute_matches(cpe.product, "libcurl", unknown_target_matches=False)
    assert not attribute_matches(cpe.product, "curl", unknown_target_matches=False)
    assert isinstance(cpe.version, Wildcard)
    assert cpe.version.matches("7.5")
    assert not cpe.version.matches("7.50")


def test_uri_binding_of_cpe_2_2() -> None:
    cpe = parse_cpe("cpe:/o:redhat:enterprise_linux:9::baseos")
    assert cpe is not None
    assert cpe.vendor_product == "redhat:enterprise_linux"
    assert cpe.version == "9"
    assert cpe.update is Logical.ANY
    assert cpe.edition == "baseos"


@pytest.mark.parametrize("text", ["", "openssl", "cpe:2.3:a:x:y:1\\", "cpe:2.3:" + ":a" * 12])
def test_not_a_cpe(text: str) -> None:
    assert parse_cpe(text) is None


def test_formatted_round_trip_and_escape() -> None:
    text = r"cpe:2.3:a:openbsd:openssh:9.2p1:*:*:*:*:*:*:*"
    cpe = parse_cpe(text)
    assert cpe is not None
    assert cpe.formatted() == text
    assert escape("a:b/c") == r"a\:b\/c"
    assert cpe_name("a", "gnu", "bash", "5.2.15") == "cpe:2.3:a:gnu:bash:5.2.15:*:*:*:*:*:*:*"


def test_vendor_must_match_even_when_the_product_does() -> None:
    criteria = parse_cpe("cpe:2.3:a:haxx:curl:*:*:*:*:*:*:*:*")
    other_vendor = parse_cpe("cpe:2.3:a:gnu:curl:7.50.0:*:*:*:*:*:*:*")
    same = parse_cpe("cpe:2.3:a:haxx:curl:7.50.0:*:*:*:*:*:*:*")
    assert criteria is not None and other_vendor is not None and same is not None
    assert not names_match(criteria, other_vendor)
    assert names_match(criteria, same)


def test_part_vendor_product_are_strict_other_attributes_lenient() -> None:
    windows_only = parse_cpe("cpe:2.3:a:openvpn:openvpn:*:*:*:*:*:windows:*:*")
    unknown_target = parse_cpe("cpe:2.3:a:openvpn:openvpn:2.6.0:*:*:*:*:*:*:*")
    linux_target = parse_cpe("cpe:2.3:a:openvpn:openvpn:2.6.0:*:*:*:*:linux:*:*")
    os_part = parse_cpe("cpe:2.3:o:openvpn:openvpn:2.6.0:*:*:*:*:*:*:*")
    assert windows_only and unknown_target and linux_target and os_part
    assert names_match(windows_only, unknown_target)
    assert not names_match(windows_only, linux_target)
    assert not names_match(windows_only, os_part)


def _check(criteria: str, version: str, scheme: Scheme, product: str = "", **bounds: str) -> bool:
    cpe = parse_cpe(criteria)
    assert cpe is not None
    verdict = vb.check(cpe, vb.Bounds(**bounds), version, scheme, product)
    assert not verdict.undecided, verdict
    return verdict.inside


def test_exact_version_under_the_scheme() -> None:
    criteria = "cpe:2.3:a:openssl:openssl:1.0.2a:*:*:*:*:*:*:*"
    assert _check(criteria, "1.0.2a", Scheme.OPENSSL)
    assert not _check(criteria, "1.0.2", Scheme.OPENSSL)
    assert not _check("cpe:2.3:a:openssl:openssl:1.0.2:*:*:*:*:*:*:*", "1.0.2a", Scheme.OPENSSL)


def test_update_field_is_part_of_the_version() -> None:
    assert _check("cpe:2.3:a:openbsd:openssh:7.4:p1:*:*:*:*:*:*", "7.4p1", Scheme.GENERIC)
    assert not _check("cpe:2.3:a:openbsd:openssh:7.4:p1:*:*:*:*:*:*", "7.4p2", Scheme.GENERIC)
    assert _check("cpe:2.3:a:sudo_project:sudo:1.9.5:patch1:*:*:*:*:*:*", "1.9.5p1", Scheme.GENERIC)
    assert _check("cpe:2.3:a:gnu:bash:4.0:rc1:*:*:*:*:*:*", "4.0-rc1", Scheme.GENERIC)
    assert _check("cpe:2.3:a:gnu:bash:2.05:b:*:*:*:*:*:*", "2.05b", Scheme.GENERIC)
    assert _check("cpe:2.3:a:gnu:bash:5.0:patch10:*:*:*:*:*:*", "5.0.10", Scheme.GENERIC, "bash")


def test_any_update_covers_the_versions_updates_but_not_the_next_release() -> None:
    criteria = "cpe:2.3:a:openbsd:openssh:7.4:*:*:*:*:*:*:*"
    assert _check(criteria, "7.4", Scheme.GENERIC)
    assert _check(criteria, "7.4p1", Scheme.GENERIC)
    assert not _check(criteria, "7.4.1", Scheme.GENERIC)
    assert not _check("cpe:2.3:a:gnu:bash:4.3:*:*:*:*:*:*:*", "4.3.30", Scheme.GENERIC)


def test_range_bounds_including_and_excluding() -> None:
    criteria = "cpe:2.3:a:openbsd:openssh:*:*:*:*:*:*:*:*"
    regresshion = {"start_including": "8.5p1", "end_excluding": "9.8"}
    assert _check(criteria, "8.5p1", Scheme.GENERIC, **regresshion)
    assert _check(criteria, "9.7p1", Scheme.GENERIC, **regresshion)
    assert not _check(criteria, "8.4p1", Scheme.GENERIC, **regresshion)
    assert not _check(criteria, "9.8p1", Scheme.GENERIC, **regresshion)
    assert _check(criteria, "7.2", Scheme.GENERIC, end_including="7.2")
    assert not _check(criteria, "7.2", Scheme.GENERIC, start_excluding="7.2")


def test_update_on_a_range_extends_the_end() -> None:
    criteria = "cpe:2.3:a:openbsd:openssh:*:p2:*:*:*:*:*:*"
    assert _check(criteria, "7.2p2", Scheme.GENERIC, end_including="7.2")
    assert not _check(criteria, "7.3p1", Scheme.GENERIC, end_including="7.2")


def test_any_version_without_bounds_is_every_version_and_na_is_none() -> None:
    assert _check("cpe:2.3:a:openssl:openssl:*:*:*:*:*:*:*:*", "1.1.1w", Scheme.OPENSSL)
    assert not _check("cpe:2.3:a:google:boringssl:-:*:*:*:*:*:*:*", "1.0", Scheme.GENERIC)
    assert _check("cpe:2.3:a:google:boringssl:-:*:*:*:*:*:*:*", "-", Scheme.GENERIC)


def test_a_version_that_cannot_be_compared_is_undecided() -> None:
    cpe = parse_cpe("cpe:2.3:a:openssl:openssl:*:*:*:*:*:*:*:*")
    assert cpe is not None
    bounds = vb.Bounds(end_excluding="1.0.2u")
    verdict = vb.check(cpe, bounds, "unknown", Scheme.OPENSSL, "openssl")
    assert verdict.undecided and not verdict.inside
    exact = parse_cpe("cpe:2.3:a:openssl:openssl:1.0.2k:*:*:*:*:*:*:*")
    assert exact is not None
    assert vb.check(exact, vb.Bounds(), "unknown", Scheme.OPENSSL, "openssl").undecided


def test_an_odd_criteria_spelling_of_another_release_is_not_undecided() -> None:
    bogus = parse_cpe("cpe:2.3:a:openssl:openssl:0.9.6h:bogus:*:*:*:*:*:*")
    assert bogus is not None
    verdict = vb.check(bogus, vb.Bounds(), "1.0.2k", Scheme.OPENSSL, "openssl")
    assert not verdict.undecided and not verdict.inside


def test_bounds_as_an_interval() -> None:
    assert (
        vb.Bounds(start_including="1.0.2", end_excluding="1.0.2u").interval() == "[1.0.2, 1.0.2u)"
    )
    assert vb.Bounds(end_including="2018.76").interval() == "(*, 2018.76]"
    assert vb.Bounds().empty
