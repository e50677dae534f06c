"""OpenVEX export of an evaluation: valid against the official OpenVEX schema, read back into the
same decisions, carried from release 1 to release 2; and `assay vex export` / `assay vex check`."""

import json
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from assay.model.evaluation import Evaluation
from assay.model.vulnerability import Triage, TriageState
from assay.report.json_report import evaluation_json
from assay.vuln.vex import apply, load_vex
from assay.vuln.vex_evaluation import evaluation_from_json
from assay.vuln.vex_export import decision, export_openvex
from tests.test_cli import assay, assert_usage_error
from tests.vuln.vex_support import (
    OPENVEX_SCHEMA,
    component,
    evaluation,
    openvex,
    statement,
    vulnerability,
    write,
)

NOW = datetime(2024, 5, 2, 9, 30, tzinfo=UTC)
OLD = component("openssl", "1.0.2k")
NEW = component("openssl", "1.1.1w")
BUSYBOX = component("busybox", "1.36.1", cpes=("cpe:2.3:a:busybox:busybox:1.36.1:*:*:*:*:*:*:*",))
PILLOW = component("pypi:pillow", "9.0.0", purl="pkg:pypi/pillow@9.0.0")
UNNAMED = component("boa", "0.94.14rc21", purl=None)
VALIDATOR = jsonschema.Draft202012Validator(
    json.loads(OPENVEX_SCHEMA.read_text(encoding="utf-8")),
    format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER,
)


def release_one() -> Evaluation:
    """Two versions of openssl triaged differently for one CVE, and one decision of each kind."""
    vulnerabilities = (
        vulnerability(
            "CVE-2016-2108",
            OLD,
            Triage(TriageState.AFFECTED, None, "Update to 1.0.2h", "lab.json"),
            description="ASN.1 negative zero",
        ),
        vulnerability(
            "CVE-2016-2108",
            NEW,
            Triage(TriageState.NOT_AFFECTED, "vulnerable_code_not_present", None, "lab.json"),
        ),
        vulnerability(
            "CVE-2022-0778",
            OLD,
            Triage(TriageState.NOT_AFFECTED, "vulnerable_code_not_in_execute_path", "no certs"),
        ),
        vulnerability("CVE-2022-0778", NEW, Triage(TriageState.FIXED, None, "backported")),
        vulnerability("CVE-2022-28391", BUSYBOX),
        vulnerability("GHSA-8vj2-vxx3-667w", PILLOW),
        vulnerability("CVE-2017-9833", UNNAMED),
        vulnerability("CVE-2023-0001", BUSYBOX, Triage(TriageState.NOT_AFFECTED)),
        vulnerability("CVE-2023-0002", BUSYBOX, Triage(TriageState.AFFECTED)),
    )
    return evaluation((OLD, NEW, BUSYBOX, PILLOW, UNNAMED), vulnerabilities)


def by_cve(document: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {}
    for entry in document["statements"]:
        found.setdefault(entry["vulnerability"]["name"], []).append(entry)
    return found


def test_the_export_is_valid_openvex() -> None:
    document = export_openvex(release_one(), "Lab <lab@example.invalid>", NOW)
    VALIDATOR.validate(document)
    assert document["timestamp"] == "2024-05-02T09:30:00Z"
    assert document["tooling"] == "assay 0.1.0"
    broken = json.loads(json.dumps(document))
    broken["statements"][0]["status"] = "affected"
    broken["statements"][0].pop("action_statement", None)
    assert not VALIDATOR.is_valid(broken)
    broken = json.loads(json.dumps(document))
    broken["timestamp"] = "yesterday"
    assert not VALIDATOR.is_valid(broken)


def test_the_export_names_products_with_and_without_version() -> None:
    statements = by_cve(export_openvex(release_one(), "lab", NOW))
    (busybox,) = statements["CVE-2022-28391"]
    assert busybox["status"] == "under_investigation"
    assert [p["@id"] for p in busybox["products"]] == [
        "pkg:generic/busybox",
        "pkg:generic/busybox@1.36.1",
    ]
    assert busybox["products"][1]["identifiers"] == {"purl": "pkg:generic/busybox@1.36.1"}
    assert busybox["vulnerability"]["@id"] == "https://nvd.nist.gov/vuln/detail/CVE-2022-28391"
    (pillow,) = statements["GHSA-8vj2-vxx3-667w"]
    assert [p["@id"] for p in pillow["products"]] == ["pkg:pypi/pillow", "pkg:pypi/pillow@9.0.0"]
    assert pillow["vulnerability"]["@id"].startswith("https://osv.dev/vulnerability/GHSA-")
    (boa,) = statements["CVE-2017-9833"]
    assert boa["products"][1]["@id"] == "pkg:generic/boa@0.94.14rc21"


def test_versions_triaged_differently_get_a_statement_each() -> None:
    statements = by_cve(export_openvex(release_one(), "lab", NOW))
    split = statements["CVE-2016-2108"]
    assert [[p["@id"] for p in s["products"]] for s in split] == [
        ["pkg:generic/openssl@1.0.2k"],
        ["pkg:generic/openssl@1.1.1w"],
    ]
    assert split[0]["action_statement"] == "Update to 1.0.2h"
    assert split[0]["vulnerability"]["description"] == "ASN.1 negative zero"
    assert split[1]["justification"] == "vulnerable_code_not_present"


def test_export_and_reimport_give_the_same_decisions(tmp_path: Path) -> None:
    original = release_one()
    path = write(tmp_path / "triage.openvex.json", export_openvex(original, "lab", NOW))
    untriaged = tuple(replace(v, triage=None) for v in original.vulnerabilities)
    again = apply(untriaged, original.components, load_vex([path]))
    for before, after in zip(original.vulnerabilities, again, strict=True):
        assert after.triage is not None, before.cve
        assert after.triage.source == str(path)
        expected = decision(before.triage)
        if (
            before.triage is not None
            and before.triage.detail is None
            and expected[0]
            in (
                TriageState.AFFECTED,
                TriageState.NOT_AFFECTED,
            )
        ):  # OpenVEX needs a text here: the export writes one
            expected = (expected[0], expected[1], after.triage.detail)
        assert decision(after.triage) == expected, before.cve


def test_a_decision_on_release_one_carries_to_release_two(tmp_path: Path) -> None:
    path = write(tmp_path / "r1.openvex.json", export_openvex(release_one(), "lab", NOW))
    newer = component("openssl", "1.1.1zb")
    busybox = component("busybox", "1.37.0")
    release_two = (
        vulnerability("CVE-2022-0778", newer),  # triaged per version in release 1: stays open
        vulnerability("CVE-2023-0001", busybox),
        vulnerability("CVE-2022-28391", busybox),
    )
    triaged = apply(release_two, (newer, busybox), load_vex([path]))
    assert triaged[0].triage is None
    assert triaged[1].triage is not None and triaged[1].triage.state is TriageState.NOT_AFFECTED
    assert triaged[2].triage is not None
    assert triaged[2].triage.state is TriageState.UNDER_INVESTIGATION


def test_an_edited_export_feeds_back(tmp_path: Path) -> None:
    document = export_openvex(release_one(), "lab", NOW)
    (busybox,) = by_cve(document)["CVE-2022-28391"]
    busybox["status"] = "not_affected"
    busybox["justification"] = "vulnerable_code_not_in_execute_path"
    VALIDATOR.validate(document)
    path = write(tmp_path / "edited.json", document)
    later = component("busybox", "1.37.0")
    (triaged,) = apply((vulnerability("CVE-2022-28391", later),), (later,), load_vex([path]))
    assert triaged.triage is not None and triaged.triage.state is TriageState.NOT_AFFECTED
    assert not triaged.open


def test_evaluation_json_reads_back() -> None:
    original = release_one()
    document = json.loads(json.dumps(evaluation_json(original)))
    again = evaluation_from_json(document)
    assert again.vulnerabilities == original.vulnerabilities
    assert again.components == original.components
    assert again.release == original.release


# -- command line ---------------------------------------------------------------------------------


def test_vex_export_and_check_commands(tmp_path: Path) -> None:
    source = write(tmp_path / "evaluation.json", evaluation_json(release_one()))
    done = assay(
        "vex", "export", source, "-o", tmp_path / "triage.json", "--author", "Lab", cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert "9 vulnerabilities (6 triaged)" in done.stderr
    document = json.loads((tmp_path / "triage.json").read_text(encoding="utf-8"))
    VALIDATOR.validate(document)
    assert document["author"] == "Lab"
    done = assay(
        "vex", "check", tmp_path / "triage.json", "--evaluation", source, "--json", cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    (entry,) = summary["files"]
    assert entry["format"] == "openvex"
    assert entry["statements"] == len(document["statements"])
    assert summary["evaluation"]["decided"] == 9
    assert summary["evaluation"]["open"] == 5
    done = assay("vex", "check", tmp_path / "triage.json", cwd=tmp_path)
    assert done.returncode == 0 and "openvex" in done.stdout


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ("[1, 2", "not JSON"),
        (json.dumps(openvex(statement("CVE-1", ["x"], "sure"))), "unknown status 'sure'"),
    ],
)
def test_vex_check_of_a_bad_file(tmp_path: Path, content: str, words: str) -> None:
    bad = tmp_path / "bad.vex.json"
    bad.write_text(content, encoding="utf-8")
    assert_usage_error(assay("vex", "check", bad, cwd=tmp_path), "bad.vex.json", words)


def test_vex_export_of_something_else(tmp_path: Path) -> None:
    other = write(tmp_path / "other.json", {"hello": "world"})
    done = assay("vex", "export", other, "-o", tmp_path / "out.json", cwd=tmp_path)
    assert_usage_error(done, "other.json", "not an assay evaluation.json")
    assert not (tmp_path / "out.json").exists()
