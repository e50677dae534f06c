"""Versions from version functions and version data symbols: tiny shared libraries compiled for
every architecture with an installed cross compiler, at -O2 and -O0, stripped to `.dynsym`."""

import random
import shutil
from pathlib import Path

import capstone as cs
import pytest
from elftools.elf.elffile import ELFFile

from assay.catalog.binary.constant_return import Code, constant_return
from assay.catalog.binary.rules import default_rules
from assay.catalog.binary.version_symbols import read_version_symbols
from assay.model.component import Confidence, Evidence
from assay.model.evaluation import Evaluation
from assay.pipeline.evaluator import Evaluator, ScanOptions
from tests.factories.elf_build import available, build_elf

RULES = {rule.product: rule for rule in default_rules()}
WANTED = RULES["postgresql"].version_symbols + RULES["libiconv"].version_symbols
ARCHES = ["x86-64", "x86", "arm", "aarch64", "mips", "mipsel", "mips64el", "powerpc"]
ARCHES += ["powerpc64", "powerpc64le", "riscv64"]

CONSTANT = """
int PQlibVersion(void) { return 150005; }
const int _libiconv_version = 0x0112;
"""
# results known only at run time: a call, a loaded variable, a choice
COMPUTED = """
extern int base(void);
volatile int minor = 5;
int PQlibVersion(void) { return base() * 10000 + 5; }
int other(void) { return minor; }
"""
LOADED = "volatile int current = 150005;\nint PQlibVersion(void) { return current; }\n"
CHOSEN = "int PQlibVersion(int x) { return x > 3 ? 150005 : 140003; }\n"
THUMB = ("-mthumb",)


def _library(tmp: Path, source: str, arch: str, *flags: str) -> Path:
    if not available(arch):
        pytest.skip(f"no cross compiler for {arch}")
    return build_elf(source, tmp, arch, ("-shared", "-fPIC", "-s", *flags))


def _read(path: Path) -> dict[str, tuple[str, int, bytes]]:
    found = read_version_symbols(path.read_bytes(), WANTED)
    return {f.symbol.symbol: (f.version, f.offset, f.matched) for f in found}


def _symbol_offset(path: Path, name: str) -> int:
    with path.open("rb") as handle:
        elf = ELFFile(handle)
        dynsym = elf.get_section_by_name(".dynsym")
        symbol = dynsym.get_symbol_by_name(name)[0]  # type: ignore[union-attr]
        address = symbol["st_value"] & ~(1 if elf["e_machine"] == "EM_ARM" else 0)
        if elf["e_machine"] == "EM_PPC64" and elf["e_flags"] & 3 != 2:
            # ELFv1: the symbol names a function descriptor whose first word is the code address
            handle.seek(next(elf.address_offsets(address)))
            address = int.from_bytes(handle.read(8), "big")
        return next(elf.address_offsets(address))


@pytest.mark.parametrize("optimise", ["-O2", "-O0"])
@pytest.mark.parametrize("arch", ARCHES)
def test_constant_function_and_datum_give_the_version(
    tmp_path: Path, arch: str, optimise: str
) -> None:
    library = _library(tmp_path, CONSTANT, arch, optimise)
    with library.open("rb") as handle:
        assert ELFFile(handle).get_section_by_name(".symtab") is None  # stripped
    found = _read(library)
    version, offset, code = found["PQlibVersion"]
    assert version == "15.5"
    assert offset == _symbol_offset(library, "PQlibVersion")
    assert code and library.read_bytes()[offset : offset + len(code)] == code
    version, offset, datum = found["_libiconv_version"]
    assert version == "1.18"
    assert len(datum) == 4 and int.from_bytes(datum, "big") in (0x0112, 0x12010000)


def test_thumb_functions_are_read(tmp_path: Path) -> None:
    for optimise in ("-O2", "-O0"):
        library = _library(tmp_path, CONSTANT, "arm", optimise, *THUMB)
        assert _read(library)["PQlibVersion"][0] == "15.5"


def test_arm_mode_literal_pool_is_read(tmp_path: Path) -> None:
    # ARMv6 has no movw/movt: the constant comes from a literal pool after the function
    flags = ("-marm", "-march=armv6", "-mfpu=vfp")
    library = _library(tmp_path, CONSTANT, "arm", "-O2", *flags)
    assert _read(library)["PQlibVersion"][0] == "15.5"


@pytest.mark.parametrize("source", [COMPUTED, LOADED, CHOSEN], ids=["call", "load", "choice"])
@pytest.mark.parametrize("arch", ["x86-64", "aarch64", "arm", "mipsel", "powerpc", "riscv64"])
def test_values_known_only_at_run_time_give_nothing(tmp_path: Path, arch: str, source: str) -> None:
    for optimise in ("-O2", "-O0"):
        assert "PQlibVersion" not in _read(_library(tmp_path, source, arch, optimise))


def test_damaged_files_give_nothing_and_raise_nothing(tmp_path: Path) -> None:
    library = _library(tmp_path, CONSTANT, "mipsel", "-O2").read_bytes()
    rng = random.Random(7)
    for _ in range(300):
        damaged = bytearray(library[: rng.randrange(64, len(library) + 1)])
        for _ in range(rng.randint(1, 16)):
            damaged[rng.randrange(len(damaged))] = rng.randrange(256)
        assert isinstance(read_version_symbols(bytes(damaged), WANTED), list)
    assert read_version_symbols(b"\x7fELF" + bytes(60), WANTED) == []


def scan(root: Path) -> Evaluation:
    return Evaluator(ScanOptions()).evaluate(root)


def _evidence(evaluation: Evaluation, product: str) -> dict[str, tuple[str, Evidence]]:
    paths = {a.id: a.path for a in evaluation.artifacts}
    return {
        paths[e.artifact]: (c.version, e)
        for c in evaluation.components
        if c.product == product
        for e in c.evidence
    }


@pytest.mark.skipif(shutil.which("gcc") is None, reason="needs gcc")
def test_found_with_evidence_and_only_where_defined(tmp_path: Path) -> None:
    root = tmp_path / "rootfs"
    library = build_elf(
        CONSTANT,
        root / "usr/lib",
        flags=("-shared", "-fPIC", "-s", "-Wl,-soname,libpq.so.5"),
        name="libpq.so.5",
    )
    # a program calling PQlibVersion names it in .dynstr but does not define it
    build_elf(
        "int PQlibVersion(void);\nint main(void) { return PQlibVersion() != 0; }\n",
        root / "usr/bin",
        flags=("-s", str(library), "-Wl,-rpath,/usr/lib"),
        name="psql-client",
    )
    # the same code in a file not named like libpq: an embedded copy
    build_elf(CONSTANT, root / "opt/vendor", flags=("-shared", "-fPIC", "-s"), name="libvendor.so")
    evaluation = scan(root)
    found = _evidence(evaluation, "postgresql")
    version, evidence = found["/usr/lib/libpq.so.5"]
    assert version == "15.5"
    assert evidence.method == "version-symbol"
    assert evidence.offset == _symbol_offset(library, "PQlibVersion")
    assert (evidence.matched or "").startswith("PQlibVersion (function): ")
    assert not evidence.embedded
    assert _evidence(evaluation, "libiconv")["/usr/lib/libpq.so.5"][0] == "1.18"
    assert "/usr/bin/psql-client" not in found
    assert found["/opt/vendor/libvendor.so"][0] == "15.5"
    assert found["/opt/vendor/libvendor.so"][1].embedded


@pytest.mark.skipif(shutil.which("gcc") is None, reason="needs gcc")
def test_symbol_versions_have_medium_confidence(tmp_path: Path) -> None:
    root = tmp_path / "rootfs"
    build_elf(CONSTANT, root / "usr/lib", flags=("-shared", "-fPIC", "-s"), name="libpq.so.5")
    components = [c for c in scan(root).components if c.product == "postgresql"]
    assert [(c.version, c.confidence) for c in components] == [("15.5", Confidence.MEDIUM)]


def test_a_return_that_loads_the_result_gives_nothing() -> None:
    # movw r0, #0x49f5; movt r0, #2; pop {r0, pc}: r0 comes from the stack, not the constants
    code = bytes.fromhex("44f6f510c0f2020001bd")
    assert constant_return(_thumb(code)) is None
    assert constant_return(_thumb(code[:8] + bytes.fromhex("7047"))) == (150005, 10)  # bx lr


def _thumb(code: bytes) -> Code:
    return Code("arm", cs.CS_ARCH_ARM, cs.CS_MODE_THUMB, 0x1000, code, lambda _address: None)
