"""The C project cross-compiled for the architectures vendor firmware runs on: a rebuild elsewhere
is equivalent, one changed comparison or constant is different in that function, told in the
architecture's own instructions, with or without symbols."""

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from assay.equivalence import Difference, FilePair, Verdict, compare_files
from assay.equivalence.codediff import MOVED_TARGETS
from tests.equivalence.project import Build, build


@dataclass(frozen=True, slots=True)
class Arch:
    """A cross compiler, the instruction text `>` → `>=` must show in its diff, and the functions
    that change only because their call targets moved."""

    compiler: str
    comparison: str
    moved: tuple[str, ...] = ()

    def __str__(self) -> str:
        return self.compiler.removesuffix("-gcc")


ARCHES = (
    Arch("arm-linux-gnueabihf-gcc", "movge"),  # Thumb-2 by default on armhf: `ite`/`movge`
    Arch("aarch64-linux-gnu-gcc", "cset w0, ge"),
    Arch("mipsel-linux-gnu-gcc", "slt $v0"),
    Arch("mips-linux-gnu-gcc", "slt $v0"),
    Arch("powerpc-linux-gnu-gcc", "subfc", moved=("_start", "main")),
    Arch("riscv64-linux-gnu-gcc", "slt a0"),
)
RANGE = re.compile(r"0x[0-9a-f]+-0x[0-9a-f]+")


@pytest.fixture(scope="module", params=ARCHES, ids=str)
def arch(request: pytest.FixtureRequest) -> Arch:
    chosen: Arch = request.param
    if shutil.which(chosen.compiler) is None:
        pytest.skip(f"needs {chosen.compiler}")
    return chosen


@pytest.fixture(scope="module")
def builds(arch: Arch, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp(str(arch))


@pytest.fixture(scope="module")
def vendor(arch: Arch, builds: Path) -> Path:
    return build(Build(builds / "vendor-1", compiler=arch.compiler))


@pytest.fixture(scope="module")
def stripped_vendor(arch: Arch, builds: Path) -> Path:
    return build(Build(builds / "svendor1", compiler=arch.compiler, strip=True))


def _code(pair: FilePair) -> list[Difference]:
    code = [
        d
        for d in pair.differences
        if d.section == ".text" and not d.detail.startswith("section header")
    ]
    for difference in code:
        assert ".byte" not in difference.detail, difference
    return code


def test_rebuild_elsewhere_later_is_equivalent_with_each_normalisation_named(
    arch: Arch, vendor: Path, builds: Path
) -> None:
    rebuilt = build(Build(builds / "rebuilt2", epoch=1_710_000_000, compiler=arch.compiler))
    assert vendor.read_bytes() != rebuilt.read_bytes()
    pair = compare_files(vendor, rebuilt)
    assert pair.verdict is Verdict.EQUIVALENT, pair.differences
    assert set(pair.normalisations) >= {
        "debug-sections",
        "gnu-build-id",
        "embedded-timestamps",
        "build-paths",
    }


def test_greater_becoming_greater_or_equal_names_the_function_in_its_instructions(
    arch: Arch, vendor: Path, builds: Path
) -> None:
    changed = build(Build(builds / "compare3", comparison=">=", compiler=arch.compiler))
    pair = compare_files(vendor, changed)
    assert pair.verdict is Verdict.DIFFERENT
    named = {d.function: d.detail for d in _code(pair)}
    assert "above" in named, pair.differences
    assert arch.comparison in named["above"]
    assert not named["above"].startswith(MOVED_TARGETS)
    assert "scale" not in named
    for function in arch.moved:
        assert named[function].startswith(MOVED_TARGETS), named


def test_one_changed_constant_is_different_in_that_function(
    arch: Arch, vendor: Path, builds: Path
) -> None:
    changed = build(Build(builds / "factor-4", factor=9, compiler=arch.compiler))
    pair = compare_files(vendor, changed)
    assert pair.verdict is Verdict.DIFFERENT
    named = {d.function for d in _code(pair)}
    assert "scale" in named and "above" not in named


def test_stripped_rebuild_with_the_build_roots_given_is_equivalent(
    arch: Arch, stripped_vendor: Path, builds: Path
) -> None:
    rebuilt = build(
        Build(builds / "srebuilt", epoch=1_710_000_000, compiler=arch.compiler, strip=True)
    )
    roots = ((str(builds / "svendor1").encode(), str(builds / "srebuilt").encode()),)
    assert compare_files(stripped_vendor, rebuilt).verdict is Verdict.DIFFERENT
    pair = compare_files(stripped_vendor, rebuilt, roots)
    assert pair.verdict is Verdict.EQUIVALENT, pair.differences
    assert {"gnu-build-id", "embedded-timestamps", "build-paths"} <= set(pair.normalisations)


@pytest.mark.parametrize("change", ["comparison", "constant"])
def test_stripped_change_is_different_located_by_address_range(
    arch: Arch, stripped_vendor: Path, builds: Path, change: str
) -> None:
    if change == "comparison":
        settings = Build(builds / "scompare", comparison=">=", compiler=arch.compiler, strip=True)
    else:
        settings = Build(builds / "sfactor4", factor=9, compiler=arch.compiler, strip=True)
    pair = compare_files(stripped_vendor, build(settings))
    assert pair.verdict is Verdict.DIFFERENT
    code = _code(pair)
    # located by address range, or by name where the toolchain exports the function in .dynsym
    # (MIPS and RISC-V executables do; main's PC-relative operands move with the code)
    located = ("above", "scale", "main")
    assert code and all(
        d.function and (RANGE.fullmatch(d.function) or d.function in located) for d in code
    ), code
    if change == "comparison":
        assert any(arch.comparison in d.detail for d in code), code
