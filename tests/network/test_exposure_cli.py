"""`assay network check --store` as a user runs it: the generated inventory joined with real scans
saved in a real SQLite store; the exposure table and JSON, --policy, and bad stores (exit 2)."""

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from assay.store import EvaluationStore
from tests.factories.network import make_inventory, write_rows
from tests.network.test_exposure import documents
from tests.test_cli import assay, assert_usage_error

__all__ = ["documents"]

BASE = ("network", "check", "inventory.csv", "--profile", "uk-dvd-2022", "--at", "2024-06-01")
HARDENING = {"matrix": [{"property": "nx", "executables": {"have": 1, "total": 4}}]}


def _inventory(tmp_path: Path) -> list[str]:
    """The generated two-operator inventory; Albion's Nokia gNBs run Acme ran-os, every other
    one 3.2.1 in region North (the ids returned), the rest 4.0.0; every other element runs a
    release never evaluated."""
    rows = make_inventory(install_dates=(date(2019, 1, 1), date(2021, 12, 31)))
    north = []
    gnbs = [r for r in rows if r["operator"] == "Albion Mobile" and r["function"] == "gNB"]
    for number, row in enumerate(r for r in gnbs if r["vendor"] == "Nokia"):
        release = "3.2.1" if number % 2 else "4.0.0"
        row.update(vendor="Acme", product="ran-os", release=release)
        if release == "3.2.1":
            row["region"] = "North"
            north.append(str(row["id"]))
    write_rows(tmp_path / "inventory.csv", rows)
    return north


@pytest.fixture
def store(tmp_path: Path, documents: dict[str, dict[str, Any]]) -> str:
    path = tmp_path / "evaluations.sqlite"
    with EvaluationStore(f"sqlite:///{path}") as saved:
        saved.save(documents["3.2.1"])
        saved.save({**documents["4.0.0"], "facts": {"hardening": HARDENING}})
    return str(path)


def test_exposure_in_json_and_the_exit_code_unchanged(tmp_path: Path, store: str) -> None:
    north = _inventory(tmp_path)
    plain = assay(*BASE, "--json", cwd=tmp_path)
    done = assay(*BASE, "--json", "--store", store, cwd=tmp_path)
    assert done.returncode == plain.returncode == 0, done.stderr
    assert json.loads(plain.stdout)["exposure"] is None
    exposure = json.loads(done.stdout)["exposure"]
    first = exposure[0]
    assert (first["vendor"], first["product"], first["release"]) == ("Acme", "ran-os", "3.2.1")
    assert first["kev"] == ["CVE-2021-3156"] and first["elements"] == north
    assert first["summary"].startswith(
        f"{len(north)} gNB in region North (Albion Mobile, 5G) run Acme ran-os 3.2.1, which has "
        "1 KEV CVE (CVE-2021-3156)"
    )
    releases = {group["release"] for group in exposure}
    assert "4.0.0" not in releases  # no open critical CVE, and no policy to judge hardening by
    never = [group for group in exposure if group["evaluation"] is None]
    assert never and all("never been evaluated" in group["summary"] for group in never)
    assert sum(len(group["elements"]) for group in exposure) > 200


def test_policy_judges_hardening(tmp_path: Path, store: str) -> None:
    _inventory(tmp_path)
    (tmp_path / "lab.yaml").write_text("version: 1\nname: lab\nmin_hardening:\n  nx: 90\n")
    done = assay(*BASE, "--json", "--store", store, "--policy", "lab.yaml", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    hardened = [g for g in json.loads(done.stdout)["exposure"] if g["release"] == "4.0.0"]
    assert hardened and hardened[0]["hardening"] == ["nx: 25.0% (1 of 4 ELF files), minimum 90%"]
    assert "hardening below policy" in hardened[0]["summary"]


def test_exposure_table_is_capped(tmp_path: Path, store: str) -> None:
    _inventory(tmp_path)
    done = assay(*BASE, "--store", store, cwd=tmp_path, prefix=("env", "COLUMNS=400"))
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "Exposure:" in out and "run Acme ran-os 3.2.1, which has 1 KEV CVE" in out
    assert "… and " in out and "more group(s)" in out
    assert out.index("Exposure:") < out.index("uk-dvd-2022 on 2024-06-01: compliant")


def test_exposure_goes_into_the_html_report(tmp_path: Path, store: str) -> None:
    _inventory(tmp_path)
    done = assay(*BASE, "--store", store, "--html", "report.html", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert 'id="exposure-table"' in html and "which has 1 KEV CVE (CVE-2021-3156)" in html


def test_bad_store_or_policy_is_exit_2(tmp_path: Path, store: str) -> None:
    _inventory(tmp_path)
    missing = tmp_path / "nope" / "evaluations.sqlite"
    assert_usage_error(assay(*BASE, "--store", str(missing), cwd=tmp_path), "no store at")
    assert not missing.parent.exists()
    assert_usage_error(assay(*BASE, "--store", "mysql://u@h/db", cwd=tmp_path), "unsupported")
    (tmp_path / "junk.sqlite").write_bytes(b"this is not a database" * 100)
    assert_usage_error(assay(*BASE, "--store", "junk.sqlite", cwd=tmp_path), "junk.sqlite")
    done = assay(*BASE, "--store", store, "--policy", "no-such-policy", cwd=tmp_path)
    assert_usage_error(done, "no-such-policy")
    assert_usage_error(assay(*BASE, "--policy", "lab.yaml", cwd=tmp_path), "--policy needs")
