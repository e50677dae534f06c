"""Comparing two releases (or two files): unpack both with the scan spine, pair their files,
and give every pair a verdict."""

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from assay.equivalence.elfcompare import compare_elf
from assay.equivalence.pairing import SideFile, pair_files, side_files
from assay.equivalence.verdict import Difference, FilePair, ReleaseVerdict, Verdict
from assay.extract.limits import Limits
from assay.inventory.index import FileIndex
from assay.model.artifact import FileKind
from assay.model.ids import display_path
from assay.pipeline.evaluator import Evaluator, ScanOptions

Roots = tuple[tuple[bytes, bytes], ...]
ARCHIVE_METADATA = "archive-member-order-and-mtimes"


@dataclass(frozen=True, slots=True)
class UnpackedPair:
    """A judged pair with where its two files sit on disk while the workspaces exist."""

    pair: FilePair
    vendor_disk: Path | None
    rebuilt_disk: Path | None
    container: bool


WhileUnpacked = Callable[[tuple[UnpackedPair, ...]], None]


def compare_releases(
    vendor: Path,
    rebuilt: Path,
    build_roots: Roots = (),
    limits: Limits | None = None,
    while_unpacked: WhileUnpacked | None = None,
) -> ReleaseVerdict:
    """Unpack both inputs into temporary workspaces and compare every file pair;
    `while_unpacked` is called with the judged pairs before the workspaces are deleted."""
    with (
        tempfile.TemporaryDirectory(prefix="assay-equiv-") as left_space,
        tempfile.TemporaryDirectory(prefix="assay-equiv-") as right_space,
    ):
        left, left_problems = _unpack(vendor, Path(left_space), limits)
        right, right_problems = _unpack(rebuilt, Path(right_space), limits)
        pairs = pair_files(side_files(left), side_files(right))
        verdicts = _judge(pairs, build_roots)
        if while_unpacked is not None:
            while_unpacked(tuple(_unpacked(p, v) for p, v in zip(pairs, verdicts, strict=True)))
    return ReleaseVerdict(verdicts, left_problems + right_problems)


def compare_files(vendor: Path, rebuilt: Path, build_roots: Roots = ()) -> FilePair:
    """Compare two files on disk directly, without unpacking them."""
    if vendor.read_bytes() == rebuilt.read_bytes():
        return FilePair(str(vendor), str(rebuilt), Verdict.IDENTICAL)
    return _bytes_verdict(str(vendor), str(rebuilt), vendor, rebuilt, _is_elf(vendor), build_roots)


def _unpacked(sides: tuple[SideFile | None, SideFile | None], verdict: FilePair) -> UnpackedPair:
    vendor, rebuilt = sides
    container = any(s is not None and s.container for s in sides)
    return UnpackedPair(
        verdict, vendor.disk if vendor else None, rebuilt.disk if rebuilt else None, container
    )


def _unpack(
    source: Path, workspace: Path, limits: Limits | None
) -> tuple[FileIndex, tuple[str, ...]]:
    kept: list[FileIndex] = []
    options = ScanOptions(
        limits=limits or Limits(),
        workspace=workspace,
        identify=False,
        after_identify=lambda index, _components: kept.append(index),
    )
    evaluation = Evaluator(options).evaluate(source)
    problems = tuple(f"{display_path(p.location)}: {p.message}" for p in evaluation.problems)
    return kept[0], problems


def _judge(
    pairs: list[tuple[SideFile | None, SideFile | None]], roots: Roots
) -> tuple[FilePair, ...]:
    """Leaves first; then containers, deepest first, from their members' verdicts."""
    judged: dict[tuple[str | None, str | None], FilePair] = {}
    order = sorted(pairs, key=lambda p: -max(s.artifact.depth for s in p if s is not None))
    containers = [p for p in order if any(s is not None and s.container for s in p)]
    for pair in order:
        if pair not in containers:
            judged[_ids(pair)] = _judge_pair(*pair, roots)
    for pair in containers:
        judged[_ids(pair)] = _judge_container(pair, judged, pairs)
    return tuple(judged[_ids(pair)] for pair in pairs)


def _ids(pair: tuple[SideFile | None, SideFile | None]) -> tuple[str | None, str | None]:
    return tuple(s.artifact.id if s else None for s in pair)  # type: ignore[return-value]


def _judge_pair(vendor: SideFile | None, rebuilt: SideFile | None, roots: Roots) -> FilePair:
    if vendor is None or rebuilt is None:
        side = "rebuilt" if vendor is None else "vendor"
        present = vendor or rebuilt
        assert present is not None
        detail = f"only in the {side} release"
        return FilePair(
            vendor.shown if vendor else None,
            rebuilt.shown if rebuilt else None,
            Verdict.MISSING,
            differences=(Difference("file", detail),),
        )
    left, right = vendor.artifact, rebuilt.artifact
    if left.mode != right.mode:
        detail = f"mode {left.mode:o} → {right.mode:o}"
        return FilePair(
            vendor.shown, rebuilt.shown, Verdict.DIFFERENT, (), (Difference("file", detail),)
        )
    if left.kind is FileKind.SYMLINK or right.kind is FileKind.SYMLINK:
        same = left.link_target == right.link_target and left.kind == right.kind
        detail = f"link {left.link_target} → {right.link_target}"
        differences = () if same else (Difference("symlink", detail),)
        verdict = Verdict.IDENTICAL if same else Verdict.DIFFERENT
        return FilePair(vendor.shown, rebuilt.shown, verdict, (), differences)
    if left.sha256 == right.sha256:
        return FilePair(vendor.shown, rebuilt.shown, Verdict.IDENTICAL)
    if vendor.disk is None or rebuilt.disk is None:
        return FilePair(
            vendor.shown,
            rebuilt.shown,
            Verdict.DIFFERENT,
            (),
            (Difference("file", "content differs"),),
        )
    both_elf = left.kind is FileKind.ELF and right.kind is FileKind.ELF
    return _bytes_verdict(vendor.shown, rebuilt.shown, vendor.disk, rebuilt.disk, both_elf, roots)


def _bytes_verdict(
    vendor_name: str, rebuilt_name: str, vendor: Path, rebuilt: Path, elf: bool, roots: Roots
) -> FilePair:
    """Two files whose bytes differ: ELF files section by section, anything else differs."""
    if not elf:
        detail = f"content differs ({vendor.stat().st_size} → {rebuilt.stat().st_size} bytes)"
        return FilePair(
            vendor_name, rebuilt_name, Verdict.DIFFERENT, (), (Difference("file", detail),)
        )
    result = compare_elf(vendor, rebuilt, roots)
    if result.differences:
        return FilePair(
            vendor_name, rebuilt_name, Verdict.DIFFERENT, result.normalisations, result.differences
        )
    names = result.normalisations or ("section-header-table",)
    return FilePair(vendor_name, rebuilt_name, Verdict.EQUIVALENT, names)


def _judge_container(
    pair: tuple[SideFile | None, SideFile | None],
    judged: dict[tuple[str | None, str | None], FilePair],
    pairs: list[tuple[SideFile | None, SideFile | None]],
) -> FilePair:
    vendor, rebuilt = pair
    if vendor is None or rebuilt is None or not (vendor.container and rebuilt.container):
        return _judge_pair(vendor, rebuilt, ())
    if vendor.artifact.sha256 == rebuilt.artifact.sha256:
        return FilePair(vendor.shown, rebuilt.shown, Verdict.IDENTICAL)
    parents = {vendor.artifact.id, rebuilt.artifact.id}
    members = [
        judged[_ids(p)]
        for p in pairs
        if any(s is not None and s.artifact.parent in parents for s in p)
    ]
    failing = [m for m in members if not m.matches]
    if failing or not members:
        detail = f"{len(failing)} of {len(members)} member(s) different or missing"
        return FilePair(
            vendor.shown, rebuilt.shown, Verdict.DIFFERENT, (), (Difference("members", detail),)
        )
    return FilePair(vendor.shown, rebuilt.shown, Verdict.EQUIVALENT, (ARCHIVE_METADATA,))


def _is_elf(path: Path) -> bool:
    with open(path, "rb") as handle:
        return handle.read(4) == b"\x7fELF"
