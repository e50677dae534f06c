"""Static and shared binaries: static and not stripped (calls to the libc functions linked in,
IFUNCs through IRELATIVE slots), stripped static (count unknown, said so), shared libraries."""

from pathlib import Path

import pytest

from assay.checks.census import default_table, scan_binary
from assay.model.census import Coverage, Linkage
from tests.factories.census_build import (
    COUNTED,
    COUNTED_CALLS,
    FORTIFIED,
    FORTIFIED_CALLS,
    LIBRARY,
    LIBRARY_CALLS,
    VENDORED,
    VENDORED_CALLS,
    compile_c,
    function_range,
)
from tests.factories.elf_build import build_elf

STATIC_ARCHES = ("x86-64", "aarch64", "arm", "mipsel", "powerpc")


@pytest.mark.parametrize("arch", STATIC_ARCHES)
def test_static_not_stripped_counts_the_program_and_the_libc_inside(
    arch: str, tmp_path: Path
) -> None:
    program = compile_c(COUNTED, tmp_path, arch, ("-static",))
    scan = scan_binary(program.read_bytes(), default_table())
    start, end = function_range(program, "main")
    in_main = {
        name: count
        for name, sites in scan.sites.items()
        if (count := sum(1 for site in sites if start <= site < end))
    }
    assert in_main == COUNTED_CALLS
    assert (scan.linkage, scan.stripped, scan.coverage) == (
        Linkage.STATIC,
        False,
        Coverage.COMPLETE,
    )
    assert scan.imports == frozenset()
    # the C library linked in calls listed functions too: memcpy at least
    assert len(scan.sites["memcpy"]) > 10
    assert sum(len(s) for s in scan.sites.values()) > sum(in_main.values())


@pytest.mark.parametrize("arch", ("x86-64", "arm", "mipsel"))
def test_stripped_static_count_is_unknown(arch: str, tmp_path: Path) -> None:
    program = compile_c(COUNTED, tmp_path, arch, ("-static",), strip=True)
    scan = scan_binary(program.read_bytes(), default_table())
    assert (scan.linkage, scan.stripped, scan.coverage) == (
        Linkage.STATIC,
        True,
        Coverage.UNKNOWN,
    )
    assert scan.sites == {}
    assert scan.notes == ("no symbol names to attribute calls to (statically linked and stripped)",)


@pytest.mark.parametrize("arch", ("x86-64", "x86", "aarch64", "arm", "mipsel", "powerpc"))
def test_shared_library(arch: str, tmp_path: Path) -> None:
    library = compile_c(LIBRARY, tmp_path, arch, ("-shared", "-fPIC"), strip=True)
    scan = scan_binary(library.read_bytes(), default_table())
    assert {name: len(sites) for name, sites in scan.sites.items()} == LIBRARY_CALLS
    assert scan.imports == set(LIBRARY_CALLS)
    assert scan.linkage is Linkage.DYNAMIC
    assert scan.coverage is (Coverage.LOWER_BOUND if arch == "arm" else Coverage.COMPLETE)


CARRIED = {
    "x86-64": (),
    "aarch64": (),
    "arm": (),
    "mipsel": (),
    # no `jalr $t9` → `bal` relaxation: the call goes through the local GOT entry + %lo
    "mipsel-got": ("-mno-relax-pic-calls", "-Wl,--no-relax"),
    "mips64el": (),
    "powerpc": (),
}


@pytest.mark.parametrize("name", sorted(CARRIED))
def test_functions_a_library_carries_itself_are_counted(name: str, tmp_path: Path) -> None:
    arch = name.removesuffix("-got")
    library = compile_c(VENDORED, tmp_path, arch, ("-shared", "-fPIC", *CARRIED[name]))
    scan = scan_binary(library.read_bytes(), default_table())
    assert {name: len(sites) for name, sites in scan.sites.items()} == VENDORED_CALLS
    assert scan.imports == frozenset()
    assert scan.coverage is Coverage.COMPLETE


def test_fortified_calls_are_the_safe_members(tmp_path: Path) -> None:
    program = build_elf(FORTIFIED, tmp_path, "x86-64", ("-O2", "-D_FORTIFY_SOURCE=2"))
    table = default_table()
    scan = scan_binary(program.read_bytes(), table)
    assert {name: len(sites) for name, sites in scan.sites.items()} == FORTIFIED_CALLS
    safety = {name: table.functions[name].safety.value for name in scan.sites}
    assert safety == {"__strcpy_chk": "safe", "strcpy": "unsafe", "__sprintf_chk": "safe"}


def test_a_binary_without_listed_functions_is_not_disassembled(tmp_path: Path) -> None:
    program = compile_c("int main(void) { return 0; }\n", tmp_path, "x86-64")
    scan = scan_binary(program.read_bytes(), default_table())
    assert (scan.sites, scan.imports, scan.code_bytes) == ({}, frozenset(), 0)
    assert scan.coverage is Coverage.COMPLETE
