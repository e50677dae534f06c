"""The census table: every member classified with a source, the documented choices (strncpy
unsafe, fortified and Annex K forms safe, gets high), and malformed tables refused."""

import pytest

from assay.checks.census.table import CensusTableError, default_table, parse_table
from assay.model.census import Safety
from assay.model.finding import Severity


def test_every_member_has_known_sources_and_every_source_is_used() -> None:
    table = default_table()
    cited = {source for f in table.functions.values() for source in f.sources}
    cited |= {f.board_category for f in table.families.values() if f.board_category}
    assert cited == set(table.sources)
    assert all(f.sources for f in table.functions.values())
    assert all(s.url.startswith("https://") for s in table.sources.values())


@pytest.mark.parametrize(
    ("name", "family", "safety"),
    [
        ("strcpy", "strcpy-like", Safety.UNSAFE),
        ("stpcpy", "strcpy-like", Safety.UNSAFE),
        ("strncpy", "strcpy-like", Safety.UNSAFE),
        ("strlcpy", "strcpy-like", Safety.SAFE),
        ("strcpy_s", "strcpy-like", Safety.SAFE),
        ("__strcpy_chk", "strcpy-like", Safety.SAFE),
        ("memcpy", "memcpy-like", Safety.UNSAFE),
        ("memcpy_s", "memcpy-like", Safety.SAFE),
        ("__memcpy_chk", "memcpy-like", Safety.SAFE),
        ("sprintf", "sprintf-like", Safety.UNSAFE),
        ("snprintf", "sprintf-like", Safety.SAFE),
        ("__isoc99_sscanf", "scanf-like", Safety.UNSAFE),
        ("strtok", "strtok-like", Safety.UNSAFE),
        ("strtok_r", "strtok-like", Safety.SAFE),
        ("tmpnam", "tmpnam-like", Safety.UNSAFE),
        ("mkstemp64", "tmpnam-like", Safety.SAFE),
        ("gets", "gets-like", Safety.UNSAFE),
        ("fgets", "gets-like", Safety.SAFE),
    ],
)
def test_classification(name: str, family: str, safety: Safety) -> None:
    listed = default_table().classify(name)
    assert listed is not None
    assert (listed.family, listed.safety) == (family, safety)


def test_severities_and_board_categories() -> None:
    families = default_table().families
    assert families["gets-like"].severity is Severity.HIGH
    assert {f.severity for k, f in families.items() if k != "gets-like"} <= {
        Severity.LOW,
        Severity.INFO,
    }
    board = {k for k, f in families.items() if f.board_category == "hcsec-2019"}
    assert board == {"memcpy-like", "strcpy-like", "sprintf-like"}
    assert all(f.severity_reason for f in families.values())
    assert default_table().classify("strlen") is None


BASE = """
sources:
  a: {title: A, url: https://example.org/a}
families:
  x-like:
    severity: low
    unsafe: {f: [a]}
"""


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (BASE.replace("[a]", "[b]"), "unknown source b"),
        (BASE.replace("[a]", "[]"), "needs at least one source"),
        (BASE.replace("severity: low", "severity: dire"), "unknown severity"),
        (BASE + "  y-like:\n    severity: low\n    unsafe: {f: [a]}\n", "f is listed twice"),
        (BASE.replace("unsafe:", "safe:"), "has no unsafe member"),
        ("families: [", "not valid YAML"),
        ("- a list", "expected a mapping"),
    ],
)
def test_malformed_tables_are_refused(text: str, message: str) -> None:
    with pytest.raises(CensusTableError, match=message):
        parse_table(text, "test.yaml")


def test_minimal_table_parses() -> None:
    table = parse_table(BASE, "test.yaml")
    assert table.classify("f") is not None
    assert table.families["x-like"].unsafe == ("f",)
