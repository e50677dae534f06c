"""The Markdown reporter: a golden file of a generated evaluation, the summary and tables a CI
log shows, capped tables and cells that cannot break a table."""

import copy
import io
from typing import Any

import pytest

from assay.plugins import reporters
from assay.report.markdown import MarkdownReporter, markdown_report
from assay.report.markdown_table import cell, table
from tests.report.golden_support import GOLDEN_DIR, assert_golden, golden_document

GOLDEN = "router-fw.md"


def render(document: dict[str, Any]) -> str:
    out = io.BytesIO()
    MarkdownReporter().render(document, out)
    return out.getvalue().decode("utf-8")


@pytest.fixture(scope="module")
def document(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return golden_document(tmp_path_factory.mktemp("markdown"))


@pytest.fixture(scope="module")
def text(document: dict[str, Any]) -> str:
    return render(document)


def test_matches_the_golden_file(text: str) -> None:
    assert_golden(GOLDEN, text)


def test_a_changed_finding_changes_the_output(document: dict[str, Any]) -> None:
    changed = copy.deepcopy(document)
    changed["findings"][0]["rule"] = "config.debug.something-else"
    assert render(changed) != (GOLDEN_DIR / GOLDEN).read_text(encoding="utf-8")


def test_summary_counts_kev_triage_and_data_age(text: str) -> None:
    assert "**Known exploited (CISA KEV):** 2 open CVE(s)" in text
    assert "**Closed by triage (not affected / fixed):** 1 CVE(s)" in text
    assert "snapshot 2026-08-21, 97 day(s) old" in text
    assert "⚠️ vulnerability data is 97 days old" in text
    assert "**Complete:** yes" in text


def test_known_exploited_cves_come_first(text: str) -> None:
    rows = [line for line in text.splitlines() if line.startswith("| [CVE-")]
    assert len(rows) == 20
    assert "**KEV**" in rows[0] and "**KEV**" in rows[1]
    assert "**KEV**" not in rows[2]
    assert "CVE-2014-6271" in rows[0]
    assert "… 76 more in evaluation.json" in text


def test_end_of_life_and_several_versions(text: str) -> None:
    assert "| OpenSSL | 0.9.8zh | 2015-12-31 | 1 |" in text
    assert "|  | 1.0.2k | 1 | 0 | 2019-12-31 | `router-fw › /usr/lib/libcrypto.so.1.0.0` |" in text


def test_findings_by_rule_worst_first(text: str) -> None:
    section = text.split("## Findings by rule", 1)[1].split("##", 1)[0]
    rules = [line.split("`")[1] for line in section.splitlines() if line.startswith("| `")]
    assert rules[0] in {"config.debug.telnetd-shell", "password.default"}
    assert rules[-1] == "password.weak-hash"


def test_hardening_and_unsafe_calls_show_percentages() -> None:
    counts = {"have": 6, "unknown": 1, "total": 7, "percent": 85.71}
    document = {
        "facts": {
            "hardening": {
                "matrix": [
                    {
                        "property": "nx",
                        "description": "NX",
                        "desirable": True,
                        "executables": counts,
                        "libraries": {"have": 0, "total": 0},
                    },
                    {
                        "property": "rpath",
                        "description": "RPATH",
                        "desirable": False,
                        "executables": counts,
                        "libraries": counts,
                    },
                ]
            },
            "census": {
                "families": [
                    {
                        "family": "strcpy-like",
                        "unsafe_calls": 26,
                        "safe_calls": 6,
                        "percent_unsafe": 81.25,
                        "unsafe_functions": ["strcpy", "stpcpy"],
                    }
                ]
            },
        }
    }
    text = markdown_report(document)
    assert "| NX | 85.7 % (6/7, 1 unknown) | — |" in text
    assert "| RPATH *(fewer is better)* |" in text
    assert "| strcpy-like | 26 | 6 | 81.2 % | strcpy, stpcpy |" in text


def test_problems_and_incomplete_evaluations_are_shown() -> None:
    document = {
        "summary": {"complete": False},
        "problems": [
            {"level": "warning", "kind": "corrupt", "location": "a", "message": "odd"},
            {"level": "error", "kind": "limit-bytes", "location": "fw › big|part", "message": "x"},
        ],
    }
    text = markdown_report(document)
    assert "**Complete:** ❌ no — 1 part(s) could not be evaluated" in text
    problems = text.split("## Problems", 1)[1]
    assert problems.index("limit-bytes") < problems.index("corrupt")
    assert "`fw › big\\|part`" in problems


def test_cells_cannot_break_a_table() -> None:
    assert cell("a|b\nc<script>") == "a\\|b c&lt;script&gt;"
    assert cell(None) == "—"


def test_tables_are_capped_with_a_count() -> None:
    lines = table(["n"], [[str(i)] for i in range(25)], limit=20)
    assert lines[-1] == "… 5 more in evaluation.json"
    assert sum(1 for line in lines if line.startswith("| ") and line != "| n |") == 20


def test_is_registered() -> None:
    assert "markdown" in {r.name for r in reporters()}
