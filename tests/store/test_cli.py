"""`assay scan --store URL` / `--save` and `assay history` as a user runs them."""

import json
from pathlib import Path
from typing import Any

from tests.store.conftest import EXTRA_PACKAGES, PRODUCT, RELEASES, release_tree
from tests.test_cli import assay, assert_usage_error, load


def scan(tree: Path, out: Path, *store: str, version: str) -> dict[str, Any]:
    args = ["--vendor", "Acme", "--product", PRODUCT, "--release-version", version]
    done = assay("scan", tree, "-o", out, "--no-vulns", *args, *store, cwd=out.parent)
    assert done.returncode == 0, done.stderr
    return load(out / "evaluation.json")  # validated against the published schema


def test_scan_store_then_history(store_url: str, tmp_path: Path) -> None:
    documents = []
    for release in RELEASES:
        tree = release_tree(tmp_path, release)
        documents.append(
            scan(tree, tmp_path / f"out-{release}", "--store", store_url, version=release)
        )
    last = documents[-1]
    assert last["release"]["vendor"] == "Acme" and last["release"]["version"] == "2.0"
    assert [point["release"] for point in last["history"]] == list(RELEASES)
    done = assay("history", PRODUCT, "--store", store_url, "--json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    entries = json.loads(done.stdout)
    assert [e["components"] for e in entries] == [3 + EXTRA_PACKAGES[r] for r in RELEASES]
    assert entries[0]["by_severity"]["critical"] >= 1
    table = assay("history", PRODUCT, "--store", store_url, cwd=tmp_path)
    assert table.returncode == 0, table.stderr
    for release in RELEASES:
        assert release in table.stdout


def test_save_uses_the_default_store_in_the_data_folder(tmp_path: Path) -> None:
    data = tmp_path / "xdg-data"
    tree = release_tree(tmp_path, "1.0")
    env_prefix = ("env", f"XDG_DATA_HOME={data}")
    args = ["-o", tmp_path / "out", "--no-vulns", "--product", PRODUCT, "--save"]
    done = assay("scan", tree, *args, cwd=tmp_path, prefix=env_prefix)
    assert done.returncode == 0, done.stderr
    assert (data / "assay" / "evaluations.sqlite").is_file()
    listed = assay("history", PRODUCT, "--json", cwd=tmp_path, prefix=env_prefix)
    assert [e["release"] for e in json.loads(listed.stdout)] == ["router-1.0"]


def test_bad_store_url_is_a_usage_error(tmp_path: Path) -> None:
    tree = release_tree(tmp_path, "1.0")
    done = assay("scan", tree, "-o", tmp_path / "out", "--store", "mysql://x@y/z", cwd=tmp_path)
    assert_usage_error(done, "unsupported database")
    assert not (tmp_path / "out" / "evaluation.json").exists()  # refused before the scan
    history = assay("history", PRODUCT, "--store", "postgresql://u:pw@127.0.0.1:1/x", cwd=tmp_path)
    assert_usage_error(history, "cannot open store")
