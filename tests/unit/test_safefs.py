"""SafeFS: confinement of names, links and sizes."""

import os
from pathlib import Path

import pytest

from assay.extract.limits import Budget, Deadline, LimitExceeded, Limits, RatioGuard
from assay.extract.safefs import SafeFS
from assay.model.problem import ProblemKind

Recorded = list[tuple[ProblemKind, str | None]]


def make_fs(
    root: Path, limits: Limits | None = None, source_size: int = 1000
) -> tuple[SafeFS, Recorded]:
    limits = limits or Limits()
    seen: Recorded = []
    fs = SafeFS(
        root,
        Budget(limits, source_size),
        RatioGuard(limits, source_size),
        Deadline(60),
        lambda kind, level, message, member: seen.append((kind, member)),
    )
    return fs, seen


def test_parent_references_cannot_climb_out(tmp_path: Path) -> None:
    fs, seen = make_fs(tmp_path / "root")
    assert fs.write("../../evil", b"x") is None
    assert fs.write("a/../../evil", b"x") is None
    assert [k for k, _ in seen] == [ProblemKind.PATH_ESCAPE, ProblemKind.PATH_ESCAPE]
    assert not (tmp_path / "evil").exists()
    written = fs.write("a/../b/./c", b"ok")
    assert written == tmp_path / "root" / "b" / "c"


def test_absolute_names_are_rerooted(tmp_path: Path) -> None:
    fs, _ = make_fs(tmp_path / "root")
    assert fs.write("/etc/passwd", b"root") == tmp_path / "root" / "etc" / "passwd"


def test_absolute_symlink_is_rerooted_and_not_followed_for_writes(tmp_path: Path) -> None:
    fs, seen = make_fs(tmp_path / "root")
    fs.symlink("etc", "/etc")
    link = tmp_path / "root" / "etc"
    assert link.is_symlink()
    assert os.readlink(link) == "etc"  # the container's own /etc: the link itself
    assert fs.link_targets["etc"] == "/etc"
    assert fs.write("etc/passwd", b"owned") is None
    assert seen[-1][0] is ProblemKind.LINK_IN_PATH


def test_relative_symlink_escape_is_refused(tmp_path: Path) -> None:
    fs, seen = make_fs(tmp_path / "root")
    fs.symlink("a/b/up", "../../../outside")
    assert not (tmp_path / "root" / "a" / "b" / "up").exists()
    assert seen == [(ProblemKind.LINK_ESCAPE, "a/b/up")]
    fs.symlink("a/b/ok", "../sibling")
    assert os.readlink(tmp_path / "root" / "a" / "b" / "ok") == "../sibling"


def test_hard_links_only_to_files_inside(tmp_path: Path) -> None:
    fs, seen = make_fs(tmp_path / "root")
    fs.write("bin/busybox", b"bb")
    assert fs.hardlink("bin/sh", "bin/busybox") is not None
    assert fs.hardlink("bin/x", "../../etc/passwd") is None
    assert fs.hardlink("bin/y", "/etc/passwd") is None
    assert [k for k, _ in seen] == [ProblemKind.LINK_ESCAPE, ProblemKind.LINK_ESCAPE]


def test_setuid_is_recorded_but_not_applied(tmp_path: Path) -> None:
    fs, _ = make_fs(tmp_path / "root")
    path = fs.write("bin/su", b"su", mode=0o4755)
    assert path is not None
    assert fs.modes["bin/su"] & 0o7777 == 0o4755
    assert path.stat().st_mode & 0o7000 == 0


def test_byte_limit_stops_and_removes_partial_file(tmp_path: Path) -> None:
    fs, _ = make_fs(tmp_path / "root", Limits(max_total_bytes=1000))
    with pytest.raises(LimitExceeded) as raised:
        fs.write("big", iter([b"a" * 600, b"b" * 600]))
    assert raised.value.kind is ProblemKind.LIMIT_BYTES
    assert not (tmp_path / "root" / "big").exists()


def test_ratio_limit_applies_above_the_floor(tmp_path: Path) -> None:
    limits = Limits(max_ratio=10, ratio_floor_bytes=100)
    fs, _ = make_fs(tmp_path / "root", limits, source_size=10)
    fs.write("small", b"x" * 100)
    with pytest.raises(LimitExceeded) as raised:
        fs.write("large", b"x" * 200)
    assert raised.value.kind is ProblemKind.LIMIT_RATIO


def test_file_count_limit(tmp_path: Path) -> None:
    fs, _ = make_fs(tmp_path / "root", Limits(max_files=3))
    fs.write("a", b"1")
    fs.write("b", b"2")
    fs.write("c", b"3")
    with pytest.raises(LimitExceeded) as raised:
        fs.write("d", b"4")
    assert raised.value.kind is ProblemKind.LIMIT_FILES


def test_import_tree_checks_every_entry(tmp_path: Path) -> None:
    staging = tmp_path / "staging"
    (staging / "bin").mkdir(parents=True)
    (staging / "bin" / "tool").write_bytes(b"tool")
    os.symlink("/bin/tool", staging / "bin" / "abs")
    os.symlink("../../../../../etc/shadow", staging / "bin" / "escape")
    os.mkfifo(staging / "fifo")
    fs, seen = make_fs(tmp_path / "root")
    fs.import_tree(staging)
    root = tmp_path / "root"
    assert (root / "bin" / "tool").read_bytes() == b"tool"
    assert os.readlink(root / "bin" / "abs") == "tool"
    assert not os.path.lexists(root / "bin" / "escape")
    assert not os.path.lexists(root / "fifo")
    assert sorted(k.value for k, _ in seen) == ["link-escape", "special-file"]
