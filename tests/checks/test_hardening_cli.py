"""`assay hardening`, run as a real process: --json objects validated (keys and types), the
table, archives unpacked first, and bad input as one line with exit code 2."""

import io
import json
import tarfile
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from tests.checks.test_hardening_arch import HARDENED, LIBRARY, SOURCE, WEAK, need
from tests.factories.elf_build import build_elf
from tests.test_cli import assay, assert_usage_error

ROW_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": [
        "path",
        "arch",
        "relro",
        "canary",
        "nx",
        "pie",
        "fortify",
        "fortified",
        "fortifiable",
        "rpath",
        "runpath",
        "stripped",
    ],
    "properties": {
        "path": {"type": "string"},
        "location": {"type": "string"},
        "arch": {"type": "string"},
        "bits": {"enum": [32, 64]},
        "endian": {"enum": ["little", "big"]},
        "type": {"enum": ["executable", "library"]},
        "linking": {"enum": ["dynamic", "static"]},
        "relro": {"enum": ["none", "partial", "full"]},
        "canary": {"type": ["boolean", "null"]},
        "nx": {"type": "boolean"},
        "stack": {
            "enum": [
                "non-executable",
                "executable",
                "default-executable",
                "default-non-executable",
            ]
        },
        "pie": {"anyOf": [{"type": "boolean"}, {"const": "dso"}]},
        "fortify": {"type": ["boolean", "null"]},
        "fortified": {"type": ["integer", "null"], "minimum": 0},
        "fortifiable": {"type": ["integer", "null"], "minimum": 0},
        "rpath": {"type": "array", "items": {"type": "string"}},
        "runpath": {"type": "array", "items": {"type": "string"}},
        "insecure_paths": {"type": "array", "items": {"type": "string"}},
        "stripped": {"type": "boolean"},
        "setuid": {"type": "boolean"},
        "setgid": {"type": "boolean"},
    },
}


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    for arch in ("x86-64", "aarch64", "mipsel"):
        need(arch)
    builds = tmp_path_factory.mktemp("cli-builds")
    root = tmp_path_factory.mktemp("cli-tree")
    (root / "bin").mkdir()
    (root / "lib").mkdir()
    build_elf(SOURCE, builds, "x86-64", HARDENED).replace(root / "bin" / "good")
    weak = build_elf(SOURCE, builds, "mipsel", (*WEAK, "-Wl,--disable-new-dtags,-rpath,/tmp/x"))
    weak.replace(root / "bin" / "bad")
    (root / "bin" / "bad").chmod(0o4755)
    static = build_elf(SOURCE, builds, "aarch64", ("-static",), strip=True)
    static.replace(root / "bin" / "static")
    build_elf(LIBRARY, builds, "aarch64", ("-shared", "-fPIC")).replace(root / "lib" / "libx.so")
    (root / "README").write_text("not an ELF\n")
    return root


def rows_of(done_stdout: str) -> dict[str, dict[str, Any]]:
    rows = json.loads(done_stdout)
    assert isinstance(rows, list)
    for row in rows:
        jsonschema.validate(row, ROW_SCHEMA)
    return {row["path"]: row for row in rows}


def test_json_keys_and_values(tree: Path, tmp_path: Path) -> None:
    done = assay("hardening", tree, "--json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    rows = rows_of(done.stdout)
    assert set(rows) == {"/bin/good", "/bin/bad", "/bin/static", "/lib/libx.so"}
    good, bad, static, library = (
        rows[p] for p in ("/bin/good", "/bin/bad", "/bin/static", "/lib/libx.so")
    )
    assert (good["relro"], good["canary"], good["nx"], good["pie"]) == ("full", True, True, True)
    assert good["fortify"] is True and good["fortified"] >= 3
    assert (bad["relro"], bad["canary"], bad["nx"], bad["pie"]) == ("none", False, False, False)
    assert (bad["arch"], bad["bits"], bad["endian"]) == ("mips", 32, "little")
    assert bad["rpath"] == ["/tmp/x"] and bad["insecure_paths"] == ["/tmp/x"]
    assert bad["setuid"] is True and bad["fortify"] is False and bad["fortifiable"] >= 3
    assert (static["canary"], static["fortify"], static["fortified"]) == (None, None, None)
    assert static["linking"] == "static" and static["stripped"] is True
    assert library["pie"] == "dso" and library["type"] == "library"


def test_single_file_and_archive_inputs(tree: Path, tmp_path: Path) -> None:
    done = assay("hardening", tree / "bin" / "good", "--json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert list(rows_of(done.stdout)) == ["good"]
    archive = tmp_path / "release.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(tree / "bin", arcname="bin")
        info = tarfile.TarInfo("usr/README")
        info.size = 4
        tar.addfile(info, io.BytesIO(b"text"))
    done = assay("hardening", archive, "--json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert set(rows_of(done.stdout)) == {"/bin/good", "/bin/bad", "/bin/static"}


def test_table(tree: Path, tmp_path: Path) -> None:
    done = assay("hardening", tree, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "ELF hardening" in done.stdout
    lines = {line.split()[2]: line for line in done.stdout.splitlines() if "/bin/" in line}
    assert set(lines) == {"/bin/good", "/bin/bad", "/bin/static"}
    assert lines["/bin/good"].split()[3:9] == ["x86-64/64le", "full", "yes", "yes", "yes", "-"]
    assert lines["/bin/bad"].split()[3:9] == ["mips/32le", "none", "no", "no", "no", "r=/tmp/x"]
    assert "?" in lines["/bin/static"].split()


def test_bad_input_is_one_line_and_exit_2(tree: Path, tmp_path: Path) -> None:
    assert_usage_error(assay("hardening", tmp_path / "missing", cwd=tmp_path), "no such file")
    text = tmp_path / "notes.txt"
    text.write_text("hello\n")
    assert_usage_error(assay("hardening", text, "--json", cwd=tmp_path), "no ELF")
    empty = tmp_path / "empty"
    empty.mkdir()
    assert_usage_error(assay("hardening", empty, cwd=tmp_path), "no ELF")
