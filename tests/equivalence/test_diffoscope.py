"""`assay equiv --diffoscope OUT`: the real diffoscope on differing pairs of two files or two
releases, one text report per pair, while the unpacked files still exist."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from assay.equivalence import FilePair, Verdict, compare_releases
from assay.equivalence.deepdiff import DeepDiffs, diffoscope_pairs
from assay.equivalence.release import UnpackedPair
from tests.equivalence.project import Build, build

pytestmark = [
    pytest.mark.skipif(shutil.which("gcc") is None, reason="needs gcc"),
    pytest.mark.skipif(shutil.which("diffoscope") is None, reason="needs diffoscope"),
]


@pytest.fixture(scope="module")
def programs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Two builds of one project, differing in one constant (`x * 7` against `x * 9`)."""
    builds = tmp_path_factory.mktemp("builds")
    return build(Build(builds / "vendor-1")), build(Build(builds / "factor-9", factor=9))


def _assay(*arguments: str, path: str | None = None) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, **({"PATH": path} if path is not None else {})}
    command = [sys.executable, "-m", "assay", "equiv", *arguments]
    return subprocess.run(command, capture_output=True, text=True, check=False, env=environment)


def _release(root: Path, programs: dict[str, Path]) -> Path:
    (root / "usr/bin").mkdir(parents=True)
    for name, program in programs.items():
        shutil.copy2(program, root / "usr/bin" / name)
    return root


def test_two_files_get_a_report_showing_the_changed_function(
    programs: tuple[Path, Path], tmp_path: Path
) -> None:
    out = tmp_path / "deep"
    shown = _assay("--diffoscope", str(out), *map(str, programs))
    assert shown.returncode == 1, shown.stderr
    assert "different" in shown.stdout
    reports = sorted(out.iterdir())
    assert [r.name for r in reports] == ["001-prog.txt"]
    text = reports[0].read_text()
    assert "--section=.text" in text
    assert "<scale>:" in text
    added = [line for line in text.splitlines() if line.startswith("│ +")]
    assert any("lea" in line and "(%rdi,%rdi,8)" in line for line in added), added


def test_release_pairs_are_diffed_in_the_unpacked_workspace(
    programs: tuple[Path, Path], tmp_path: Path
) -> None:
    vendor, changed = programs
    left = _release(tmp_path / "v", {"same": vendor, "one": vendor, "two": vendor})
    right = _release(tmp_path / "r", {"same": vendor, "one": changed, "two": changed})
    out = tmp_path / "deep"
    seen: list[tuple[UnpackedPair, ...]] = []
    done: list[DeepDiffs] = []

    def hand_off(pairs: tuple[UnpackedPair, ...]) -> None:
        seen.append(pairs)
        assert all(p.vendor_disk and p.vendor_disk.is_file() for p in pairs)
        done.append(diffoscope_pairs(pairs, out, limit=5))

    result = compare_releases(left, right, while_unpacked=hand_off)
    assert [p.pair for p in seen[0]] == list(result.pairs)
    names = sorted(r.name for r in done[0].reports)
    assert names == ["001-usr_bin_one.txt", "002-usr_bin_two.txt"], done[0].warnings
    assert all("<scale>:" in (out / name).read_text() for name in names)


def test_release_cli_stops_at_the_limit(programs: tuple[Path, Path], tmp_path: Path) -> None:
    vendor, changed = programs
    left = _release(tmp_path / "v", {"one": vendor, "two": vendor, "three": vendor})
    right = _release(tmp_path / "r", {"one": changed, "two": changed, "three": changed})
    out = tmp_path / "deep"
    shown = _assay(str(left), str(right), "--diffoscope", str(out), "--diffoscope-limit", "2")
    assert shown.returncode == 1, shown.stderr
    assert len(list(out.iterdir())) == 2
    assert shown.stderr.count("diffoscope output:") == 2


def test_missing_diffoscope_is_one_warning_and_the_verdicts_stand(
    programs: tuple[Path, Path], tmp_path: Path
) -> None:
    empty = tmp_path / "bin"
    empty.mkdir()
    shown = _assay("--diffoscope", str(tmp_path / "deep"), *map(str, programs), path=str(empty))
    assert shown.returncode == 1
    assert "0 of 1 binaries equivalent" in shown.stdout
    warnings = [line for line in shown.stderr.splitlines() if "warning" in line]
    assert warnings == ["warning: diffoscope is not installed; no deep diff"]


def test_a_timeout_is_a_warning(programs: tuple[Path, Path], tmp_path: Path) -> None:
    pair = FilePair("/prog", "/prog", Verdict.DIFFERENT)
    unpacked = (UnpackedPair(pair, programs[0], programs[1], False),)
    done = diffoscope_pairs(unpacked, tmp_path / "deep", timeout=0.01)
    assert done.reports == ()
    assert done.warnings == ("diffoscope timed out after 0.01 s on /prog",)


def test_a_file_where_the_report_directory_should_be_is_a_usage_error(
    programs: tuple[Path, Path], tmp_path: Path
) -> None:
    (tmp_path / "taken").write_text("x")
    shown = _assay("--diffoscope", str(tmp_path / "taken"), *map(str, programs))
    assert shown.returncode == 2
    assert "--diffoscope wants a directory" in shown.stderr
