"""Two builds of one C project compared file to file: benign differences are equivalent, each
named; one changed comparison or constant is different, naming the function."""

import shutil
from pathlib import Path

import pytest

from assay.equivalence import Verdict, compare_files
from tests.equivalence.project import Build, build

pytestmark = pytest.mark.skipif(shutil.which("gcc") is None, reason="needs gcc")


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build directories of equal length side by side, as two build machines would have."""
    return tmp_path_factory.mktemp("builds")


@pytest.fixture(scope="module")
def vendor(builds: Path) -> Path:
    return build(Build(builds / "vendor-1"))


def test_rebuild_elsewhere_later_is_equivalent_with_each_normalisation_named(
    vendor: Path, builds: Path
) -> None:
    rebuilt = build(Build(builds / "rebuilt2", epoch=1_710_000_000))
    assert vendor.read_bytes() != rebuilt.read_bytes()
    pair = compare_files(vendor, rebuilt)
    assert pair.verdict is Verdict.EQUIVALENT, pair.differences
    assert set(pair.normalisations) >= {
        "debug-sections",
        "gnu-build-id",
        "embedded-timestamps",
        "build-paths",
    }
    assert pair.differences == ()


def test_greater_becoming_greater_or_equal_is_different_in_that_function(
    vendor: Path, builds: Path
) -> None:
    changed = build(Build(builds / "compare3", comparison=">="))
    pair = compare_files(vendor, changed)
    assert pair.verdict is Verdict.DIFFERENT
    code = [d for d in pair.differences if d.section == ".text"]
    assert [d.function for d in code] == ["above"]
    assert "setg" in code[0].detail and "setge" in code[0].detail


def test_one_changed_constant_is_different_in_that_function(vendor: Path, builds: Path) -> None:
    changed = build(Build(builds / "factor-4", factor=9))
    pair = compare_files(vendor, changed)
    assert pair.verdict is Verdict.DIFFERENT
    assert "scale" in {d.function for d in pair.differences if d.section == ".text"}


def test_changed_date_literal_alone_is_only_a_timestamp(builds: Path) -> None:
    first = build(Build(builds / "same-dir")).rename(builds / "first")
    shutil.rmtree(builds / "same-dir")
    later = build(Build(builds / "same-dir", epoch=1_700_000_000 + 86_400 * 40))
    pair = compare_files(first, later)
    assert pair.verdict is Verdict.EQUIVALENT
    assert "embedded-timestamps" in pair.normalisations
    assert "build-paths" not in pair.normalisations


def test_same_bytes_are_identical(vendor: Path, builds: Path) -> None:
    copy = builds / "prog"
    shutil.copy2(vendor, copy)
    pair = compare_files(vendor, copy)
    assert pair.verdict is Verdict.IDENTICAL
    assert pair.normalisations == () and pair.differences == ()
