"""`assay scan` matches what it identified against the shipped database: CVEs with why, scores,
KEV and EPSS, the snapshot's date and age in the evaluation, and triage applied."""

import json
from datetime import date
from pathlib import Path

import jsonschema
import pytest

from assay.model.evaluation import Evaluation
from assay.model.finding import Severity
from assay.pipeline.evaluator import Evaluator, ScanOptions
from assay.report.json_report import evaluation_json
from tests.factories.version_strings import embedded

SCHEMA = json.loads(
    (Path(__file__).resolve().parents[2] / "docs/evaluation.schema.json").read_text()
)
BASH_43 = embedded(b"by law.\x00\x00\x00@(#)Bash version 4.3.0(1) release GNU\x00\x00\x01")
OPENSSL_102K = embedded(b'OpenSSL 1.0.2k  26 Jan 2017\x00OPENSSLDIR: "/usr/ssl"\x00')


@pytest.fixture(scope="module")
def evaluation(tmp_path_factory: pytest.TempPathFactory) -> Evaluation:
    root = tmp_path_factory.mktemp("rootfs")
    (root / "bin").mkdir()
    (root / "bin/bash").write_bytes(BASH_43)
    (root / "lib").mkdir()
    (root / "lib/libcrypto.so.1.0.0").write_bytes(OPENSSL_102K)
    options = ScanOptions(checks=(), today=date(2026, 11, 26))
    return Evaluator(options).evaluate(root)


def by_cve(evaluation: Evaluation, product: str) -> dict[str, object]:
    return {v.cve: v for v in evaluation.vulnerabilities if v.product == product}


def test_shellshock_is_matched_with_kev_epss_and_why(evaluation: Evaluation) -> None:
    bash = by_cve(evaluation, "bash")
    shellshock = bash["CVE-2014-6271"]
    assert shellshock.severity is Severity.CRITICAL  # type: ignore[attr-defined]
    assert shellshock.kev is not None and shellshock.kev.date_added  # type: ignore[attr-defined]
    assert shellshock.epss is not None and shellshock.epss.score > 0.5  # type: ignore[attr-defined]
    assert "bash 4.3.0 is version 4.3 of cpe:2.3:a:gnu:bash:4.3" in shellshock.why  # type: ignore[attr-defined]
    assert shellshock.method == "cpe-configuration"  # type: ignore[attr-defined]


def test_a_patched_bash_is_not_shellshocked(tmp_path: Path) -> None:
    (tmp_path / "bash").write_bytes(BASH_43.replace(b"4.3.0(1)", b"4.3.30(1)"))
    evaluation = Evaluator(ScanOptions(checks=())).evaluate(tmp_path)
    assert [c.version for c in evaluation.components] == ["4.3.30"]
    assert "CVE-2014-6271" not in by_cve(evaluation, "bash")


def test_openssl_102k_has_its_cves_and_not_heartbleed(evaluation: Evaluation) -> None:
    openssl = by_cve(evaluation, "openssl")
    assert "CVE-2017-3735" in openssl
    assert "CVE-2014-0160" not in openssl


def test_evaluation_names_the_snapshot_and_warns_about_its_age(evaluation: Evaluation) -> None:
    assert evaluation.vulndata is not None
    assert evaluation.vulndata.snapshot_date == "2026-08-21"
    assert evaluation.vulndata.age_days == 97
    assert evaluation.vulndata.warning and "97 days old" in evaluation.vulndata.warning
    stage = next(s for s in evaluation.stages if s.name == "vulnerabilities")
    assert stage.status.value == "ok"
    assert evaluation.complete


def test_vulnerabilities_are_in_evaluation_json(evaluation: Evaluation) -> None:
    document = evaluation_json(evaluation)
    jsonschema.validate(document, SCHEMA)
    cves = {v["cve"] for v in document["vulnerabilities"]}
    assert {"CVE-2014-6271", "CVE-2017-3735"} <= cves
    assert document["summary"]["kev"] >= 1
    assert document["vulndata"]["snapshot_date"] == "2026-08-21"
