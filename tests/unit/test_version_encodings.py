"""The integer version encodings: each documented example, ranges, kept fields and bad names."""

import pytest

from assay.catalog.binary.rules import RulesError, default_rules, parse_rule
from assay.catalog.binary.version_encodings import Encoding, EncodingError

RULES = {rule.product: rule for rule in default_rules()}


@pytest.mark.parametrize(
    ("encoding", "value", "version"),
    [
        (Encoding("decimal-2-2"), 10505, "1.5.5"),
        (Encoding("decimal-2-2"), 10639, "1.6.39"),
        (Encoding("decimal-2-2"), 10135, "1.1.35"),
        (Encoding("decimal-3-3"), 3040001, "3.40.1"),
        (Encoding("decimal-2-1"), 2140, "2.14.0"),
        (Encoding("decimal-2-1", trim_zero=True), 2140, "2.14"),
        (Encoding("decimal-2-1", trim_zero=True), 2131, "2.13.1"),
        (Encoding("decimal-4"), 150005, "15.5"),
        (Encoding("decimal-4"), 170011, "17.11"),
        (Encoding("bytes-1-1"), 0x010204, "1.2.4"),
        (Encoding("bytes-1-1"), 0x000601, "0.6.1"),
        (Encoding("bytes-1-1"), 0x012C02, "1.44.2"),
        (Encoding("bytes-1"), 0x0112, "1.18"),
        (Encoding("bytes-1-1-1", fields=3), 0x02010C00, "2.1.12"),
        (Encoding("decimal-3-3-1", fields=3), 50040012, "5.4.1"),
    ],
)
def test_decodes(encoding: Encoding, value: int, version: str) -> None:
    assert encoding.decode(value) == version


def test_values_outside_the_range_decode_to_nothing() -> None:
    modern = Encoding("decimal-4", minimum=100000)
    assert modern.decode(90624) is None
    assert modern.decode(150005) == "15.5"
    old = Encoding("decimal-2-2", minimum=70000, maximum=99999)
    assert old.decode(90624) == "9.6.24"
    assert old.decode(150005) is None
    assert Encoding("decimal-2-2").decode(0) is None


@pytest.mark.parametrize("name", ["decimal", "hex-1-1", "decimal-0", "bytes-1-x", "decimal-10"])
def test_unknown_encodings_are_refused(name: str) -> None:
    with pytest.raises(EncodingError):
        Encoding(name)


def test_fields_beyond_the_encoding_are_refused() -> None:
    with pytest.raises(EncodingError):
        Encoding("bytes-1-1", fields=4)


@pytest.mark.parametrize(
    ("product", "value", "version"),
    [
        ("postgresql", 150005, "15.5"),
        ("postgresql", 90624, "9.6.24"),
        ("lcms2", 2140, "2.14"),
        ("lcms2", 2131, "2.13.1"),
        ("libwebp", 0x010204, "1.2.4"),
        ("zstd", 10504, "1.5.4"),
        ("lz4", 10904, "1.9.4"),
        ("libpng", 10639, "1.6.39"),
        ("sqlite", 3040001, "3.40.1"),
        ("libuv", 0x012C02, "1.44.2"),
        ("libevent", 0x02010C00, "2.1.12"),
        ("libiconv", 0x0112, "1.18"),
        ("libxslt", 10135, "1.1.35"),
    ],
)
def test_shipped_rules_decode_their_libraries_values(
    product: str, value: int, version: str
) -> None:
    """Values read from the Debian 12 and PyPI builds of each library (bench/identify)."""
    decoded = {entry.encoding.decode(value) for entry in RULES[product].version_symbols}
    assert decoded - {None} == {version}


def test_rules_with_version_symbols_are_all_sampled() -> None:
    with_symbols = {rule.product for rule in RULES.values() if rule.version_symbols}
    sampled = {"postgresql", "lcms2", "libwebp", "zstd", "lz4", "libpng", "sqlite", "libuv"}
    assert with_symbols == sampled | {"libevent", "libiconv", "libxslt"}


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"symbol": "x y", "encoding": "decimal-2-2"}, "not a symbol name"),
        ({"symbol": "f", "kind": "code", "encoding": "decimal-2-2"}, "kind"),
        ({"symbol": "f", "encoding": "octal-2"}, "unknown version encoding"),
        ({"symbol": "f", "encoding": "bytes-1", "fields": 5}, "fields"),
    ],
)
def test_malformed_version_symbols_name_the_rule(entry: dict[str, object], message: str) -> None:
    rule = {"product": "demo", "version_symbols": [entry], "cpe": [], "purl": "pkg:generic/demo"}
    with pytest.raises(RulesError, match=message):
        parse_rule(rule)


def test_a_rule_may_have_version_symbols_only() -> None:
    rule = parse_rule(
        {"product": "demo", "version_symbols": [{"symbol": "demo_version", "encoding": "bytes-1"}]}
    )
    assert rule.version_symbols[0].kind == "function"
    assert rule.version_patterns == ()
