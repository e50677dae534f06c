"""`--baseline` on `assay report -f html` and `assay scan`, and `assay diff OLD NEW --html FILE`:
the HTML report gets the changes section; other outputs and formats are left alone."""

import json
from pathlib import Path

import pytest

from tests.diff.support import release_1, release_2, scanned
from tests.report.html_support import parse
from tests.test_cli import assay, assert_usage_error


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cli")
    release_1(folder / "fw-1.0")
    release_2(folder / "fw-2.0")
    for name in ("fw-1.0", "fw-2.0"):
        text = json.dumps(scanned(folder / name))
        (folder / f"{name}.json").write_text(text, encoding="utf-8")
    return folder


def changes_facts(html: Path) -> dict[str, str]:
    page = parse(html.read_text(encoding="utf-8"))
    return {key: page.text(key) for key in page.by_id if key.startswith("changes-facts-")}


def test_report_html_with_a_baseline(work: Path) -> None:
    out = work / "report.html"
    done = assay(
        "report", work / "fw-2.0.json", "-f", "html", "--baseline", work / "fw-1.0.json",
        "-o", out, cwd=work,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    facts = changes_facts(out)
    assert facts["changes-facts-components"] == (
        "1 added, 0 removed, 2 upgraded, 0 downgraded, 0 changed"
    )
    assert facts["changes-facts-hardening"].startswith("1 regression, 0 improvements")
    assert "Changes since fw-1.0" in out.read_text(encoding="utf-8")


def test_baseline_with_another_format_is_refused(work: Path) -> None:
    for fmt in ("sarif", "markdown", "json"):
        done = assay(
            "report", work / "fw-2.0.json", "-f", fmt, "--baseline", work / "fw-1.0.json",
            cwd=work,
        )  # fmt: skip
        assert_usage_error(done, "--baseline only affects the HTML report")
        assert not done.stdout


def test_a_baseline_that_is_not_an_evaluation_is_a_usage_error(work: Path) -> None:
    other = work / "other.json"
    other.write_text('{"schema": "https://example.org/something"}', encoding="utf-8")
    broken = work / "broken.json"
    broken.write_text("{nope", encoding="utf-8")
    for baseline, words in (
        (other, "not an assay evaluation"),
        (broken, "not valid JSON"),
        (work / "missing.json", "missing"),
    ):
        args = ("report", work / "fw-2.0.json", "-f", "html", "--baseline", baseline)
        assert_usage_error(assay(*args, "-o", work / "x.html", cwd=work), *words.split())
        assert not (work / "x.html").exists()
    out = work / "refused"
    done = assay("scan", work / "fw-2.0", "-o", out, "--baseline", other, cwd=work)
    assert_usage_error(done, "not an assay evaluation")
    assert not out.exists()  # refused before anything was scanned or written


def test_a_baseline_whose_records_are_malformed_is_a_usage_error(work: Path) -> None:
    document = json.loads((work / "fw-1.0.json").read_text(encoding="utf-8"))
    document["components"][0].pop("product")
    malformed = work / "malformed.json"
    malformed.write_text(json.dumps(document), encoding="utf-8")
    done = assay("report", work / "fw-2.0.json", "-f", "html", "--baseline", malformed, cwd=work)
    assert_usage_error(done, "malformed.json", "`product` is missing")


def test_scan_with_a_baseline_changes_only_the_html(work: Path) -> None:
    plain, compared = work / "scan-plain", work / "scan-compared"
    assert assay("scan", work / "fw-2.0", "-o", plain, cwd=work).returncode == 0
    done = assay(
        "scan", work / "fw-2.0", "-o", compared, "--baseline", work / "fw-1.0.json", cwd=work
    )
    assert done.returncode == 0, done.stderr
    assert changes_facts(compared / "report.html")["changes-facts-files"] == (
        "4 added, 2 removed, 4 changed, 1 unchanged"
    )
    assert not changes_facts(plain / "report.html")
    before = json.loads((plain / "evaluation.json").read_text(encoding="utf-8"))
    after = json.loads((compared / "evaluation.json").read_text(encoding="utf-8"))
    assert after.keys() == before.keys()
    for document in (before, after):  # timings differ from run to run
        for volatile in ("started", "finished", "stages"):
            document.pop(volatile)
        document["facts"]["census"].pop("throughput")
    assert after == before
    sarif = (compared / "report.sarif").read_text(encoding="utf-8")
    assert "fw-1.0" not in sarif


def test_diff_writes_the_new_release_report_with_the_changes(work: Path) -> None:
    out = work / "diff.html"
    done = assay("diff", work / "fw-1.0.json", work / "fw-2.0.json", "--html", out, cwd=work)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1].startswith("release fw-2.0 vs fw-1.0")
    page = parse(out.read_text(encoding="utf-8"))
    assert page.text("release-name") == "fw-2.0"
    assert page.text("changes-facts-secret") == "1 new, 0 removed"
    unwritable = work / "no-such-folder" / "diff.html"
    args = ("diff", work / "fw-1.0.json", work / "fw-2.0.json", "--html", unwritable)
    assert_usage_error(assay(*args, cwd=work), "cannot write")
