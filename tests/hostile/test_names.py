"""Hostile member names: climbing out, absolute, too long, not UTF-8; and an empty input."""

import json
from pathlib import Path

from assay.model.artifact import FileKind
from assay.model.problem import ProblemKind
from assay.pipeline.evaluator import Evaluator
from assay.report.json_report import evaluation_json
from tests.factories.files import sha256
from tests.factories.hostile import (
    hard,
    hostile_cpio,
    hostile_tar,
    hostile_zip,
    legit_hashes,
    padded_name,
    reg,
    sym,
    tar_bytes,
    zip_with_raw_name,
)
from tests.hostile.conftest import Scan

EVIL = b"evil payload\n"
SLIPS = ("../../evil", "a/../../evil", "../../../../../sentinel/evil")
"""From `<workspace>/<image>.extracted`, the last one climbs to the test's sentinel folder."""


def _assert_legit(outcome_files: dict[str, str]) -> None:
    missing = {p: h for p, h in legit_hashes().items() if outcome_files.get(p) != h}
    assert not missing, f"legitimate files lost or wrong: {sorted(missing)}"


def test_tar_zip_slip_is_refused(hostile: Scan) -> None:
    image = hostile_tar(*(reg(name, EVIL) for name in SLIPS))
    outcome = hostile("slip.tar", image)
    escapes = outcome.problems(ProblemKind.PATH_ESCAPE)
    assert sorted(p.member for p in escapes) == sorted(SLIPS)
    files = outcome.under("slip.tar")
    _assert_legit(files)
    assert sha256(EVIL) not in files.values()


def test_zip_zip_slip_is_refused(hostile: Scan) -> None:
    outcome = hostile("slip.zip", hostile_zip(SLIPS[0], EVIL))
    assert [p.member for p in outcome.problems(ProblemKind.PATH_ESCAPE)] == [SLIPS[0]]
    files = outcome.under("slip.zip")
    _assert_legit(files)
    assert sha256(EVIL) not in files.values()


def test_zip_slip_into_sentinel_is_refused(hostile: Scan) -> None:
    outcome = hostile("slip.zip", hostile_zip(SLIPS[2], EVIL))
    assert [p.member for p in outcome.problems(ProblemKind.PATH_ESCAPE)] == [SLIPS[2]]
    _assert_legit(outcome.under("slip.zip"))


def test_tar_absolute_names_are_rerooted(hostile: Scan) -> None:
    """An absolute member name lands at that path inside the container, never on the host;
    this is the container's own layout, not a problem."""
    image = hostile_tar(reg("/etc/evil", EVIL), reg("/tmp/evil", EVIL))
    outcome = hostile("abs.tar", image)
    files = outcome.under("abs.tar")
    _assert_legit(files)
    assert files["/etc/evil"] == sha256(EVIL)
    assert files["/tmp/evil"] == sha256(EVIL)
    assert not outcome.result.problems


def test_cpio_absolute_names_are_rerooted(hostile: Scan) -> None:
    image = hostile_cpio((b"/etc/evil", EVIL, 0o100644), (b"/tmp/evil", EVIL, 0o100644))
    outcome = hostile("abs.cpio", image)
    files = outcome.under("abs.cpio")
    _assert_legit(files)
    assert files["/etc/evil"] == sha256(EVIL)
    assert files["/tmp/evil"] == sha256(EVIL)
    assert ProblemKind.PATH_ESCAPE.value not in outcome.kinds()


def test_cpio_slip_is_refused(hostile: Scan) -> None:
    outcome = hostile("slip.cpio", hostile_cpio((SLIPS[2].encode(), EVIL, 0o100644)))
    assert [p.member for p in outcome.problems(ProblemKind.PATH_ESCAPE)] == [SLIPS[2]]
    _assert_legit(outcome.under("slip.cpio"))


def test_overlong_member_name_is_a_problem(hostile: Scan) -> None:
    long_name = "n" * 300
    outcome = hostile("long.tar", hostile_tar(reg(long_name, EVIL)))
    assert [p.member for p in outcome.problems(ProblemKind.INVALID_NAME)] == [long_name]
    _assert_legit(outcome.under("long.tar"))


def test_overlong_path_is_a_problem(hostile: Scan) -> None:
    deep = "/".join(["d" * 200] * 25) + "/file"
    assert len(deep) > 4096
    outcome = hostile("deep.tar", hostile_tar(reg(deep, EVIL)))
    assert [p.member for p in outcome.problems(ProblemKind.INVALID_NAME)] == [deep]
    files = outcome.under("deep.tar")
    _assert_legit(files)
    assert sha256(EVIL) not in files.values()


def test_container_whose_output_folder_path_is_too_long_is_a_problem(
    hostile: Scan, tmp_path: Path
) -> None:
    """The inner tar's own path fits the host's 4096-byte limit, its `.extracted` folder not."""
    prefix = tmp_path / "a" / "b" / "c" / "workspace-1" / "deep.tar.extracted"
    name = padded_name(prefix, 4090, "inner.tar")
    inner = tar_bytes([reg("x", EVIL)])
    outcome = hostile("deep.tar", hostile_tar(reg(name, inner)))
    [problem] = outcome.result.problems
    assert problem.kind is ProblemKind.INVALID_NAME
    assert problem.location == "deep.tar › /" + name
    files = outcome.under("deep.tar")
    _assert_legit(files)
    assert files["/" + name] == sha256(inner)


def test_overlong_link_names_and_targets_are_problems(hostile: Scan) -> None:
    image = hostile_tar(
        sym("long-target", "x/" * 2500),
        sym("l" * 300, "keep"),
        hard("h" * 300, "keep/etc/passwd"),
    )
    outcome = hostile("links.tar", image)
    members = [p.member for p in outcome.problems(ProblemKind.INVALID_NAME)]
    assert members == ["long-target", "l" * 300, "h" * 300]
    _assert_legit(outcome.under("links.tar"))


def test_tar_names_that_are_not_utf8_are_inventoried(hostile: Scan) -> None:
    name = b"\xff\xfe.bin".decode("utf-8", "surrogateescape")
    outcome = hostile("bytes.tar", hostile_tar(reg(name, EVIL), reg("dir\udcff/x", EVIL)))
    files = outcome.under("bytes.tar")
    _assert_legit(files)
    assert files["/" + name] == sha256(EVIL)
    assert files["/dir\udcff/x"] == sha256(EVIL)
    assert not outcome.result.problems


def test_zip_names_that_are_not_utf8_are_inventoried(hostile: Scan) -> None:
    outcome = hostile("bytes.zip", zip_with_raw_name(b"\xff\xfe.bin", EVIL))
    files = outcome.under("bytes.zip")
    _assert_legit(files)
    odd = [path for path, digest in files.items() if digest == sha256(EVIL)]
    assert len(odd) == 1 and odd[0].endswith(".bin"), files
    assert not outcome.result.problems


def test_undecodable_names_render_escaped_in_json(tmp_path: Path) -> None:
    name = b"\xff\xfe.bin".decode("utf-8", "surrogateescape")
    image = tmp_path / "bytes.tar"
    image.write_bytes(hostile_tar(reg(name, EVIL), reg("../\udcfe", EVIL)))
    evaluation = Evaluator().evaluate(image)
    text = json.dumps(evaluation_json(evaluation), ensure_ascii=False)
    text.encode("utf-8")  # no lone surrogates left
    paths = [a["path"] for a in json.loads(text)["artifacts"]]
    assert "/\\xff\\xfe.bin" in paths
    members = [p.get("member") for p in json.loads(text)["problems"]]
    assert "../\\xfe" in members


def test_empty_file_is_inventoried_without_problem(hostile: Scan) -> None:
    outcome = hostile("empty.bin", b"")
    assert [(a.kind, a.size) for a in outcome.result.artifacts] == [(FileKind.EMPTY, 0)]
    assert not outcome.result.problems


def test_empty_member_is_inventoried_without_problem(hostile: Scan) -> None:
    outcome = hostile("empty.tar", hostile_tar(reg("empty", b"")))
    _assert_legit(outcome.under("empty.tar"))
    assert outcome.artifact("empty.tar", "/empty").kind is FileKind.EMPTY
    assert not outcome.result.problems
