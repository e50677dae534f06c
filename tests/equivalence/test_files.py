"""Two builds of one C project compared file to file: benign differences are equivalent, each
named; one changed comparison or constant is different, naming the function."""

import shutil
import subprocess
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


def test_a_comment_section_added_by_objcopy_renumbers_sections_benignly(
    vendor: Path, tmp_path: Path
) -> None:
    bare = tmp_path / "bare"
    subprocess.run(["objcopy", "--remove-section", ".comment", str(vendor), str(bare)], check=True)
    note = tmp_path / "comment.bin"
    note.write_bytes(b"GCC: (Vendor toolchain 12.2.0) 12.2.0\0")
    commented = tmp_path / "commented"
    subprocess.run(
        ["objcopy", "--add-section", f".comment={note}", str(bare), str(commented)], check=True
    )
    pair = compare_files(bare, commented)
    assert pair.verdict is Verdict.EQUIVALENT, pair.differences
    assert {"compiler-ident", "section-renumbering"} <= set(pair.normalisations)
    assert set(pair.normalisations) <= {"compiler-ident", "section-renumbering", "section-padding"}


def test_a_renamed_section_is_not_renumbering(vendor: Path, tmp_path: Path) -> None:
    renamed = tmp_path / "renamed"
    subprocess.run(
        ["objcopy", "--rename-section", ".rodata=.rodatx", str(vendor), str(renamed)], check=True
    )
    assert compare_files(vendor, renamed).verdict is Verdict.DIFFERENT


def test_a_stripped_library_names_its_changed_exported_function(tmp_path: Path) -> None:
    sources = {
        "ge": "int above(int a, int b) { return a >= b; }\nint other(int x) { return x + 1; }\n",
        "gt": "int above(int a, int b) { return a > b; }\nint other(int x) { return x + 1; }\n",
    }
    libraries = []
    for name, text in sources.items():
        source = tmp_path / f"{name}.c"
        source.write_text(text)
        library = tmp_path / f"lib{name}.so"
        subprocess.run(
            ["gcc", "-O1", "-shared", "-fPIC", "-s", "-o", str(library), str(source)], check=True
        )
        libraries.append(library)
    pair = compare_files(*libraries)
    code = [d for d in pair.differences if d.section == ".text"]
    assert pair.verdict is Verdict.DIFFERENT
    assert [d.function for d in code] == ["above"], code


def test_one_changed_string_constant_is_different_in_its_section(
    vendor: Path, builds: Path
) -> None:
    changed = build(Build(builds / "banner-5", banner="assay sample bui1d"))
    pair = compare_files(vendor, changed)
    assert pair.verdict is Verdict.DIFFERENT
    assert [d.section for d in pair.differences] == [".rodata"], pair.differences
    assert "bui1d" in pair.differences[0].detail
