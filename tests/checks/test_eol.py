"""End-of-life findings: a component on a release line past its end of life, dated by the rules."""

from datetime import date
from pathlib import Path

from assay.checks.eol import EndOfLifeCheck
from assay.model.finding import Category, Severity
from assay.pipeline.evaluator import Evaluator, ScanOptions
from tests.factories.version_strings import embedded

OPENSSL_102 = embedded(b'OpenSSL 1.0.2k  26 Jan 2017\x00OPENSSLDIR: "/usr/ssl"\x00')
OPENSSL_35 = embedded(b'OpenSSL 3.5.8 1 Jul 2026\x00OPENSSLDIR: "/usr/ssl"\x00')


def scan(root: Path, today: date) -> list[tuple[str, str, Severity, str]]:
    options = ScanOptions(checks=(EndOfLifeCheck(),), today=today)
    evaluation = Evaluator(options).evaluate(root)
    return [
        (f.rule, dict(f.properties)["version"], f.severity, f.evidence[0].location)
        for f in evaluation.findings
        if f.category is Category.END_OF_LIFE
    ]


def test_a_release_line_past_its_end_of_life_is_a_finding(tmp_path: Path) -> None:
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib/libcrypto.so.1.0.0").write_bytes(OPENSSL_102)
    (tmp_path / "lib/libcrypto.so.3").write_bytes(OPENSSL_35)
    found = scan(tmp_path, date(2026, 11, 26))
    assert found == [
        (
            "component.end-of-life",
            "1.0.2k",
            Severity.HIGH,
            f"{tmp_path.name} › /lib/libcrypto.so.1.0.0",
        ),
    ]


def test_the_evaluation_date_decides(tmp_path: Path) -> None:
    (tmp_path / "libcrypto.so.1.0.0").write_bytes(OPENSSL_102)
    assert scan(tmp_path, date(2019, 6, 1)) == []
    assert [row[2] for row in scan(tmp_path, date(2020, 6, 1))] == [Severity.MEDIUM]
