"""Hostile links, device nodes and modes: nothing is written through a link, no link or hard link
leads out, no special file is created, setuid is recorded but not applied."""

import stat
import tarfile
from pathlib import Path

from assay.model.problem import ProblemKind
from tests.factories.files import SAMPLE_FILES, make_tree, sha256
from tests.factories.hostile import (
    hard,
    hostile_cpio,
    hostile_tar,
    legit_hashes,
    mksquashfs,
    node,
    reg,
    sym,
)
from tests.hostile.conftest import Scan

OWNED = b"root::0:0:owned:/root:/bin/sh\n"
TO_SENTINEL = "../../../../../sentinel"
"""From `<workspace>/<image>.extracted`, the test's sentinel folder."""


def _assert_legit(files: dict[str, str]) -> None:
    missing = {p: h for p, h in legit_hashes().items() if files.get(p) != h}
    assert not missing, f"legitimate files lost or wrong: {sorted(missing)}"


def test_write_through_absolute_symlink_is_refused(hostile: Scan) -> None:
    image = hostile_tar(sym("etc", "/etc"), reg("etc/passwd", OWNED))
    outcome = hostile("etc.tar", image)
    assert [p.member for p in outcome.problems(ProblemKind.LINK_IN_PATH)] == ["etc/passwd"]
    files = outcome.under("etc.tar")
    _assert_legit(files)
    assert files["/etc"] == "symlink:/etc"
    assert sha256(OWNED) not in files.values()


def test_write_through_symlink_to_sentinel_is_refused(hostile: Scan, tmp_path: Path) -> None:
    absolute = str(tmp_path / "sentinel")
    image = hostile_tar(
        sym("abs", absolute), reg("abs/evil", OWNED), sym("up", "keep"), reg("up/evil", OWNED)
    )
    outcome = hostile("through.tar", image)
    members = sorted(p.member for p in outcome.problems(ProblemKind.LINK_IN_PATH))
    assert members == ["abs/evil", "up/evil"]
    files = outcome.under("through.tar")
    _assert_legit(files)
    assert files["/abs"] == f"symlink:{absolute}"
    assert sha256(OWNED) not in files.values()


def test_escaping_symlinks_are_not_created(hostile: Scan) -> None:
    image = hostile_tar(
        sym("up", "../../../../outside"),
        sym("a/b/up", "../../../x"),
        sym("sentinel", TO_SENTINEL),
        sym("ok", "keep/etc/passwd"),
    )
    outcome = hostile("links.tar", image)
    members = sorted(p.member for p in outcome.problems(ProblemKind.LINK_ESCAPE))
    assert members == ["a/b/up", "sentinel", "up"]
    files = outcome.under("links.tar")
    _assert_legit(files)
    assert files["/ok"] == "symlink:keep/etc/passwd"
    assert not {"/up", "/a/b/up", "/sentinel"} & set(files)


def test_escaping_symlinks_in_cpio_are_not_created(hostile: Scan) -> None:
    image = hostile_cpio(
        (b"up", b"../../../../outside", 0o120777), (b"ok", b"keep/etc/passwd", 0o120777)
    )
    outcome = hostile("links.cpio", image)
    assert [p.member for p in outcome.problems(ProblemKind.LINK_ESCAPE)] == ["up"]
    files = outcome.under("links.cpio")
    _assert_legit(files)
    assert files["/ok"] == "symlink:keep/etc/passwd"
    assert "/up" not in files


def test_escaping_symlinks_in_squashfs_are_not_created(hostile: Scan, tmp_path: Path) -> None:
    tree = make_tree(tmp_path / "tree")
    (tree / "up").symlink_to("../../../../outside")
    (tree / "sentinel").symlink_to(TO_SENTINEL)
    (tree / "abs").symlink_to("/etc/passwd")
    image = mksquashfs(tree, tmp_path / "links.sqfs")
    outcome = hostile("links.sqfs", image)
    members = sorted(p.member for p in outcome.problems(ProblemKind.LINK_ESCAPE))
    assert members == ["sentinel", "up"]
    files = outcome.under("links.sqfs")
    assert {p: files.get(p) for p in ("/" + n for n in SAMPLE_FILES)} == {
        "/" + name: sha256(data) for name, data in SAMPLE_FILES.items()
    }
    assert files["/abs"] == "symlink:/etc/passwd"


def test_escaping_hard_links_are_not_created(hostile: Scan) -> None:
    image = hostile_tar(
        hard("h-abs", "/etc/passwd"),
        hard("h-up", "../outside"),
        hard("h-sentinel", TO_SENTINEL + "/canary"),
        hard("h-ok", "keep/etc/passwd"),
    )
    outcome = hostile("hard.tar", image)
    members = sorted(p.member for p in outcome.problems(ProblemKind.LINK_ESCAPE))
    assert members == ["h-abs", "h-sentinel", "h-up"]
    files = outcome.under("hard.tar")
    _assert_legit(files)
    assert files["/h-ok"] == sha256(SAMPLE_FILES["etc/passwd"])
    assert not {"/h-abs", "/h-up", "/h-sentinel"} & set(files)


def test_device_nodes_and_fifos_are_never_created(hostile: Scan) -> None:
    image = hostile_tar(
        node("dev/null", tarfile.CHRTYPE, 1, 3),
        node("dev/sda", tarfile.BLKTYPE, 8, 0),
        node("dev/mem", tarfile.CHRTYPE, 1, 1),
        node("run/fifo", tarfile.FIFOTYPE),
    )
    outcome = hostile("dev.tar", image)
    members = sorted(p.member for p in outcome.problems(ProblemKind.SPECIAL_FILE))
    assert members == ["dev/mem", "dev/null", "dev/sda", "run/fifo"]
    files = outcome.under("dev.tar")
    _assert_legit(files)
    assert not [path for path in files if path.startswith(("/dev/", "/run/"))]


def test_setuid_is_recorded_but_not_applied(hostile: Scan) -> None:
    image = hostile_tar(
        reg("bin/su", b"su binary", 0o4755),
        reg("bin/wall", b"wall binary", 0o2755),
        reg("tmp/world", b"anyone", 0o1777),
    )
    outcome = hostile("suid.tar", image)
    _assert_legit(outcome.under("suid.tar"))
    su = outcome.artifact("suid.tar", "/bin/su")
    assert (su.mode, su.flags) == (0o4755, ("setuid",))
    wall = outcome.artifact("suid.tar", "/bin/wall")
    assert (wall.mode, wall.flags) == (0o2755, ("setgid",))
    world = outcome.artifact("suid.tar", "/tmp/world")
    assert world.mode == 0o1777
    assert "world-writable" in world.flags
    on_disk = [p for p in outcome.workspace.rglob("*") if p.name in ("su", "wall", "world")]
    assert len(on_disk) == 3
    assert all(not p.stat().st_mode & (stat.S_ISUID | stat.S_ISGID | stat.S_ISVTX) for p in on_disk)
    assert all(not p.stat().st_mode & stat.S_IWOTH for p in on_disk)
    assert not outcome.result.problems
