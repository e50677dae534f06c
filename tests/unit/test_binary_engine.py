"""The binary matcher: one pass, versions extracted, look-alikes refused, copies merged."""

from pathlib import Path

import pytest

from assay.catalog.binary.engine import Matcher
from assay.catalog.binary.rules import RulesError, load_rules, parse_rule
from assay.pipeline.evaluator import Evaluator, ScanOptions

RULES = load_rules()


def test_openssl_and_busybox_version_strings() -> None:
    data = (
        b"\x00\x01junk OpenSSL 1.0.2k  26 Jan 2017\x00more"
        + b"\x00" * 5000
        + b"BusyBox v1.36.1 (2023-06-12 12:00:00 UTC)\x00"
    )
    hits = Matcher(RULES).scan(data)
    assert [(h.rule.product, h.version, h.offset) for h in hits] == [
        ("openssl", "1.0.2k", 7),
        ("busybox", "1.36.1", 5039),
    ]
    assert hits[0].matched == b"OpenSSL 1.0.2k  26 Jan 2017"


@pytest.mark.parametrize(
    "text",
    [b"OpenSSL 1.0.2k", b"compatible with OpenSSL 1.1.1 API", b"BusyBox is a multi-call binary"],
)
def test_look_alikes_are_not_versions(text: bytes) -> None:
    assert Matcher(RULES).scan(b"\x00" + text + b"\x00") == []


def test_rule_without_version_group_is_rejected() -> None:
    with pytest.raises(RulesError, match=r"foo.*version"):
        parse_rule({"product": "foo", "version_patterns": ["foo (1\\.2)"]})


def test_eol_lines() -> None:
    openssl = next(r for r in RULES if r.product == "openssl")
    assert openssl.eol_for("1.0.2k") == "2019-12-31"
    assert openssl.eol_for("1.0.20") is None
    assert openssl.eol_for("3.0.11") == "2026-09-07"


def test_copies_of_one_version_are_merged_with_every_location(tmp_path: Path) -> None:
    release = tmp_path / "release"
    for name in ("lib/libcrypto.so.1.0.0", "usr/sbin/vendord", "opt/app/libcrypto.so"):
        path = release / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(
            b"\x7fELF\x02\x01\x01"
            + bytes(57)
            + name.encode()
            + b"\x00OpenSSL 1.0.2k  26 Jan 2017\x00"
        )
    (release / "usr/sbin/other").write_bytes(
        b"\x7fELF\x02\x01\x01" + bytes(57) + b"OpenSSL 1.1.1w  11 Sep 2023\x00"
    )
    evaluation = Evaluator(ScanOptions()).evaluate(release)
    versions = {c.version: c for c in evaluation.components if c.product == "openssl"}
    assert set(versions) == {"1.0.2k", "1.1.1w"}
    old = versions["1.0.2k"]
    assert [e.location for e in old.evidence] == [
        "release › /lib/libcrypto.so.1.0.0",
        "release › /opt/app/libcrypto.so",
        "release › /usr/sbin/vendord",
    ]
    assert [e.embedded for e in old.evidence] == [False, False, True]
    assert old.eol == "2019-12-31"
    assert old.cpes == ("cpe:2.3:a:openssl:openssl:1.0.2k:*:*:*:*:*:*:*",)
