"""The vulnerabilities section of the CycloneDX 1.6 SBOM: valid against the official schema, each
vulnerability with its source, ratings, CWEs, the component it affects, its triage as analysis,
KEV and EPSS properties and the fixed version; and written by `assay scan` beside
evaluation.json."""

import json
from pathlib import Path
from typing import Any

from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator

from assay.cli.sbom_command import CYCLONEDX_FILE, write_scan_outputs
from assay.model.evaluation import Evaluation
from assay.model.vulnerability import CvssRating, EpssRating, KevFlag, Triage, TriageState
from assay.report.cyclonedx import cyclonedx_json
from assay.report.sbom_input import FileHashes
from tests.vuln.vex_support import component, evaluation, vulnerability

VALIDATOR = JsonStrictValidator(SchemaVersion.V1_6)
OPENSSL = component("openssl", "1.0.2k", cpes=("cpe:2.3:a:openssl:openssl:1.0.2k:*:*:*:*:*:*:*",))
PILLOW = component("pypi:pillow", "9.0.0", purl="pkg:pypi/pillow@9.0.0")
V3 = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"
V4 = "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"
V2 = "AV:N/AC:L/Au:N/C:P/I:P/A:P"


def release() -> Evaluation:
    """A release with a KEV-listed, triaged CVE rated three ways, and an untriaged GHSA."""
    heartbleed = vulnerability(
        "CVE-2016-2108",
        OPENSSL,
        Triage(
            TriageState.NOT_AFFECTED,
            "vulnerable_code_not_in_execute_path",
            "ASN.1 parsing of untrusted input is not reachable",
            "lab.openvex.json",
        ),
        ratings=(
            CvssRating("3.1", 9.8, "critical", V3),
            CvssRating("4.0", 9.3, "critical", V4),
            CvssRating("2.0", 10.0, "high", V2),
        ),
        cwes=("CWE-119", "CWE-787", "NVD-CWE-Other"),
        kev=KevFlag("2022-05-25", "2022-06-15", "Unknown"),
        epss=EpssRating(0.9731, 0.99912),
        published="2016-05-05T01:59:00.000",
        description="The ASN.1 implementation in OpenSSL before 1.0.1o and 1.0.2 before 1.0.2c",
        fixed_version="1.0.2h",
    )
    ghsa = vulnerability("GHSA-8vj2-vxx3-667w", PILLOW, method="osv")
    exploitable = vulnerability(
        "CVE-2016-2105", OPENSSL, Triage(TriageState.AFFECTED, None, "update", "lab.json")
    )
    return evaluation((OPENSSL, PILLOW), (heartbleed, ghsa, exploitable))


def entries(bom: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {v["id"]: v for v in bom["vulnerabilities"]}


def test_vulnerabilities_are_valid_cyclonedx_1_6() -> None:
    text = cyclonedx_json(release())
    assert VALIDATOR.validate_str(text) is None
    broken = json.loads(text)
    broken["vulnerabilities"][0]["analysis"] = {"state": "not_exploitable"}
    assert VALIDATOR.validate_str(json.dumps(broken)) is not None


def test_a_vulnerability_with_all_it_is_known_by() -> None:
    bom = json.loads(cyclonedx_json(release()))
    entry = entries(bom)["CVE-2016-2108"]
    assert entry["source"] == {
        "name": "NVD",
        "url": "https://nvd.nist.gov/vuln/detail/CVE-2016-2108",
    }
    methods = {r["method"]: r for r in entry["ratings"]}
    assert set(methods) == {"CVSSv31", "CVSSv4", "CVSSv2"}
    assert methods["CVSSv31"]["score"] == 9.8
    assert methods["CVSSv31"]["severity"] == "critical"
    assert methods["CVSSv31"]["vector"].endswith("AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H")
    assert methods["CVSSv2"]["severity"] == "high"
    assert entry["cwes"] == [119, 787]
    assert entry["description"].startswith("The ASN.1 implementation")
    assert entry["published"].startswith("2016-05-05T01:59:00")
    assert entry["recommendation"] == "Upgrade openssl to 1.0.2h or later."


def test_affects_names_the_component_and_analysis_the_triage() -> None:
    bom = json.loads(cyclonedx_json(release()))
    component_refs = {c["bom-ref"] for c in bom["components"]}
    entry = entries(bom)["CVE-2016-2108"]
    assert entry["affects"] == [
        {"ref": OPENSSL.id, "versions": [{"version": "1.0.2k", "status": "unaffected"}]}
    ]
    assert entry["affects"][0]["ref"] in component_refs
    assert entry["analysis"] == {
        "state": "not_affected",
        "justification": "code_not_reachable",
        "detail": "ASN.1 parsing of untrusted input is not reachable",
    }
    exploitable = entries(bom)["CVE-2016-2105"]
    assert exploitable["analysis"] == {"state": "exploitable", "detail": "update"}
    assert exploitable["affects"][0]["versions"][0]["status"] == "affected"
    assert "analysis" not in entries(bom)["GHSA-8vj2-vxx3-667w"]


def test_kev_and_epss_are_properties() -> None:
    entry = entries(json.loads(cyclonedx_json(release())))["CVE-2016-2108"]
    properties = {p["name"]: p["value"] for p in entry["properties"]}
    assert properties["assay:kev"] == "true"
    assert properties["assay:kev:date_added"] == "2022-05-25"
    assert properties["assay:kev:due_date"] == "2022-06-15"
    assert properties["assay:epss:score"] == "0.9731"
    assert properties["assay:epss:percentile"] == "0.99912"
    assert properties["assay:triage:source"] == "lab.openvex.json"


def test_an_id_other_than_a_cve_comes_from_osv() -> None:
    entry = entries(json.loads(cyclonedx_json(release())))["GHSA-8vj2-vxx3-667w"]
    assert entry["source"]["name"] == "OSV"
    assert entry["source"]["url"] == "https://osv.dev/vulnerability/GHSA-8vj2-vxx3-667w"
    properties = {p["name"] for p in entry["properties"]}
    assert "assay:kev" not in properties and "assay:epss:score" not in properties
    assert "recommendation" not in entry


def test_scan_outputs_carry_the_vulnerabilities(tmp_path: Path) -> None:
    write_scan_outputs(tmp_path, release(), FileHashes(), None)
    text = (tmp_path / CYCLONEDX_FILE).read_text(encoding="utf-8")
    assert VALIDATOR.validate_str(text) is None
    assert set(entries(json.loads(text))) == {
        "CVE-2016-2108",
        "CVE-2016-2105",
        "GHSA-8vj2-vxx3-667w",
    }
