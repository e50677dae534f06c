"""The `assay` command line, run as a real process: usage errors are one line and exit code 2,
scans write evaluation.json (valid against docs/evaluation.schema.json) and print it with --json."""

import gzip
import io
import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from rich.console import Console

from assay.cli.progress import RichProgress
from tests.factories.files import sha256
from tests.factories.hostile import hard, hostile_tar, legit_hashes, node, opaque_bytes, reg, sym

SCHEMA = Path(__file__).resolve().parents[1] / "docs" / "evaluation.schema.json"
CAPS = "-dac_override,-dac_read_search"


def assay(
    *args: str | Path, cwd: Path, prefix: tuple[str, ...] = ()
) -> subprocess.CompletedProcess[str]:
    """Run `python -m assay ARGS` without a terminal, as a user would from a script."""
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "FORCE_COLOR")}
    argv = [*prefix, sys.executable, "-m", "assay", *map(str, args)]
    return subprocess.run(
        argv, cwd=cwd, env=env, capture_output=True, text=True, errors="replace", timeout=120
    )


def assert_usage_error(done: subprocess.CompletedProcess[str], *words: str) -> str:
    """Exit code 2 and exactly one line on stderr starting with `error:`; no traceback."""
    lines = done.stderr.splitlines()
    assert done.returncode == 2, done.stderr
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("error: "), lines
    assert "Traceback" not in done.stdout + done.stderr
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


def load(path: Path) -> dict[str, Any]:
    """A JSON document, validated against the evaluation schema."""
    document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    jsonschema.validate(document, json.loads(SCHEMA.read_text(encoding="utf-8")))
    return document


# -- usage errors ---------------------------------------------------------------------------------


def test_scan_of_a_missing_path(tmp_path: Path) -> None:
    missing = tmp_path / ("a-rather-long-folder-name-" * 4) / "firmware.bin"
    done = assay("scan", missing, "-o", tmp_path / "out", cwd=tmp_path)
    assert_usage_error(done, "no such file or directory", str(missing))


def test_scan_of_a_path_that_looks_like_markup(tmp_path: Path) -> None:
    missing = tmp_path / "fw[/][bold]x[/bold].bin"
    done = assay("scan", missing, "-o", tmp_path / "out", cwd=tmp_path)
    assert_usage_error(done, str(missing))


def test_scan_of_an_unreadable_file(tmp_path: Path) -> None:
    """As root, permission bits do not stop a read: the CLI runs without the capabilities that
    bypass them (DAC override), so mode 000 is refused as for any other user."""
    image = tmp_path / "secret.bin"
    image.write_bytes(b"firmware")
    image.chmod(0)
    prefix = (
        ("setpriv", f"--bounding-set={CAPS}", f"--inh-caps={CAPS}") if os.geteuid() == 0 else ()
    )
    done = assay("scan", image, "-o", tmp_path / "out", cwd=tmp_path, prefix=prefix)
    assert_usage_error(done, "cannot read", str(image))
    assert not (tmp_path / "out").exists()


def test_scan_with_output_under_a_regular_file(tmp_path: Path) -> None:
    image = tmp_path / "fw.bin"
    image.write_bytes(b"firmware")
    blocker = tmp_path / "file"
    blocker.write_bytes(b"")
    done = assay("scan", image, "-o", blocker / "out", cwd=tmp_path)
    assert_usage_error(done, "output", str(blocker / "out"))


def test_bad_size_option(tmp_path: Path) -> None:
    image = tmp_path / "fw.bin"
    image.write_bytes(b"firmware")
    done = assay("scan", image, "--max-bytes", "abc", "-o", tmp_path / "out", cwd=tmp_path)
    assert_usage_error(done, "abc")
    assert not (tmp_path / "out" / "evaluation.json").exists()


def test_unpack_into_a_non_empty_folder(tmp_path: Path) -> None:
    image = tmp_path / "fw.bin"
    image.write_bytes(b"firmware")
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep").write_bytes(b"mine")
    done = assay("unpack", image, "-o", out, cwd=tmp_path)
    assert_usage_error(done, "not empty")
    assert [p.name for p in out.iterdir()] == ["keep"]


# -- scans ----------------------------------------------------------------------------------------


def test_scan_of_an_unknown_format_is_one_opaque_artifact(tmp_path: Path) -> None:
    data = opaque_bytes(10_000)
    image = tmp_path / "blob.bin"
    image.write_bytes(data)
    done = assay("scan", image, "-o", tmp_path / "out", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    document = load(tmp_path / "out" / "evaluation.json")
    [artifact] = document["artifacts"]
    assert artifact["kind"] == "data"
    assert (artifact["sha256"], artifact["size"]) == (sha256(data), len(data))
    assert "format" not in artifact
    assert document["problems"] == []
    assert document["summary"]["complete"] is True


def test_scan_json_output_matches_evaluation_json(tmp_path: Path) -> None:
    image = tmp_path / "rootfs.tar"
    image.write_bytes(hostile_tar(reg("../escape", b"x"), reg("bin/sh", b"#!/bin/sh\n")))
    done = assay("scan", image, "--json", "-o", tmp_path / "out", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    printed = json.loads(done.stdout)
    assert printed == load(tmp_path / "out" / "evaluation.json")
    files = {a["path"]: a["sha256"] for a in printed["artifacts"] if a["depth"] == 1}
    assert legit_hashes().items() <= files.items()
    assert [p["kind"] for p in printed["problems"]] == ["path-escape"]


def test_scan_without_vulnerabilities_and_checks_only_identifies(tmp_path: Path) -> None:
    root = tmp_path / "rootfs"
    (root / "etc").mkdir(parents=True)
    (root / "etc/inittab").write_text("::respawn:/usr/sbin/telnetd -F -l /bin/sh\n")
    full = assay("scan", root, "--json", "-o", tmp_path / "full", cwd=tmp_path)
    assert full.returncode == 0, full.stderr
    assert "config.debug.telnetd-shell" in {f["rule"] for f in json.loads(full.stdout)["findings"]}
    done = assay(
        "scan", root, "--json", "--no-vulns", "--no-checks", "-o", tmp_path / "out", cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    printed = json.loads(done.stdout)
    assert [s["name"] for s in printed["stages"]] == ["unpack", "identify"]
    assert printed["findings"] == [] and printed["vulndata"] is None


def test_scan_json_renders_undecodable_names_escaped(tmp_path: Path) -> None:
    name = b"\xff\xfe.bin".decode("utf-8", "surrogateescape")
    image = tmp_path / "names.tar"
    image.write_bytes(hostile_tar(reg(name, b"odd"), reg("../\udcff", b"x")))
    done = assay("scan", image, "--json", "-o", tmp_path / "out", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    printed = json.loads(done.stdout)
    assert "/\\xff\\xfe.bin" in [a["path"] for a in printed["artifacts"]]
    assert [p["member"] for p in printed["problems"]] == ["../\\xff"]
    assert printed == load(tmp_path / "out" / "evaluation.json")


def test_evaluation_of_a_hostile_image_matches_the_schema(tmp_path: Path) -> None:
    image = tmp_path / "hostile.tar"
    image.write_bytes(
        hostile_tar(
            reg("../../evil", b"x"),
            sym("etc", "/etc"),
            reg("etc/passwd", b"owned"),
            sym("up", "../../../../outside"),
            hard("h", "/etc/shadow"),
            node("dev/null", tarfile.CHRTYPE, 1, 3),
            reg("bin/su", b"su", 0o4755),
            reg("\udcff.bin", b"odd"),
        )
    )
    done = assay("scan", image, "--json", "-o", tmp_path / "out", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    document = load(tmp_path / "out" / "evaluation.json")
    kinds = sorted(p["kind"] for p in document["problems"])
    assert kinds == ["link-escape", "link-escape", "link-in-path", "path-escape", "special-file"]
    su = next(a for a in document["artifacts"] if a["path"] == "/bin/su")
    assert (su["mode"], su["flags"]) == ("4755", ["setuid"])


def test_human_summary_survives_names_that_look_like_markup(tmp_path: Path) -> None:
    image = tmp_path / "fw[bold].tar"
    image.write_bytes(hostile_tar(reg("../[/]evil[bold]", b"x"), reg("[/red]", b"y")))
    done = assay("scan", image, "-o", tmp_path / "out", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert "fw[bold].tar" in done.stdout
    assert "../[/]evil[bold]" in done.stdout
    load(tmp_path / "out" / "evaluation.json")


def test_incomplete_scan_exits_3_and_still_writes_the_evaluation(tmp_path: Path) -> None:
    image = tmp_path / "cut.gz"
    image.write_bytes(gzip.compress(opaque_bytes(100_000), mtime=0)[:50_000])
    done = assay("scan", image, "-o", tmp_path / "out", cwd=tmp_path)
    assert done.returncode == 3, done.stderr
    document = load(tmp_path / "out" / "evaluation.json")
    assert [p["kind"] for p in document["problems"]] == ["corrupt"]
    assert document["summary"]["complete"] is False


def test_unpack_writes_the_tree(tmp_path: Path) -> None:
    image = tmp_path / "rootfs.tar"
    image.write_bytes(hostile_tar())
    out = tmp_path / "out"
    done = assay("unpack", image, "-o", out, "--json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["summary"]["complete"] is True
    unpacked = out / "rootfs.tar.extracted" / "keep" / "etc" / "passwd"
    assert sha256(unpacked.read_bytes()) == legit_hashes()["/keep/etc/passwd"]


def test_scan_with_limits_from_the_command_line(tmp_path: Path) -> None:
    image = tmp_path / "rootfs.tar"
    image.write_bytes(hostile_tar())
    done = assay("scan", image, "--json", "--max-files", "3", "--max-bytes", "1M", cwd=tmp_path)
    assert done.returncode == 3, done.stderr
    printed = json.loads(done.stdout)
    assert printed["limits"]["max_files"] == 3
    assert printed["limits"]["max_total_bytes"] == 1024**2
    assert "limit-files" in {p["kind"] for p in printed["problems"]}
    assert (tmp_path / "assay-out" / "evaluation.json").is_file()


def test_progress_survives_names_that_look_like_markup() -> None:
    console = Console(file=io.StringIO(), force_terminal=True, width=100)
    with RichProgress(console) as progress:
        progress.start("unpack", 1)
        progress.note("unpack", "/etc/[/][/]x[bold]")
        progress.advance("unpack")
        progress.finish("unpack")


# -- doctor and help ------------------------------------------------------------------------------


def test_doctor(tmp_path: Path) -> None:
    done = assay("doctor", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "gzip" in done.stdout and "tar" in done.stdout


def test_doctor_json(tmp_path: Path) -> None:
    done = assay("doctor", "--json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    rows = {row["format"]: row for row in json.loads(done.stdout)}
    assert {"gzip", "tar"} <= set(rows)
    assert all(set(row) >= {"needs", "missing", "ok", "description"} for row in rows.values())


@pytest.mark.parametrize("command", [(), ("scan",), ("unpack",), ("doctor",)])
def test_help(tmp_path: Path, command: tuple[str, ...]) -> None:
    done = assay(*command, "--help", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Usage" in done.stdout
    assert done.stderr == ""


def test_version(tmp_path: Path) -> None:
    done = assay("--version", cwd=tmp_path)
    assert done.returncode == 0
    assert done.stdout.startswith("assay ")
