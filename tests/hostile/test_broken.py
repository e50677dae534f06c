"""Broken images and slow tools: a truncated squashfs, a corrupt cpio, an unpacker that runs too
long; each is a recorded problem, never a crash, and what could be read is still inventoried."""

from pathlib import Path

from assay.extract.limits import Limits
from assay.model.problem import ProblemKind
from tests.factories.files import SAMPLE_FILES, make_tree, sha256
from tests.factories.hostile import (
    LEGIT,
    corrupt_cpio,
    hostile_tar,
    legit_hashes,
    mksquashfs,
    opaque_bytes,
    reg,
    slow_squashfs,
)
from tests.hostile.conftest import Scan


def _assert_legit(files: dict[str, str]) -> None:
    missing = {p: h for p, h in legit_hashes().items() if files.get(p) != h}
    assert not missing, f"legitimate files lost or wrong: {sorted(missing)}"


def _truncated_squashfs(tmp_path: Path) -> bytes:
    tree = make_tree(tmp_path / "tree", {**SAMPLE_FILES, "big.bin": opaque_bytes(300_000)})
    image = mksquashfs(tree, tmp_path / "whole.sqfs").read_bytes()
    return image[: len(image) // 2]


def test_truncated_squashfs_is_a_problem(hostile: Scan, tmp_path: Path) -> None:
    outcome = hostile("cut.sqfs", _truncated_squashfs(tmp_path), seconds=10)
    assert ProblemKind.CORRUPT in {p.kind for p in outcome.result.problems}
    assert outcome.artifact("cut.sqfs").format == "squashfs"


def test_truncated_squashfs_beside_good_files(hostile: Scan, tmp_path: Path) -> None:
    image = hostile_tar(reg("rootfs.sqfs", _truncated_squashfs(tmp_path)))
    outcome = hostile("release.tar", image, seconds=10)
    located = {p.location for p in outcome.problems(ProblemKind.CORRUPT)}
    assert located == {"release.tar › /rootfs.sqfs"}
    _assert_legit(outcome.under("release.tar"))


def test_corrupt_cpio_keeps_the_members_before_the_damage(hostile: Scan) -> None:
    image, intact = corrupt_cpio()
    outcome = hostile("broken.cpio", image)
    [problem] = outcome.result.problems
    assert problem.kind is ProblemKind.CORRUPT
    before = dict(sorted(legit_hashes().items())[:intact])
    assert outcome.under("broken.cpio") == before


def test_corrupt_cpio_beside_good_files(hostile: Scan) -> None:
    image, _ = corrupt_cpio()
    outcome = hostile("release.tar", hostile_tar(reg("initrd.cpio", image)))
    located = {p.location for p in outcome.problems(ProblemKind.CORRUPT)}
    assert located == {"release.tar › /initrd.cpio"}
    _assert_legit(outcome.under("release.tar"))


def test_slow_external_tool_is_stopped_at_the_time_limit(hostile: Scan, tmp_path: Path) -> None:
    slow = slow_squashfs(tmp_path / "slow.sqfs").read_bytes()
    image = hostile_tar(reg("slow.sqfs", slow))
    limits = Limits(extractor_seconds=0.5)
    outcome = hostile("release.tar", image, limits, seconds=5)
    [problem] = outcome.result.problems
    assert (problem.kind, problem.location) == (ProblemKind.LIMIT_TIME, "release.tar › /slow.sqfs")
    assert problem.extractor == "squashfs"
    _assert_legit(outcome.under("release.tar"))
    assert not list(outcome.workspace.glob(".scratch/*"))


def test_time_limit_applies_per_container(hostile: Scan, tmp_path: Path) -> None:
    """The squashfs runs out of time; the tar around it, given the same limit, does not."""
    slow = slow_squashfs(tmp_path / "slow.sqfs").read_bytes()
    image = hostile_tar(reg("slow.sqfs", slow), reg(LEGIT + "extra", b"extra\n"))
    outcome = hostile("release.tar", image, Limits(extractor_seconds=0.5), seconds=5)
    assert outcome.kinds() == {"limit-time"}
    assert outcome.under("release.tar")["/" + LEGIT + "extra"] == sha256(b"extra\n")
