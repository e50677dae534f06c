"""Two builds of the same source: every cause of difference named file by file, with the summary
by cause, the JSON and the exit codes of `assay repro`."""

import gzip
import io
import json
import os
import py_compile
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assay.cli.main import app
from assay.equivalence import Verdict, compare_files
from assay.equivalence import causes as c
from assay.equivalence.reproducibility import FileCauses, check_reproducibility
from tests.equivalence.project import Build, build

needs_gcc = pytest.mark.skipif(shutil.which("gcc") is None, reason="needs gcc")


def _causes(entry: FileCauses) -> set[str]:
    return {x.cause for x in entry.causes}


def _by_path(first: Path, second: Path) -> dict[str, FileCauses]:
    return {entry.path: entry for entry in check_reproducibility(first, second).files}


@needs_gcc
def test_two_builds_in_same_length_directories_name_timestamp_path_and_build_id(
    tmp_path: Path,
) -> None:
    first = build(Build(tmp_path / "build-a"))
    second = build(Build(tmp_path / "build-b", epoch=1_710_000_000))
    report = check_reproducibility(first, second)
    assert not report.identical
    [entry] = report.files
    assert entry.verdict is Verdict.EQUIVALENT
    assert _causes(entry) >= {c.TIMESTAMP, c.BUILD_PATH, c.BUILD_ID, c.DEBUG_INFO}
    debug = next(x for x in entry.causes if x.cause == c.DEBUG_INFO)
    assert "build-a" in debug.detail and "build-b" in debug.detail
    timestamp = next(x for x in entry.causes if x.cause == c.TIMESTAMP)
    assert "SOURCE_DATE_EPOCH" in timestamp.remedy
    assert {n.cause for n in report.summary()} == _causes(entry)


@needs_gcc
def test_build_directories_of_different_lengths_are_named_and_never_equivalent(
    tmp_path: Path,
) -> None:
    first = build(Build(tmp_path / "short"))
    second = build(Build(tmp_path / "much-longer-build-dir"))
    pair = compare_files(first, second)
    assert pair.verdict is Verdict.DIFFERENT
    lengths = [d for d in pair.differences if d.section == "build paths"]
    assert len(lengths) == 1 and "differ in length" in lengths[0].detail
    [entry] = check_reproducibility(first, second).files
    assert entry.verdict is Verdict.DIFFERENT
    assert c.BUILD_PATH_LENGTH in _causes(entry)
    assert c.CODE_OR_DATA not in _causes(entry)


@needs_gcc
def test_real_code_change_is_not_blamed_on_build_paths(tmp_path: Path) -> None:
    first = build(Build(tmp_path / "one"))
    second = build(Build(tmp_path / "two", comparison=">="))
    [entry] = check_reproducibility(first, second).files
    assert entry.verdict is Verdict.DIFFERENT
    assert c.CODE_OR_DATA in _causes(entry) and c.BUILD_PATH_LENGTH not in _causes(entry)
    assert ".text" in next(x for x in entry.causes if x.cause == c.CODE_OR_DATA).detail


def _tree(root: Path, stamp: str) -> Path:
    (root / "tree/etc").mkdir(parents=True)
    (root / "tree/etc/version").write_text(f"release 1.0 built {stamp}\n")
    (root / "tree/etc/motd").write_text("welcome\n")
    (root / "tree/etc/path").write_text(f"prefix={root}/tree\n")
    return root / "tree"


def _targz(tree: Path, output: Path, mtime: int, reverse: bool, uid: int) -> Path:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        for path in sorted(tree.rglob("*"), reverse=reverse):
            info = archive.gettarinfo(path, str(path.relative_to(tree)))
            info.mtime, info.uid, info.uname = mtime, uid, f"user{uid}"
            if path.is_dir():
                archive.addfile(info)
                continue
            with open(path, "rb") as handle:
                archive.addfile(info, handle)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_bytes(gzip.compress(buffer.getvalue(), mtime=mtime))
    return output


def test_tar_gz_pair_names_gzip_header_member_order_mtimes_owners_and_dates(
    tmp_path: Path,
) -> None:
    first_tree = _tree(tmp_path / "aaa", "2024-01-01 10:00:00")
    second_tree = _tree(tmp_path / "bbb", "2024-03-05 11:30:00")
    first = _targz(first_tree, tmp_path / "one/rootfs.tar.gz", 1_700_000_000, False, 0)
    second = _targz(second_tree, tmp_path / "two/rootfs.tar.gz", 1_710_000_000, True, 1000)
    roots = ((str(tmp_path / "aaa").encode(), str(tmp_path / "bbb").encode()),)
    report = check_reproducibility(first, second, roots)
    files = {entry.path: entry for entry in report.files}
    assert {c.GZIP_MTIME} <= _causes(files["rootfs.tar.gz"])
    assert _causes(files["/rootfs.tar"]) >= {c.TAR_ORDER, c.TAR_MTIMES, c.TAR_OWNERS}
    assert _causes(files["/rootfs.tar › /etc/version"]) == {c.TIMESTAMP}
    assert _causes(files["/rootfs.tar › /etc/path"]) == {c.BUILD_PATH}
    assert "/etc/motd" not in " ".join(files)


def _zip(path: Path, names: list[str], when: tuple[int, int, int, int, int, int]) -> Path:
    path.parent.mkdir(parents=True)
    with zipfile.ZipFile(path, "w") as archive:
        for name in names:
            archive.writestr(zipfile.ZipInfo(name, when), f"content of {name}\n")
    return path


def test_zip_pair_names_entry_order_and_timestamps(tmp_path: Path) -> None:
    first = _zip(tmp_path / "a/app.zip", ["x.txt", "y.txt"], (2024, 1, 1, 0, 0, 0))
    second = _zip(tmp_path / "b/app.zip", ["y.txt", "x.txt"], (2025, 6, 1, 12, 0, 0))
    files = _by_path(first, second)
    assert _causes(files["app.zip"]) == {c.ZIP_ORDER, c.ZIP_TIMES}
    assert "2024-01-01" in next(x for x in files["app.zip"].causes if x.cause == c.ZIP_TIMES).detail


def test_pyc_pair_with_other_source_mtimes(tmp_path: Path) -> None:
    for side, mtime in (("a", 1_700_000_000), ("b", 1_700_086_400)):
        source = tmp_path / "src" / side / "mod.py"
        source.parent.mkdir(parents=True)
        source.write_text("VALUE = 42\n")
        os.utime(source, (mtime, mtime))
        target = tmp_path / side / "lib/mod.pyc"
        target.parent.mkdir(parents=True)
        mode = py_compile.PycInvalidationMode.TIMESTAMP
        py_compile.compile(str(source), str(target), doraise=True, invalidation_mode=mode)
    roots = ((str(tmp_path / "src/a").encode(), str(tmp_path / "src/b").encode()),)
    [entry] = check_reproducibility(tmp_path / "a", tmp_path / "b", roots).files
    assert entry.path == "/lib/mod.pyc"
    assert [x.cause for x in entry.causes] == [c.PYC_MTIME, c.BUILD_PATH]
    assert "2023-11-14" in entry.causes[0].detail
    [unexplained] = check_reproducibility(tmp_path / "a", tmp_path / "b").files
    assert [x.cause for x in unexplained.causes] == [c.PYC_MTIME, c.PYC_CODE]


def test_unknown_cause_gives_the_first_differing_offset(tmp_path: Path) -> None:
    for side, byte in (("a", b"\x01"), ("b", b"\x02")):
        (tmp_path / side).mkdir()
        (tmp_path / side / "blob.bin").write_bytes(b"\0" * 0x1234 + byte + b"\0" * 100)
    [entry] = check_reproducibility(tmp_path / "a", tmp_path / "b").files
    assert [x.cause for x in entry.causes] == [c.UNKNOWN]
    assert "0x1234" in entry.causes[0].detail


def test_cli_identical_builds_exit_zero(tmp_path: Path) -> None:
    for side in ("a", "b"):
        (tmp_path / side / "etc").mkdir(parents=True)
        (tmp_path / side / "etc/motd").write_text("same\n")
    shown = CliRunner().invoke(app, ["repro", str(tmp_path / "a"), str(tmp_path / "b")])
    assert shown.exit_code == 0, shown.output
    assert "bit-for-bit identical" in shown.stdout


def test_cli_json_and_table_for_differing_builds(tmp_path: Path) -> None:
    first = _zip(tmp_path / "a/app.zip", ["x.txt", "y.txt"], (2024, 1, 1, 0, 0, 0))
    second = _zip(tmp_path / "b/app.zip", ["x.txt", "y.txt"], (2025, 1, 1, 0, 0, 0))
    runner = CliRunner()
    shown = runner.invoke(app, ["repro", str(first.parent), str(second.parent), "--json"])
    assert shown.exit_code == 1, shown.output
    document = json.loads(shown.stdout)
    assert document["identical"] is False
    [entry] = [f for f in document["files"] if f["path"] == "/app.zip"]
    assert entry["causes"][0]["cause"] == c.ZIP_TIMES and entry["causes"][0]["remedy"]
    assert {"cause": c.ZIP_TIMES, "files": 1, "example": "/app.zip"}.items() <= document["summary"][
        0
    ].items()
    table = runner.invoke(app, ["repro", str(first.parent), str(second.parent)])
    assert table.exit_code == 1
    assert "By cause" in table.stdout and c.ZIP_TIMES in table.stdout


def test_cli_usage_errors_exit_two(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "assay", "repro", str(tmp_path), str(tmp_path / "absent")]
    shown = subprocess.run(command, capture_output=True, text=True, check=False)
    assert shown.returncode == 2 and "no such file" in shown.stderr
    command = [sys.executable, "-m", "assay", "repro", str(tmp_path), str(tmp_path)]
    shown = subprocess.run([*command, "--build-root", "x"], capture_output=True, text=True)
    assert shown.returncode == 2 and "FIRST_DIR=SECOND_DIR" in shown.stderr
