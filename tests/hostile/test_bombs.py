"""Decompression bombs, nested bombs, a self-reproducing archive, deep nesting and file floods:
each is stopped by a limit (or by deduplication) in bounded time and disk space."""

import gzip

import pytest

from assay.extract.limits import Limits
from assay.model.problem import ProblemKind
from tests.factories.files import sha256
from tests.factories.hostile import (
    MIB,
    flood,
    gzip_bomb,
    gzip_quine,
    hostile_tar,
    legit_hashes,
    legit_members,
    nested_gzip,
    nested_tar,
    nested_zip_bomb,
    reg,
    tar_bytes,
)
from tests.hostile.conftest import Outcome, Scan

GIB = 1024**3


def _assert_legit(files: dict[str, str]) -> None:
    missing = {p: h for p, h in legit_hashes().items() if files.get(p) != h}
    assert not missing, f"legitimate files lost or wrong: {sorted(missing)}"


def _limit_kinds(outcome: Outcome) -> set[str]:
    return {k for k in outcome.kinds() if k.startswith("limit-")}


@pytest.mark.slow
def test_gzip_bomb_stops_at_the_default_ratio(hostile: Scan) -> None:
    bomb = gzip_bomb(GIB)
    assert len(bomb) * 1000 < GIB  # a ratio above 1000:1
    image = hostile_tar(reg("bomb.gz", bomb))
    outcome = hostile("bomb.tar", image, seconds=30, max_disk=4 * MIB)
    [problem] = outcome.problems(ProblemKind.LIMIT_RATIO)
    assert problem.location == "bomb.tar › /bomb.gz"
    assert _limit_kinds(outcome) == {"limit-ratio"}
    assert outcome.result.bytes_written <= Limits().max_ratio * len(bomb) + 8 * MIB
    files = outcome.under("bomb.tar")
    _assert_legit(files)
    assert not outcome.under("bomb.tar", "/bomb.gz")


def test_gzip_bomb_stops_at_a_small_ratio(hostile: Scan) -> None:
    bomb = gzip_bomb(GIB)
    limits = Limits(max_ratio=20, ratio_floor_bytes=MIB)
    outcome = hostile("bomb.gz", bomb, limits, seconds=5, max_disk=MIB)
    [problem] = outcome.problems(ProblemKind.LIMIT_RATIO)
    assert problem.location == "bomb.gz"
    assert outcome.result.bytes_written <= 20 * len(bomb) + 8 * MIB
    assert not outcome.under("bomb.gz")


def test_gzip_bomb_stops_at_the_byte_budget(hostile: Scan) -> None:
    limits = Limits(max_total_bytes=32 * MIB)
    outcome = hostile("bomb.gz", gzip_bomb(GIB), limits, seconds=5, max_disk=MIB)
    assert [p.kind for p in outcome.result.problems] == [ProblemKind.LIMIT_BYTES]
    assert outcome.result.bytes_written <= 32 * MIB


def test_nested_zip_bomb_of_distinct_zips_hits_the_byte_budget(hostile: Scan) -> None:
    bomb = nested_zip_bomb(fanout=10, leaf_bytes=8 * MIB, distinct=True)
    limits = Limits(max_total_bytes=96 * MIB)
    image = hostile_tar(reg("nested.zip", bomb))
    outcome = hostile("release.tar", image, limits, seconds=15, max_disk=100 * MIB)
    assert _limit_kinds(outcome) == {"limit-bytes"}
    assert outcome.result.bytes_written <= 96 * MIB
    _assert_legit(outcome.under("release.tar"))
    leaf_zips = [a for a in outcome.result.artifacts if a.path.startswith("/leaf-")]
    assert all(a.duplicate_of is None for a in leaf_zips)
    zeros = [a for a in outcome.result.artifacts if a.path == "/zeros.bin"]
    assert 5 <= len(zeros) <= 12
    middles = [a for a in outcome.result.artifacts if a.path.startswith("/middle-")]
    assert len(middles) == 10
    assert all(a.duplicate_of is None for a in middles)


def test_nested_zip_bomb_of_distinct_zips_hits_the_ratio(hostile: Scan) -> None:
    bomb = nested_zip_bomb(fanout=10, leaf_bytes=8 * MIB, distinct=True)
    limits = Limits(max_ratio=100, ratio_floor_bytes=MIB)
    image = hostile_tar(reg("nested.zip", bomb))
    outcome = hostile("release.tar", image, limits, seconds=15, max_disk=16 * MIB)
    ratio = outcome.problems(ProblemKind.LIMIT_RATIO)
    assert len(ratio) == 100
    _assert_legit(outcome.under("release.tar"))
    assert all(p.location.endswith(".zip") for p in ratio)
    assert outcome.result.bytes_written <= 100 * 2 * MIB + 4 * len(bomb)


def test_nested_zip_bomb_of_identical_zips_is_cheap_thanks_to_dedupe(hostile: Scan) -> None:
    bomb = nested_zip_bomb(fanout=10, leaf_bytes=8 * MIB, distinct=False)
    outcome = hostile("nested.zip", bomb, seconds=5, max_disk=12 * MIB)
    assert not outcome.result.problems
    middles = [a for a in outcome.result.artifacts if a.path.startswith("/middle-")]
    assert len(middles) == 10
    assert sum(a.duplicate_of is not None for a in middles) == 9
    leaves = [a for a in outcome.result.artifacts if a.path.startswith("/leaf-")]
    assert len(leaves) == 10
    assert sum(a.duplicate_of is not None for a in leaves) == 9
    assert len([a for a in outcome.result.artifacts if a.path == "/zeros.bin"]) == 1
    assert outcome.result.bytes_written < 8 * MIB + 2 * len(bomb)


def test_gzip_quine_is_stopped_by_dedupe(hostile: Scan) -> None:
    quine = gzip_quine()
    assert gzip.decompress(quine) == quine
    outcome = hostile("self.tar", hostile_tar(reg("self.gz", quine)), seconds=5)
    _assert_legit(outcome.under("self.tar"))
    container = outcome.artifact("self.tar", "/self.gz")
    assert container.format == "gzip"
    [copy] = [a for a in outcome.result.artifacts if a.chain[:2] == ("self.tar", "/self.gz")][1:]
    assert copy.sha256 == container.sha256 == sha256(quine)
    assert copy.duplicate_of == container.id
    assert copy.format is None
    assert max(a.depth for a in outcome.result.artifacts) == 2
    assert not outcome.result.problems


def test_gzip_quine_as_the_input_is_stopped_by_dedupe(hostile: Scan) -> None:
    quine = gzip_quine()
    outcome = hostile("self.gz", quine, seconds=5)
    root = outcome.artifact("self.gz")
    [copy] = [a for a in outcome.result.artifacts if a.depth == 1]
    assert copy.duplicate_of == root.id
    assert len(outcome.result.artifacts) == 2
    assert not outcome.result.problems


@pytest.mark.parametrize("depth", [Limits().max_depth, 5])
def test_gzip_nested_200_times_stops_at_the_depth_limit(hostile: Scan, depth: int) -> None:
    outcome = hostile("deep.gz", nested_gzip(200), Limits(max_depth=depth), seconds=10)
    [problem] = outcome.result.problems
    assert problem.kind is ProblemKind.LIMIT_DEPTH
    assert f"depth {depth}" in problem.message
    assert len(outcome.result.artifacts) == depth + 1
    assert max(a.depth for a in outcome.result.artifacts) == depth


def test_gzip_nested_200_times_without_depth_limit_ends_in_a_problem(hostile: Scan) -> None:
    """Names grow with each level until the host refuses them: a problem, not a crash."""
    outcome = hostile("deep.gz", nested_gzip(200), Limits(max_depth=1000), seconds=10)
    assert outcome.kinds() == {"invalid-name"}
    assert 20 < max(a.depth for a in outcome.result.artifacts) < 200


def test_tar_nested_40_times_keeps_the_files_above_the_depth_limit(hostile: Scan) -> None:
    levels, depth = 40, Limits().max_depth
    outcome = hostile("deep.tar", nested_tar(levels), seconds=10)
    [problem] = outcome.result.problems
    assert problem.kind is ProblemKind.LIMIT_DEPTH
    texts = {a.path: a.sha256 for a in outcome.result.artifacts if a.path.endswith(".txt")}
    reached = range(levels - depth, levels)
    assert texts == {f"/level-{n}.txt": sha256(b"level %d\n" % n) for n in reached}


def test_file_flood_stops_at_the_file_limit(hostile: Scan) -> None:
    image = tar_bytes([*legit_members(), *flood(3000)])
    outcome = hostile("flood.tar", image, Limits(max_files=100), seconds=10)
    first, *rest = outcome.result.problems
    assert (first.kind, first.location) == (ProblemKind.LIMIT_FILES, "flood.tar")
    assert all(p.kind is ProblemKind.LIMIT_FILES for p in rest)
    files = outcome.under("flood.tar")
    _assert_legit(files)
    flooded = {p: h for p, h in files.items() if p.startswith("/many/")}
    assert 50 < len(flooded) < 100
    assert all(h == sha256(b"%d\n" % int(p.rsplit("f", 1)[1])) for p, h in flooded.items())
