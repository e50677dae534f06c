"""The HTML report's "Changes since <old release>" section, rendered for a release pair built and
scanned here (tests/diff/support.py): exact content, no section without a baseline, still
self-contained and CSP-clean, and drawn by headless Chromium."""

import copy
import html as markup
import json
import re
from pathlib import Path
from typing import Any

import pytest

from assay.diff import compare_evaluations
from assay.diff.keys import DiffInputError
from assay.report.html.reporter import HtmlReporter
from tests.diff.support import release_1, release_2, scanned
from tests.report.html_support import csp_hash, parse, run_chromium

Pair = tuple[dict[str, Any], dict[str, Any]]
CHANGE_CHARTS = {"changes-vulnerabilities", "changes-hardening"}
PROBE = """
window.addEventListener("load", function () {
  var result = {charts: {}};
  document.querySelectorAll("#changes svg.chart").forEach(function (svg) {
    var box = svg.getBBox();
    result.charts[svg.getAttribute("data-chart")] = [box.width, box.height];
  });
  var table = document.getElementById("changes-files-table");
  table.tHead.rows[0].cells[1].click();
  result.files = Array.prototype.map.call(table.tBodies[0].rows, function (row) {
    return row.cells[1].textContent;
  });
  var out = document.createElement("pre");
  out.id = "probe";
  out.textContent = JSON.stringify(result);
  document.body.appendChild(out);
});
"""


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Pair:
    work = tmp_path_factory.mktemp("pair")
    return scanned(release_1(work / "fw-1.0")), scanned(release_2(work / "fw-2.0"))


@pytest.fixture(scope="module")
def page_html(pair: Pair) -> str:
    return HtmlReporter(baseline=pair[0]).render_text(pair[1])


def table_rows(html: str, name: str) -> list[tuple[str, ...]]:
    """The text of every cell of every body row of one table."""
    body = html.split(f'id="{name}-table"', 1)[1].split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    rows = re.findall(r"<tr>(.*?)</tr>", body, re.S)
    return [
        tuple(
            " ".join(markup.unescape(re.sub(r"<[^>]+>", " ", cell)).split())
            for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        )
        for row in rows
    ]


def test_the_section_states_every_change(pair: Pair, page_html: str) -> None:
    page = parse(page_html)
    diff = compare_evaluations(*pair)
    assert [h for h in re.findall(r"<h2>(.*?)</h2>", page_html)][1] == "Changes since fw-1.0"
    assert page.text("changes-verdict").startswith("release fw-2.0 vs fw-1.0: +1 −0 components")
    assert page.text("changes-facts-baseline") == f"fw-1.0 (SHA-256 {pair[0]['release']['sha256']})"
    assert page.text("changes-facts-components") == (
        "1 added, 0 removed, 2 upgraded, 0 downgraded, 0 changed"
    )
    fixed_kev = sum(1 for v in diff.vulns_fixed if v.kev)
    assert fixed_kev >= 1
    assert page.text("changes-facts-vulnerabilities") == (
        f"{len(diff.vulns_fixed)} fixed ({fixed_kev} KEV), {len(diff.vulns_new)} new (0 KEV), "
        f"{len(diff.vulns_open)} still open (0 KEV)"
    )
    assert page.text("changes-facts-hardening") == (
        "1 regression, 0 improvements; coverage 100 % → 0 %"
    )
    assert page.text("changes-facts-secret") == "1 new, 0 removed"
    assert page.text("changes-facts-service") == "1 new, 0 removed"
    assert page.text("changes-facts-setuid") == "0 new, 0 removed"
    assert page.text("changes-facts-silent").startswith("1 file whose content changed")
    assert page.text("changes-facts-files") == "4 added, 2 removed, 4 changed, 1 unchanged"
    assert "changes-incomplete" not in page.by_id


def test_the_tables_list_the_release_pair_exactly(pair: Pair, page_html: str) -> None:
    assert table_rows(page_html, "changes-components") == [
        ("upgraded", "GNU Bash bash", "4.3.0", "4.3.30"),
        ("added", "BusyBox busybox", "—", "1.19.4"),
        ("upgraded", "OpenSSL openssl", "1.0.2k", "1.1.1w"),
    ]
    assert table_rows(page_html, "changes-hardening") == [
        ("regression", "/usr/sbin/agent", "relro", "full", "none")
    ]
    assert ("relro", "executables", "100 %", "0 %", "worse") in table_rows(
        page_html, "changes-coverage"
    )
    assert table_rows(page_html, "changes-findings") == [
        (
            "new", "secret", "high", "secret.private-key", "Private key",
            "/etc/ssl/private/device.key",
        ),
        (
            "new", "service", "critical", "config.debug.telnetd-shell",
            "Telnet root shell started at boot", "/etc/inittab",
        ),
    ]  # fmt: skip
    [silent] = table_rows(page_html, "changes-silent")
    assert silent[:2] == ("/usr/sbin/dropbear", "dropbear 2022.83")
    assert silent[2] != silent[3] and len(silent[2]) == len(silent[3]) == 64
    assert table_rows(page_html, "changes-files") == [
        ("added", "/bin/busybox"),
        ("added", "/etc/new.conf"),
        ("added", "/etc/ssl/private/device.key"),
        ("added", "/usr/lib/libcrypto.so.1.1"),
        ("removed", "/etc/old.conf"),
        ("removed", "/usr/lib/libcrypto.so.1.0.0"),
        ("changed", "/bin/bash"),
        ("changed", "/etc/inittab"),
        ("changed", "/usr/sbin/agent"),
        ("changed", "/usr/sbin/dropbear"),
    ]
    vulns = table_rows(page_html, "changes-vulnerabilities")
    diff = compare_evaluations(*pair)
    assert len(vulns) == len(diff.vulns_new) + len(diff.vulns_fixed) + len(diff.vulns_open)
    shellshock = next(row for row in vulns if row[1] == "CVE-2014-6271")
    assert shellshock == ("fixed", "CVE-2014-6271", "critical", "bash", "KEV", "4.3.0", "—")
    assert ("new", "CVE-2024-2511") in {row[:2] for row in vulns}
    assert {row[0] for row in vulns} == {"new", "fixed", "still open"}


def test_the_charts_count_the_same_changes(pair: Pair, page_html: str) -> None:
    page = parse(page_html)
    charts = {svg.attrs["data-chart"] for svg in page.tags("svg")}
    assert charts >= CHANGE_CHARTS
    diff = compare_evaluations(*pair)
    critical = [
        sum(1 for v in pool if v.severity == "critical")
        for pool in (diff.vulns_fixed, diff.vulns_new, diff.vulns_open)
    ]
    titles = re.findall(
        r"<title>(critical, [a-z]+: [0-9,]+)</title>",
        page_html.split('data-chart="changes-vulnerabilities"', 1)[1],
    )
    assert titles[:3] == [
        f"critical, {status}: {count}"
        for status, count in zip(("fixed", "new", "open"), critical, strict=True)
    ]
    hardening = page.text("figure-changes-hardening")
    for text in ("coverage (all four), old", "relro — executables, new", "100 %", "0 %"):
        assert text in hardening


def test_no_section_without_a_baseline(pair: Pair) -> None:
    html = HtmlReporter().render_text(pair[1])
    page = parse(html)
    assert "changes" not in page.by_id and "Changes since" not in html
    assert not CHANGE_CHARTS & {svg.attrs["data-chart"] for svg in page.tags("svg")}


def test_a_baseline_that_is_no_evaluation_is_refused(pair: Pair) -> None:
    with pytest.raises(DiffInputError, match="old: not an assay evaluation"):
        HtmlReporter(baseline={"schema": "other"}).render_text(pair[1])


def test_the_page_stays_self_contained_and_hostile_labels_are_text(pair: Pair) -> None:
    baseline = copy.deepcopy(pair[0])
    hostile = "<img src=x onerror=alert(1)>"
    baseline["release"]["name"] = hostile
    html = HtmlReporter(baseline=baseline).render_text(pair[1])
    page = parse(html)
    assert not page.tags("img") and not page.tags("link") and not page.tags("iframe")
    assert all("src" not in e.attrs for e in page.elements)
    scripts = re.findall(r"<script>(.*?)</script>", html, re.S)
    styles = re.findall(r"<style>(.*?)</style>", html, re.S)
    assert len(scripts) == len(page.tags("script")) == 1 and len(styles) == 1
    policy = next(m.attrs["content"] for m in page.tags("meta") if "http-equiv" in m.attrs)
    assert f"script-src {csp_hash(scripts[0])};" in policy
    assert f"style-src {csp_hash(styles[0])};" in policy
    assert page.text("changes-facts-baseline").startswith(hostile)
    ids = [e.attrs["id"] for e in page.elements if "id" in e.attrs]
    assert len(ids) == len(set(ids))


def test_incomplete_sides_are_named(pair: Pair) -> None:
    baseline = copy.deepcopy(pair[0])
    baseline["summary"]["complete"] = False
    page = parse(HtmlReporter(baseline=baseline).render_text(pair[1]))
    assert "the baseline's evaluation did not cover" in page.text("changes-incomplete")


def test_chromium_draws_the_changes_and_sorts_their_tables(page_html: str, tmp_path: Path) -> None:
    report = tmp_path / "report.html"
    report.write_text(page_html)
    screenshot = tmp_path / "changes.png"
    run_chromium(report, tmp_path, f"--screenshot={screenshot}")
    assert screenshot.stat().st_size > 10_000
    probed = page_html.replace("script-src ", f"script-src {csp_hash(PROBE)} ", 1)
    page = tmp_path / "probed.html"
    page.write_text(probed.replace("</body>", f"<script>{PROBE}</script></body>", 1))
    result = json.loads(parse(run_chromium(page, tmp_path, "--dump-dom")).text("probe"))
    assert set(result["charts"]) == CHANGE_CHARTS
    assert all(width > 100 and height > 50 for width, height in result["charts"].values())
    assert result["files"] == sorted(result["files"]) and len(result["files"]) == 10
