"""Two releases (directories and tar archives) compared pair by pair, with the release line and
the JSON of `assay equiv`."""

import json
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assay.cli.main import app
from assay.equivalence import Verdict, compare_releases
from tests.equivalence.project import Build, build

pytestmark = pytest.mark.skipif(shutil.which("gcc") is None, reason="needs gcc")


def _release(root: Path, program: Path, extra: str | None = None) -> Path:
    (root / "usr/bin").mkdir(parents=True)
    shutil.copy2(program, root / "usr/bin/prog")
    (root / "etc").mkdir()
    (root / "etc/motd").write_text("welcome\n")
    if extra:
        (root / extra).write_text("only here\n")
    return root


@pytest.fixture(scope="module")
def releases(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    builds = tmp_path_factory.mktemp("builds")
    vendor = build(Build(builds / "vendor-1"))
    rebuilt = build(Build(builds / "rebuilt2", epoch=1_710_000_000))
    changed = build(Build(builds / "compare3", comparison=">="))
    left = _release(builds / "vendor", vendor, extra="etc/vendor-only")
    right = _release(builds / "rebuilt", rebuilt)
    shutil.copy2(changed, right / "usr/bin/prog-changed")
    shutil.copy2(vendor, left / "usr/bin/prog-changed")
    shutil.copy2(left / "etc/motd", right / "motd-moved")
    return left, right


def test_directories(releases: tuple[Path, Path]) -> None:
    result = compare_releases(*releases)
    verdicts = {(p.vendor, p.rebuilt): p.verdict for p in result.pairs}
    assert verdicts == {
        ("/usr/bin/prog", "/usr/bin/prog"): Verdict.EQUIVALENT,
        ("/usr/bin/prog-changed", "/usr/bin/prog-changed"): Verdict.DIFFERENT,
        ("/etc/motd", "/etc/motd"): Verdict.IDENTICAL,
        ("/etc/vendor-only", None): Verdict.MISSING,
        (None, "/motd-moved"): Verdict.MISSING,
    }
    assert result.line() == "2 of 5 binaries equivalent"


def test_moved_file_pairs_by_content(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b/sub").mkdir(parents=True)
    (tmp_path / "a/conf").write_text("same\n")
    (tmp_path / "b/sub/conf").write_text("same\n")
    result = compare_releases(tmp_path / "a", tmp_path / "b")
    assert [(p.vendor, p.rebuilt, p.verdict) for p in result.pairs] == [
        ("/conf", "/sub/conf", Verdict.IDENTICAL)
    ]


def test_tar_archives_with_other_order_and_mtimes(
    releases: tuple[Path, Path], tmp_path: Path
) -> None:
    left, right = releases
    (right / "etc/vendor-only").write_text("only here\n")
    try:
        vendor_tar, rebuilt_tar = tmp_path / "vendor.tar", tmp_path / "rebuilt.tar"
        with tarfile.open(vendor_tar, "w") as archive:
            archive.add(left, arcname="vendor-1.0")
        with tarfile.open(rebuilt_tar, "w") as archive:
            for path in sorted(right.rglob("*"), reverse=True):
                info = archive.gettarinfo(path, "rebuilt-1.0/" + str(path.relative_to(right)))
                info.mtime = 0
                if path.is_file():
                    with open(path, "rb") as handle:
                        archive.addfile(info, handle)
        result = compare_releases(vendor_tar, rebuilt_tar)
    finally:
        (right / "etc/vendor-only").unlink()
    verdicts = {(p.vendor, p.rebuilt): p.verdict for p in result.pairs}
    assert verdicts[("/usr/bin/prog", "/usr/bin/prog")] is Verdict.EQUIVALENT
    assert verdicts[("/etc/vendor-only", "/etc/vendor-only")] is Verdict.IDENTICAL
    assert verdicts[("/usr/bin/prog-changed", "/usr/bin/prog-changed")] is Verdict.DIFFERENT
    assert result.line() == "3 of 5 binaries equivalent"


def test_nested_archive_with_other_member_order_is_equivalent(tmp_path: Path) -> None:
    for side, order in (("a", ["x", "y"]), ("b", ["y", "x"])):
        (tmp_path / side).mkdir()
        with tarfile.open(tmp_path / side / "bundle.tar", "w") as archive:
            for index, name in enumerate(order):
                (tmp_path / name).write_text(f"member {name}\n")
                info = archive.gettarinfo(tmp_path / name, name)
                info.mtime = 1_000 * index
                with open(tmp_path / name, "rb") as handle:
                    archive.addfile(info, handle)
    result = compare_releases(tmp_path / "a", tmp_path / "b")
    bundle = next(p for p in result.pairs if p.vendor == "/bundle.tar")
    assert bundle.verdict is Verdict.EQUIVALENT
    assert bundle.normalisations == ("archive-member-order-and-mtimes",)


def test_cli_json_and_release_line(releases: tuple[Path, Path]) -> None:
    runner = CliRunner()
    shown = runner.invoke(app, ["equiv", *map(str, releases), "--json"])
    assert shown.exit_code == 1, shown.output
    pairs = {p["vendor"]: p for p in json.loads(shown.stdout)}
    assert pairs["/usr/bin/prog"]["verdict"] == "equivalent"
    assert "gnu-build-id" in pairs["/usr/bin/prog"]["normalisations"]
    changed = pairs["/usr/bin/prog-changed"]
    assert {"section": ".text", "function": "above"} | {
        "detail": changed["differences"][0]["detail"]
    } in changed["differences"]
    table = runner.invoke(app, ["equiv", *map(str, releases)])
    assert "2 of 5 binaries equivalent" in table.stdout
    assert "different: /usr/bin/prog-changed" in table.stdout


def test_cli_bad_build_root_is_a_usage_error(releases: tuple[Path, Path]) -> None:
    command = [sys.executable, "-m", "assay", "equiv", *map(str, releases), "--build-root", "x"]
    shown = subprocess.run(command, capture_output=True, text=True, check=False)
    assert shown.returncode == 2
    assert "--build-root wants VENDOR_DIR=REBUILT_DIR" in shown.stderr


def test_compressed_archives_of_other_names_pair_their_members(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    (tree / "etc").mkdir(parents=True)
    (tree / "etc/motd").write_text("welcome\n")
    (tree / "etc/issue").write_text("release 1\n")
    subprocess.run(
        ["tar", "czf", str(tmp_path / "vendor-1.0.tgz"), "-C", str(tree), "."], check=True
    )
    (tree / "etc/issue").write_text("release 2\n")
    subprocess.run(
        ["tar", "czf", str(tmp_path / "rebuild.tar.gz"), "-C", str(tree), "."], check=True
    )
    result = compare_releases(tmp_path / "vendor-1.0.tgz", tmp_path / "rebuild.tar.gz")
    verdicts = {pair.vendor: (pair.rebuilt, pair.verdict) for pair in result.pairs}
    assert verdicts["/etc/motd"] == ("/etc/motd", Verdict.IDENTICAL)
    assert verdicts["/etc/issue"] == ("/etc/issue", Verdict.DIFFERENT)
    assert not [pair for pair in result.pairs if pair.verdict is Verdict.MISSING]


@pytest.mark.skipif(shutil.which("mksquashfs") is None, reason="needs squashfs-tools")
def test_a_squashfs_and_a_tar_of_one_tree_hold_identical_files(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    program = build(Build(tmp_path / "build"))
    (tree / "usr/bin").mkdir(parents=True)
    shutil.copy2(program, tree / "usr/bin/prog")
    (tree / "etc").mkdir()
    (tree / "etc/motd").write_text("welcome\n")
    (tree / "etc/shadow").write_text("root:*:19000:0:99999:7:::\n")
    (tree / "sbin").symlink_to("usr/bin")
    image = tmp_path / "rootfs.squashfs"
    subprocess.run(
        ["mksquashfs", str(tree), str(image), "-comp", "xz", "-noappend", "-quiet", "-no-progress"],
        check=True,
    )
    archive = tmp_path / "rootfs.tar"
    with tarfile.open(archive, "w") as handle:
        handle.add(tree, arcname=".")
    result = compare_releases(image, archive)
    verdicts = {pair.vendor: pair.verdict for pair in result.pairs}
    assert set(verdicts) >= {"/usr/bin/prog", "/etc/motd", "/etc/shadow", "/sbin"}
    assert set(verdicts.values()) == {Verdict.IDENTICAL}, verdicts
    assert result.line() == f"{len(verdicts)} of {len(verdicts)} binaries equivalent"
