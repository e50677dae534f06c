"""MIPS calls through the GOT in optimized code, checked against the linker's own record: with
`-Wl,-q` the relocations stay in the executable, and GCC marks every `jalr $t9` it emits for a
call with an R_MIPS_JALR relocation naming the callee — an oracle for the call sites."""

from collections import Counter
from pathlib import Path

import pytest
from elftools.elf.elffile import ELFFile
from elftools.elf.relocation import RelocationSection

from assay.checks.census import default_table, scan_binary
from tests.factories.census_build import call_patterns, compile_c

R_MIPS_JALR = 37


def jalr_sites(path: Path) -> dict[int, str]:
    """Address → callee of every R_MIPS_JALR relocation in `.rel(a).text`."""
    sites: dict[int, str] = {}
    with open(path, "rb") as handle:
        elf = ELFFile(handle)
        for section in elf.iter_sections():
            if isinstance(section, RelocationSection) and section.name.endswith(".text"):
                symbols = elf.get_section(section["sh_link"])
                for relocation in section.iter_relocations():
                    if relocation["r_info_type"] == R_MIPS_JALR:
                        name = symbols.get_symbol(relocation["r_info_sym"]).name
                        sites[relocation["r_offset"]] = name.partition("@")[0]
    return sites


@pytest.mark.parametrize("level", ["-O1", "-O2"])
@pytest.mark.parametrize("arch", ["mips", "mipsel", "mips64el"])
def test_optimized_calls_match_the_linker_record(arch: str, level: str, tmp_path: Path) -> None:
    program = compile_c(call_patterns(seed=1), tmp_path, arch, (level, "-Wl,-q"))
    table = default_table()
    oracle = {a: n for a, n in jalr_sites(program).items() if table.classify(n) is not None}
    scan = scan_binary(program.read_bytes(), table)
    ours = {site: name for name, sites in scan.sites.items() for site in sites}
    assert len(oracle) > 80
    assert ours == oracle


@pytest.mark.parametrize("arch", ["mipsel", "mips"])
def test_size_optimized_calls_include_every_marked_one(arch: str, tmp_path: Path) -> None:
    """At -Os GCC also calls library routines it adds itself, without the R_MIPS_JALR mark:
    the census finds those too, so the marked calls are a subset of what it counts."""
    program = compile_c(call_patterns(seed=2), tmp_path, arch, ("-Os", "-Wl,-q"))
    table = default_table()
    oracle = Counter(n for n in jalr_sites(program).values() if table.classify(n) is not None)
    scan = scan_binary(program.read_bytes(), table)
    ours = Counter({name: len(sites) for name, sites in scan.sites.items()})
    assert sum(oracle.values()) > 50
    assert ours >= oracle
