"""`assay equiv --save` keeps a failed equivalence in the store, and `assay network check
--store` then names the elements running that release."""

import json
import shutil
from pathlib import Path

import pytest

from assay.store import EvaluationStore
from tests.equivalence.project import Build, build
from tests.factories.network import make_inventory, write_rows
from tests.test_cli import assay, assert_usage_error

pytestmark = pytest.mark.skipif(shutil.which("gcc") is None, reason="needs gcc")

RELEASE = ("--vendor", "Acme", "--product", "ran-os", "--release-version", "5.0.1")


def test_failed_equivalence_saved_and_shown_on_the_elements(tmp_path: Path) -> None:
    vendor = build(Build(tmp_path / "vendor-1"))
    rebuilt = build(Build(tmp_path / "rebuilt2", comparison=">="))
    store = tmp_path / "evaluations.sqlite"
    done = assay("equiv", vendor, rebuilt, "--store", store, *RELEASE, cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    assert "saved to the store as equiv-" in done.stderr
    with EvaluationStore(str(store)) as saved:
        run = saved.latest_equivalence("RAN-OS", "5.0.1", "acme")
    assert run is not None and (run["equivalent"], run["total"]) == (0, 1)
    assert run["document"]["pairs"][0]["verdict"] == "different"

    rows = make_inventory()
    gnbs = [r for r in rows if r["function"] == "gNB"][:3]
    for row in gnbs:
        row.update(vendor="Acme", product="ran-os", release="5.0.1")
    write_rows(tmp_path / "inventory.csv", rows)
    done = assay(
        "network", "check", "inventory.csv", "--profile", "uk-dvd-2022", "--at", "2024-06-01",
        "--store", str(store), "--json", cwd=tmp_path,
    )  # fmt: skip
    exposure = json.loads(done.stdout)["exposure"]
    failed = [g for g in exposure if g["equivalence"] == {"equivalent": 0, "total": 1}]
    assert sorted(e for g in failed for e in g["elements"]) == sorted(r["id"] for r in gnbs)
    assert all("failed binary equivalence (0 of 1 equivalent)" in g["summary"] for g in failed)


def test_saving_needs_the_release(tmp_path: Path) -> None:
    program = build(Build(tmp_path / "vendor-1"))
    done = assay("equiv", program, program, "--store", tmp_path / "s.sqlite", cwd=tmp_path)
    assert_usage_error(done, "--product", "--release-version")
