"""Hostile ELF files: truncated, with headers, dynamic entries and tables pointing anywhere.
The census records a problem or a row for each, and never raises."""

import random
import struct
from pathlib import Path

import pytest

from assay.checks.base import CheckContext
from assay.checks.census import UnsafeFunctionCensusCheck, default_table
from assay.checks.census.binary import BinaryScan
from assay.checks.census.check import scan_path
from assay.extract.limits import Limits
from assay.extract.unpacker import Unpacker
from assay.inventory.index import FileIndex
from assay.model.problem import ProblemKind
from assay.plugins import extractors
from tests.factories.census_build import COUNTED, compile_c


@pytest.fixture(scope="module")
def programs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    out = tmp_path_factory.mktemp("hostile-builds")
    return {
        arch: compile_c(COUNTED, out, arch, strip=True).read_bytes()
        for arch in ("x86-64", "mipsel", "powerpc", "arm")
    }


def _dynamic_range(data: bytes) -> tuple[int, int]:
    """File offset and size of PT_DYNAMIC (ELF32 or ELF64)."""
    wide, order = data[4] == 2, "<" if data[5] == 1 else ">"
    phoff = struct.unpack_from(order + ("Q" if wide else "I"), data, 32 if wide else 28)[0]
    entsize, count = struct.unpack_from(order + "HH", data, 54 if wide else 42)
    for index in range(count):
        at = phoff + index * entsize
        if struct.unpack_from(order + "I", data, at)[0] == 2:
            if wide:
                offset, _, _, size = struct.unpack_from(order + "QQQQ", data, at + 8)
            else:
                offset, _, _, size = struct.unpack_from(order + "IIII", data, at + 4)
            return offset, size
    raise AssertionError("no PT_DYNAMIC")


def _mutants(data: bytes, seed: int, count: int) -> list[bytes]:
    """Copies with one header, program-header or dynamic-section word overwritten."""
    rng = random.Random(seed)
    dynamic, size = _dynamic_range(data)
    headers = range(0, 64 + 13 * 56)
    targets = [*headers, *range(dynamic, dynamic + size)]
    mutants = []
    for _ in range(count):
        at = rng.choice(targets)
        value = rng.choice((b"\xff\xff\xff\xff", b"\x00\x00\x00\x00", b"\x7f\xff\xff\xf0"))
        mutants.append(data[:at] + value + data[at + 4 :])
    return mutants


@pytest.mark.parametrize("arch", ("x86-64", "mipsel", "powerpc", "arm"))
def test_mutated_headers_never_raise(arch: str, programs: dict[str, bytes], tmp_path: Path) -> None:
    data = programs[arch]
    outcomes = []
    for number, mutant in enumerate(_mutants(data, seed=len(arch), count=120)):
        path = tmp_path / f"m{number}"
        path.write_bytes(mutant)
        outcomes.append(scan_path(path, default_table()))
    truncated = [data[:cut] for cut in range(0, len(data), max(1, len(data) // 60))]
    for number, piece in enumerate(truncated):
        path = tmp_path / f"t{number}"
        path.write_bytes(piece)
        outcomes.append(scan_path(path, default_table()))
    assert all(isinstance(o, (BinaryScan, str)) for o in outcomes)
    assert any(isinstance(o, str) for o in outcomes)  # some were refused as unreadable
    assert any(isinstance(o, BinaryScan) and o.sites for o in outcomes)  # some still counted


def test_corrupt_elf_in_a_release_is_a_problem_and_the_rest_is_counted(
    programs: dict[str, bytes], tmp_path: Path
) -> None:
    good = programs["x86-64"]
    root = tmp_path / "root"
    (root / "bin").mkdir(parents=True)
    (root / "bin/good").write_bytes(good)
    (root / "bin/header-only").write_bytes(good[:64])
    phoff_past_end = bytearray(good)
    phoff_past_end[32:40] = (len(good) * 4).to_bytes(8, "little")
    (root / "bin/phoff-past-end").write_bytes(bytes(phoff_past_end))
    garbage_code = bytearray(good)
    garbage_code[0x1000:0x1400] = random.Random(7).randbytes(0x400)
    (root / "bin/garbage-code").write_bytes(bytes(garbage_code))
    unpacked = Unpacker(extractors(), Limits(), tmp_path / "ws").unpack(root)
    ctx = CheckContext()
    result = UnsafeFunctionCensusCheck(workers=1).run(
        FileIndex(unpacked.artifacts, unpacked.disk), ctx
    )
    paths = {row.path.split("/")[-1] for row in result.facts.binaries}
    assert "good" in paths
    counted = next(r for r in result.facts.binaries if r.path.endswith("/good"))
    assert {u.name: u.calls for u in counted.functions} == {
        "strcpy": 3,
        "strncpy": 2,
        "snprintf": 1,
        "sprintf": 1,
    }
    problems = {location.split("/")[-1]: kind for kind, _, _, location in ctx.problems}
    assert problems.get("phoff-past-end") == ProblemKind.CORRUPT
    assert problems.get("header-only") == ProblemKind.CORRUPT
    assert "good" not in problems
