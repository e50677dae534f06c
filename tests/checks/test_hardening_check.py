"""HardeningCheck over a real unpacked tree: rows per path, copies, setuid, skipped and broken
files as problems, the matrix, findings with stable ids, and the JSON facts."""

import json
import shutil
from pathlib import Path

import pytest

from assay.checks.base import CheckContext, CheckResult
from assay.checks.hardening.check import HardeningCheck
from assay.extract.limits import Limits
from assay.extract.unpacker import Unpacker
from assay.inventory.index import FileIndex
from assay.model.component import Component, ComponentType, Confidence
from assay.model.finding import Severity
from assay.model.hardening import HardeningFacts, StackState
from assay.model.ids import stable_id
from assay.model.problem import ProblemKind
from assay.plugins import extractors
from assay.report.hardening_json import facts_to_json
from tests.checks.test_hardening_arch import HARDENED, LIBRARY, SOURCE, WEAK, need
from tests.factories.elf_build import build_elf, drop_program_header

GNU_STACK = 0x6474E551


@pytest.fixture(scope="module")
def release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small root file system: hardened and weak programs, a setuid copy, a library, an
    object file, a truncated ELF, one with its section headers past the end, a text file."""
    for arch in ("x86-64", "mips", "arm"):
        need(arch)
    builds = tmp_path_factory.mktemp("builds")
    root = tmp_path_factory.mktemp("rootfs")
    hardened = build_elf(SOURCE, builds, "x86-64", HARDENED)
    weak = build_elf(SOURCE, builds, "mips", WEAK)
    library = build_elf(LIBRARY, builds, "arm", ("-shared", "-fPIC", "-Wl,-soname,libname.so.1"))
    relocatable = build_elf(LIBRARY, builds, "x86-64", ("-c",))
    files = {
        "usr/bin/hardened": (hardened.read_bytes(), 0o755),
        "usr/bin/weak": (weak.read_bytes(), 0o755),
        "usr/sbin/weak-suid": (weak.read_bytes(), 0o4755),
        "usr/lib/libname.so.1": (library.read_bytes(), 0o644),
        "usr/lib/name.o": (relocatable.read_bytes(), 0o644),
        "bin/truncated": (hardened.read_bytes()[:200], 0o755),
        "bin/badsections": (_sections_past_end(hardened.read_bytes()), 0o755),
        "etc/passwd": (b"root:x:0:0:root:/root:/bin/sh\n", 0o644),
    }
    for name, (data, mode) in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        path.chmod(mode)
    nostack = root / "usr/bin/nostack"
    shutil.copy(hardened, nostack)
    drop_program_header(nostack, GNU_STACK)
    return root


def _sections_past_end(data: bytes) -> bytes:
    patched = bytearray(data)
    patched[40:48] = (len(data) + 4096).to_bytes(8, "little")  # e_shoff
    return bytes(patched)


def run_check(
    root: Path, workspace: Path, components: tuple[Component, ...] = ()
) -> tuple[CheckResult, CheckContext]:
    unpacked = Unpacker(extractors(), Limits(), workspace).unpack(root)
    ctx = CheckContext(components=components)
    return HardeningCheck().run(FileIndex(unpacked.artifacts, unpacked.disk), ctx), ctx


def kernel(version: str) -> Component:
    return Component(
        id="k",
        product="linux_kernel",
        name="Linux kernel",
        version=version,
        type=ComponentType.OPERATING_SYSTEM,
        purl=None,
        cpes=(),
        found_by=("test",),
        confidence=Confidence.HIGH,
        evidence=(),
    )


def test_rows_copies_and_problems(release: Path, tmp_path: Path) -> None:
    result, ctx = run_check(release, tmp_path / "w")
    facts = result.facts
    assert isinstance(facts, HardeningFacts)
    by_path = {row.path: row for row in facts.rows}
    assert set(by_path) == {
        "/usr/bin/hardened",
        "/usr/bin/weak",
        "/usr/sbin/weak-suid",
        "/usr/lib/libname.so.1",
        "/bin/badsections",
        "/usr/bin/nostack",
    }
    assert by_path["/usr/sbin/weak-suid"].copy_of == by_path["/usr/bin/weak"].artifact
    assert by_path["/usr/sbin/weak-suid"].setuid and not by_path["/usr/bin/weak"].setuid
    assert facts.skipped == (("relocatable", 1),)
    assert facts.unreadable == 1
    problems = {(kind, location.rsplit("/", 1)[-1]) for kind, _, _, location in ctx.problems}
    assert problems == {(ProblemKind.CORRUPT, "truncated"), (ProblemKind.CORRUPT, "badsections")}
    assert by_path["/bin/badsections"].elf.stripped is True
    assert by_path["/bin/badsections"].elf.canary is True, "dynamic symbols still tell"
    assert by_path["/usr/bin/nostack"].elf.stack is StackState.DEFAULT_EXECUTABLE


def test_kernel_release_decides_the_x86_64_default(release: Path, tmp_path: Path) -> None:
    result, _ = run_check(release, tmp_path / "w", (kernel("5.15.137"),))
    facts = result.facts
    assert isinstance(facts, HardeningFacts)
    assert facts.kernel == "5.15.137"
    nostack = next(row for row in facts.rows if row.path == "/usr/bin/nostack")
    assert nostack.elf.stack is StackState.DEFAULT_NON_EXECUTABLE
    assert "elf.nx.missing" not in {f.rule for f in result.findings}


def test_matrix_counts_distinct_files(release: Path, tmp_path: Path) -> None:
    facts = run_check(release, tmp_path / "w")[0].facts
    assert isinstance(facts, HardeningFacts)
    matrix = {row.property: row for row in facts.matrix}
    nx = matrix["nx"]
    # executables: hardened, weak (its setuid copy not counted twice), badsections, nostack
    assert (nx.executables.have, nx.executables.total) == (2, 4)
    assert nx.executables.percent == 50.0
    assert (nx.libraries.have, nx.libraries.total) == (1, 1)
    assert matrix["pie"].libraries.total == 0 and matrix["pie"].libraries.percent is None
    assert matrix["setuid"].executables.have == 0, "the setuid path is a copy"
    assert matrix["canary"].executables.have == 3
    assert matrix["relro-full"].executables.have == 3


def test_findings_group_copies_and_raise_privileged_severity(release: Path, tmp_path: Path) -> None:
    result, _ = run_check(release, tmp_path / "w")
    weak = {f.rule: f for f in result.findings if f.message.startswith("/usr/bin/weak:")}
    assert set(weak) == {
        "elf.stack.executable",
        "elf.pie.missing",
        "elf.relro.none",
        "elf.canary.missing",
        "elf.fortify.missing",
    }
    assert weak["elf.canary.missing"].severity is Severity.HIGH, "medium, raised: setuid copy"
    assert weak["elf.fortify.missing"].severity is Severity.MEDIUM
    locations = [e.location.split(" › ")[-1] for e in weak["elf.pie.missing"].evidence]
    assert locations == ["/usr/bin/weak", "/usr/sbin/weak-suid"]
    assert weak["elf.pie.missing"].id == stable_id("finding", "elf.pie.missing", "/usr/bin/weak")
    setuid = [f for f in result.findings if f.rule == "elf.setuid"]
    assert [f.evidence[0].location.split(" › ")[-1] for f in setuid] == ["/usr/sbin/weak-suid"]
    hardened = [f for f in result.findings if f.message.startswith("/usr/bin/hardened:")]
    assert hardened == []
    nostack = [f.rule for f in result.findings if f.message.startswith("/usr/bin/nostack:")]
    assert nostack == ["elf.nx.missing"]


def test_findings_and_json_are_stable(release: Path, tmp_path: Path) -> None:
    first, _ = run_check(release, tmp_path / "a")
    second, _ = run_check(release, tmp_path / "b")
    assert [f.id for f in first.findings] == [f.id for f in second.findings]
    assert isinstance(first.facts, HardeningFacts) and isinstance(second.facts, HardeningFacts)
    document = facts_to_json(first.facts)
    assert json.dumps(document, sort_keys=True) == json.dumps(
        facts_to_json(second.facts), sort_keys=True
    )
    assert document["summary"]["executables"] == 4 and document["summary"]["libraries"] == 1
    assert document["summary"]["skipped"] == {"relocatable": 1}
    row = next(r for r in document["files"] if r["path"] == "/usr/lib/libname.so.1")
    assert row["pie"] == "dso" and row["type"] == "library"
