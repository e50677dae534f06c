"""Reproducibility check: two builds of the same source, paired and judged by compare_releases,
and for every file that is not bit-for-bit identical the causes a build engineer can act on."""

from dataclasses import dataclass
from pathlib import Path

from assay.equivalence import causes as c
from assay.equivalence.causes import Cause
from assay.equivalence.contentcauses import content_causes
from assay.equivalence.elfcauses import ElfFacts, debug_detail, different_causes, elf_facts
from assay.equivalence.release import UnpackedPair, compare_releases
from assay.equivalence.verdict import FilePair, Verdict
from assay.extract.limits import Limits

Roots = tuple[tuple[bytes, bytes], ...]
ELF_MAGIC = b"\x7fELF"


@dataclass(frozen=True, slots=True)
class FileCauses:
    """One file that differs between the two builds, and why."""

    path: str
    verdict: Verdict
    causes: tuple[Cause, ...]


@dataclass(frozen=True, slots=True)
class CauseCount:
    """How many files one cause touches, with an example file and the remedy."""

    cause: str
    files: int
    example: str
    remedy: str


@dataclass(frozen=True, slots=True)
class ReproReport:
    """The files that differ between two builds, with their causes; the pairs compared; and
    what could not be unpacked."""

    files: tuple[FileCauses, ...]
    compared: int
    problems: tuple[str, ...] = ()

    @property
    def identical(self) -> bool:
        """Bit-for-bit identical: every file of both builds, and the inputs themselves."""
        return not self.files

    def summary(self) -> tuple[CauseCount, ...]:
        """Causes by the number of files they touch, most first."""
        counts: dict[str, CauseCount] = {}
        for entry in self.files:
            for name, remedy in dict((x.cause, x.remedy) for x in entry.causes).items():
                seen = counts.get(name)
                files = seen.files + 1 if seen else 1
                counts[name] = CauseCount(name, files, seen.example if seen else entry.path, remedy)
        return tuple(sorted(counts.values(), key=lambda n: (-n.files, n.cause)))


def check_reproducibility(
    first: Path, second: Path, build_roots: Roots = (), limits: Limits | None = None
) -> ReproReport:
    """Compare two builds of the same source file by file and name what makes them differ."""
    found: list[FileCauses] = []
    examined: set[Path] = set()

    def examine(pairs: tuple[UnpackedPair, ...]) -> None:
        examined.update(p.vendor_disk for p in pairs if p.vendor_disk is not None)
        found.extend(_examine(pairs, build_roots))

    result = compare_releases(first, second, build_roots, limits, while_unpacked=examine)
    compared = len(result.pairs)
    if first.is_file() and second.is_file() and first not in examined:
        found[:0] = _inputs(first, second, build_roots)
        compared += 1
    return ReproReport(tuple(found), compared, result.problems)


def _examine(pairs: tuple[UnpackedPair, ...], given: Roots) -> list[FileCauses]:
    """ELF files first, so that their DWARF build directories help explain the other files."""
    facts = {
        id(p): (elf_facts(disks[0]), elf_facts(disks[1]))
        for p in pairs
        if (disks := _elf_disks(p)) is not None
    }
    roots = given + _roots_from(list(facts.values()))
    explained: dict[int, FileCauses] = {}
    for unpacked in pairs:
        if unpacked.pair.verdict is Verdict.IDENTICAL:
            continue
        sides = facts.get(id(unpacked))
        found = _elf(unpacked.pair, *sides) if sides else _other(unpacked, roots)
        explained[id(unpacked)] = FileCauses(_shown(unpacked.pair), unpacked.pair.verdict, found)
    return [explained[id(p)] for p in pairs if id(p) in explained]


def _elf(pair: FilePair, vendor: ElfFacts, rebuilt: ElfFacts) -> tuple[Cause, ...]:
    found = [_elf_normalisation(name, vendor, rebuilt) for name in pair.normalisations]
    if pair.verdict is Verdict.DIFFERENT:
        found.extend(different_causes(pair, vendor, rebuilt))
    return tuple(found)


def _elf_normalisation(name: str, vendor: ElfFacts, rebuilt: ElfFacts) -> Cause:
    if name == "debug-sections":
        return c.cause(c.DEBUG_INFO, debug_detail(vendor, rebuilt))
    if name == "build-paths" and vendor.comp_dir and rebuilt.comp_dir:
        shown = f"{vendor.comp_dir.decode(errors='replace')} → "
        shown += rebuilt.comp_dir.decode(errors="replace")
        return c.cause(c.BUILD_PATH, f"the build directory is embedded in strings: {shown}")
    return c.from_normalisation(name)


def _other(unpacked: UnpackedPair, roots: Roots) -> tuple[Cause, ...]:
    pair = unpacked.pair
    if pair.verdict is Verdict.MISSING:
        return (c.cause(c.MISSING, f"only in the {'first' if pair.vendor else 'second'} build"),)
    found = [c.cause(c.MODE, d.detail) for d in pair.differences if d.detail.startswith("mode ")]
    found += [c.cause(c.MEMBERS, d.detail) for d in pair.differences if d.section == "members"]
    disks = _disks(unpacked)
    content = content_causes(*disks, roots) if disks and not _same_bytes(*disks) else []
    unknown = [x for x in content if x.cause == c.UNKNOWN]
    found += [x for x in content if x.cause != c.UNKNOWN or not unpacked.container]
    if not found:  # a container whose metadata no detector reads: what equiv normalised
        found = [c.from_normalisation(n) for n in pair.normalisations]
    if not found:
        found = unknown or [c.cause(c.UNKNOWN, d.detail) for d in pair.differences]
    return tuple(found)


def _inputs(first: Path, second: Path, roots: Roots) -> list[FileCauses]:
    """The two input files themselves (an archive or image), which pairing leaves out."""
    if _same_bytes(first, second):
        return []
    shown = first.name if first.name == second.name else f"{first.name} / {second.name}"
    return [FileCauses(shown, Verdict.DIFFERENT, tuple(content_causes(first, second, roots)))]


def _roots_from(facts: list[tuple[ElfFacts, ElfFacts]]) -> Roots:
    """Build directories the ELF files' DWARF names: whole, and without their common tail."""
    roots: dict[tuple[bytes, bytes], None] = {}
    for vendor, rebuilt in facts:
        a, b = vendor.comp_dir, rebuilt.comp_dir
        if not a or not b or a == b:
            continue
        roots[(a, b)] = None
        while a[-1:] == b[-1:] and a and b:
            a, b = a[:-1], b[:-1]
        if a and b:
            roots[(a, b)] = None
    return tuple(roots)


def _elf_disks(unpacked: UnpackedPair) -> tuple[Path, Path] | None:
    disks = _disks(unpacked)
    return disks if disks and all(_magic(disk) == ELF_MAGIC for disk in disks) else None


def _disks(unpacked: UnpackedPair) -> tuple[Path, Path] | None:
    vendor, rebuilt = unpacked.vendor_disk, unpacked.rebuilt_disk
    if vendor is None or rebuilt is None or not (vendor.is_file() and rebuilt.is_file()):
        return None
    return vendor, rebuilt


def _magic(path: Path) -> bytes:
    with open(path, "rb") as handle:
        return handle.read(4)


def _same_bytes(vendor: Path, rebuilt: Path) -> bool:
    if vendor.stat().st_size != rebuilt.stat().st_size:
        return False
    with open(vendor, "rb") as left, open(rebuilt, "rb") as right:
        while True:
            a, b = left.read(1 << 20), right.read(1 << 20)
            if a != b:
                return False
            if not a:
                return True


def _shown(pair: FilePair) -> str:
    return pair.vendor or pair.rebuilt or "-"
