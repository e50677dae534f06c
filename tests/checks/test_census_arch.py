"""Exact call counts on every architecture: a program with 3 strcpy, 2 strncpy, 1 snprintf and
1 sprintf, compiled -O0 -fno-builtin by Debian's cross compilers as PIE, as a classic
executable, and with its section headers removed (sstrip); call sites inside `main`."""

from pathlib import Path

import pytest

from assay.checks.census import default_table, scan_binary
from assay.model.census import Coverage, Linkage
from tests.factories.census_build import (
    COUNTED,
    COUNTED_CALLS,
    MIXED_ARM_THUMB,
    MIXED_CALLS,
    compile_c,
    function_range,
    without_section_headers,
)

ARCHES = {
    "x86-64": ("x86-64", ()),
    "x86": ("x86", ()),
    "aarch64": ("aarch64", ()),
    "arm": ("arm", ("-marm",)),
    "thumb": ("arm", ("-mthumb",)),
    "mipsel": ("mipsel", ()),
    "mips": ("mips", ()),
    "mips64el": ("mips64el", ()),
    "powerpc": ("powerpc", ()),
    "powerpc64": ("powerpc64", ()),
    "powerpc64le": ("powerpc64le", ()),
}
VARIANTS = {"pie": ("-pie", "-fPIE"), "no-pie": ("-no-pie", "-fno-pie")}


@pytest.mark.parametrize("variant", sorted(VARIANTS))
@pytest.mark.parametrize("name", sorted(ARCHES))
def test_exact_counts_per_architecture(name: str, variant: str, tmp_path: Path) -> None:
    arch, flags = ARCHES[name]
    program = compile_c(COUNTED, tmp_path, arch, (*flags, *VARIANTS[variant]))
    scan = scan_binary(program.read_bytes(), default_table())
    assert {n: len(sites) for n, sites in scan.sites.items()} == COUNTED_CALLS
    assert scan.imports == set(COUNTED_CALLS)
    assert (scan.coverage, scan.linkage, scan.stripped) == (
        Coverage.COMPLETE,
        Linkage.DYNAMIC,
        False,
    )
    if name != "powerpc64":  # ELFv1: `main` is a function descriptor in .opd, not code
        start, end = function_range(program, "main")
        assert all(start <= site < end for sites in scan.sites.values() for site in sites)
    every = [site for sites in scan.sites.values() for site in sites]
    assert len(set(every)) == len(every) == 7


@pytest.mark.parametrize("name", sorted(ARCHES))
def test_section_headers_removed_counts_stay_exact(name: str, tmp_path: Path) -> None:
    arch, flags = ARCHES[name]
    program = compile_c(COUNTED, tmp_path, arch, flags, strip=True)
    sstripped = without_section_headers(program, tmp_path / "sstripped")
    full = scan_binary(program.read_bytes(), default_table())
    bare = scan_binary(sstripped.read_bytes(), default_table())
    assert {n: len(s) for n, s in bare.sites.items()} == COUNTED_CALLS
    assert bare.sites == full.sites
    assert bare.stripped
    if arch == "arm":  # no mapping symbols: the mode of each stretch of code is inferred
        assert bare.coverage is Coverage.LOWER_BOUND
        assert bare.notes == ("ARM/Thumb modes inferred: no mapping or function symbols",)
    else:
        assert (bare.coverage, bare.notes) == (Coverage.COMPLETE, ())


@pytest.mark.parametrize("flags", [("-marm",), ("-mthumb",)])
def test_stripped_arm_and_thumb_functions_in_one_file(
    flags: tuple[str, ...], tmp_path: Path
) -> None:
    program = compile_c(MIXED_ARM_THUMB, tmp_path, "arm", flags, strip=True)
    scan = scan_binary(program.read_bytes(), default_table())
    assert {n: len(s) for n, s in scan.sites.items()} == MIXED_CALLS
    full = compile_c(MIXED_ARM_THUMB, tmp_path, "arm", flags)
    assert scan.sites == scan_binary(full.read_bytes(), default_table()).sites


def test_unsupported_architecture_lists_imports_and_says_calls_are_unknown(
    tmp_path: Path,
) -> None:
    program = compile_c(COUNTED, tmp_path, "riscv64")
    scan = scan_binary(program.read_bytes(), default_table())
    assert scan.coverage is Coverage.UNKNOWN
    assert scan.imports == set(COUNTED_CALLS)
    assert scan.sites == {}
    assert scan.notes == ("no disassembler for ELF machine 243: imports only",)


def test_mips16_code_makes_the_count_a_lower_bound(tmp_path: Path) -> None:
    program = compile_c(COUNTED, tmp_path, "mipsel", ("-mips16",), strip=True)
    scan = scan_binary(program.read_bytes(), default_table())
    assert scan.coverage is Coverage.LOWER_BOUND
    assert "MIPS16 code present: capstone cannot disassemble it" in scan.notes
    assert scan.imports == set(COUNTED_CALLS)
