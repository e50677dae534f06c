"""Version schemes: each scheme orders its versions as the project or ecosystem does."""

from itertools import pairwise

import pytest

from assay.vuln.versions import (
    Scheme,
    compare,
    kernel_branch,
    parse,
    scheme_for_ecosystem,
    scheme_for_product,
)

ORDERED = [
    # OpenSSL letter releases and the 3.x line
    (Scheme.OPENSSL, ["0.9.8zh", "1.0.0", "1.0.1f", "1.0.1g", "1.0.2", "1.0.2a", "1.0.2k"]),
    (Scheme.OPENSSL, ["1.0.2k", "1.0.2m", "1.0.2z", "1.0.2za", "1.0.2zb", "1.1.0", "1.1.1w"]),
    (Scheme.OPENSSL, ["1.1.1w", "3.0.0-alpha1", "3.0.0-beta2", "3.0.0", "3.0.13", "3.1.0"]),
    # OpenSSH portable patch levels
    (Scheme.GENERIC, ["4.3", "4.3p1", "4.3p2", "4.4p1", "8.9p1", "9.0", "9.0p1", "9.0.1", "9.8p1"]),
    # Dropbear year.release, older x.yz numbering first
    (Scheme.GENERIC, ["0.52", "2011.54", "2016.73", "2016.74", "2017.75", "2022.83"]),
    # date versions
    (Scheme.GENERIC, ["20221231", "20230101", "20230102"]),
    # pre-releases before the release, sudo patch levels after it
    (Scheme.GENERIC, ["2.0.0-dev", "2.0.0-alpha1", "2.0.0-beta2", "2.0.0-pre1", "2.0.0-rc1"]),
    (Scheme.GENERIC, ["2.0.0-rc1", "2.0.0-rc2", "2.0.0", "2.0.1"]),
    (Scheme.GENERIC, ["1.8.8b1", "1.8.8rc1", "1.8.8", "1.8.8p1", "1.9.13", "1.9.13p3", "1.9.14"]),
    # BusyBox, bash letter updates
    (Scheme.GENERIC, ["1.30.1", "1.35.0", "1.36.0", "1.36.1", "1.37.0"]),
    (Scheme.GENERIC, ["2.05", "2.05a", "2.05b", "3.0"]),
    # kernel stable versions and release candidates
    (Scheme.KERNEL, ["5.10.9", "5.10.90", "5.10.102", "5.11-rc1", "5.11", "5.11.1", "6.1.0"]),
    # Debian: epoch, revisions, stable updates, tilde
    (Scheme.DEBIAN, ["1.34.0-1", "1.35.0-1~bpo1", "1.35.0-1", "1:1.30.0-1", "1:1.35.0-1"]),
    (Scheme.DEBIAN, ["7.88.1-10", "7.88.1-10+deb12u3", "7.88.1-10+deb12u4", "7.88.1-11"]),
    # Alpine: revisions, _p patch levels, the spelling without underscore
    (Scheme.ALPINE, ["1.34.0-r0", "1.34.0-r1", "1.36.1-r0", "9.1_p1-r5", "9.1_p1-r6", "9.3_p2-r0"]),
    (Scheme.ALPINE, ["1.9.5_p1-r0", "1.9.5p2-r0", "1.9.6-r0"]),
    # PEP 440 and SemVer
    (Scheme.PEP440, ["1.0.dev1", "1.0a1", "1.0b1", "1.0rc1", "1.0", "1.0.post1", "1.1"]),
    (Scheme.SEMVER, ["1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-beta", "1.0.0-rc.1", "1.0.0", "1.2.0"]),
    (Scheme.GO, ["v0.0.0-20200101000000-abcdefabcdef", "v0.1.0", "v1.2.3", "v1.10.0"]),
]


@pytest.mark.parametrize(("scheme", "versions"), ORDERED)
def test_versions_are_in_order(scheme: Scheme, versions: list[str]) -> None:
    for older, newer in pairwise(versions):
        assert compare(older, newer, scheme) == -1, (older, newer)
        assert compare(newer, older, scheme) == 1, (newer, older)


@pytest.mark.parametrize(
    ("scheme", "a", "b"),
    [
        (Scheme.GENERIC, "5.11", "5.11.0"),
        (Scheme.GENERIC, "2.0.0-rc1", "2.0-rc1"),
        (Scheme.GENERIC, "v1.2.3", "1.2.3"),
        (Scheme.GENERIC, "1.9.5patch1", "1.9.5p1"),
        (Scheme.OPENSSL, "1.0", "1.0.0"),
        (Scheme.OPENSSL, "1.1.1w-fips", "1.1.1w"),
        (Scheme.ALPINE, "1.9.5p2-r0", "1.9.5_p2-r0"),
        (Scheme.DEBIAN, "0:1.2-1", "1.2-1"),
    ],
)
def test_spellings_of_the_same_version_are_equal(scheme: Scheme, a: str, b: str) -> None:
    assert compare(a, b, scheme) == 0


def test_look_alike_versions_differ() -> None:
    assert compare("1.0.2", "1.0.2a", Scheme.OPENSSL) == -1
    assert compare("9.2", "9.2p1", Scheme.GENERIC) == -1
    assert compare("4.3.30", "4.3", Scheme.GENERIC) == 1


@pytest.mark.parametrize(
    ("scheme", "text"),
    [
        (Scheme.GENERIC, "unknown"),
        (Scheme.GENERIC, ""),
        (Scheme.GENERIC, "446fda4f2682"),  # a git commit, not a release
        (Scheme.GENERIC, "1:2.3"),
        (Scheme.GENERIC, "5.13.0-52*"),
        (Scheme.OPENSSL, "BoringSSL"),
        (Scheme.DEBIAN, "x y"),
        (Scheme.ALPINE, "abc"),
        (Scheme.PEP440, "not a version"),
    ],
)
def test_text_that_is_no_version_cannot_be_compared(scheme: Scheme, text: str) -> None:
    assert parse(text, scheme) is None
    assert compare(text, "1.0", scheme) is None
    assert compare("1.0", text, scheme) is None


def test_a_date_is_a_number_not_a_git_hash() -> None:
    assert parse("20230101", Scheme.GENERIC) is not None


def test_versions_of_different_schemes_are_not_ordered() -> None:
    generic, openssl = parse("1.0", Scheme.GENERIC), parse("1.0.0", Scheme.OPENSSL)
    assert generic is not None and openssl is not None
    assert generic != openssl
    with pytest.raises(TypeError):
        _ = generic < openssl


@pytest.mark.parametrize(
    ("product", "scheme"),
    [
        ("openssl", Scheme.OPENSSL),
        ("linux_kernel", Scheme.KERNEL),
        ("openssh", Scheme.GENERIC),
        ("dropbear", Scheme.GENERIC),
        ("pypi:requests", Scheme.PEP440),
        ("npm:lodash", Scheme.SEMVER),
        ("golang:github.com/gin-gonic/gin", Scheme.GO),
        ("cargo:serde", Scheme.SEMVER),
    ],
)
def test_scheme_for_product(product: str, scheme: Scheme) -> None:
    assert scheme_for_product(product) is scheme


@pytest.mark.parametrize(
    ("ecosystem", "scheme"),
    [
        ("Debian:12", Scheme.DEBIAN),
        ("Alpine:v3.18", Scheme.ALPINE),
        ("Ubuntu:22.04:LTS", Scheme.DEBIAN),
        ("PyPI", Scheme.PEP440),
        ("npm", Scheme.SEMVER),
        ("crates.io", Scheme.SEMVER),
        ("Go", Scheme.GO),
        ("OSS-Fuzz", None),
    ],
)
def test_scheme_for_ecosystem(ecosystem: str, scheme: Scheme | None) -> None:
    assert scheme_for_ecosystem(ecosystem) is scheme


def test_kernel_branches() -> None:
    assert kernel_branch("5.10.102") == (5, 10)
    assert kernel_branch("6.8-rc3") == (6, 8)
    assert kernel_branch("2.6.32.71") == (2, 6, 32)
    assert kernel_branch("4.14.180-perf") == (4, 14)
    assert kernel_branch("unknown") is None
