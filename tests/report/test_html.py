"""The HTML report: one self-contained file with the board summary, inline SVG charts and
sortable, filterable tables — checked structurally and in headless Chromium."""

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest

from assay.plugins import reporters
from assay.report.html.reporter import HtmlReporter
from assay.report.html.tables import MAX_ROWS
from tests.report.html_support import (
    IMG_NAME,
    RELEASE_NAME,
    SCRIPT_NAME,
    csp_hash,
    parse,
    run_chromium,
    scanned_document,
)

CHARTS = {"vulnerabilities-by-severity", "findings-by-severity", "kev", "epss", "hardening"}
CHARTS |= {"copies", "unsafe"}
PROBE = """
window.addEventListener("load", function () {
  var result = {charts: {}};
  document.querySelectorAll("svg.chart").forEach(function (svg) {
    var box = svg.getBBox();
    result.charts[svg.getAttribute("data-chart")] = [box.width, box.height];
  });
  var table = document.getElementById("vulnerabilities-table");
  var header = table.tHead.rows[0].cells[5];
  function column() {
    return Array.prototype.map.call(table.tBodies[0].rows, function (row) {
      return Number(row.cells[5].getAttribute("data-sort"));
    });
  }
  result.before = column();
  header.click();
  result.ascending = column();
  header.click();
  result.descending = column();
  result.sort = header.getAttribute("aria-sort");
  var input = document.querySelector('input[data-table="vulnerabilities-table"]');
  input.value = "bash";
  input.dispatchEvent(new Event("input"));
  result.visible = Array.prototype.filter.call(table.tBodies[0].rows, function (row) {
    return !row.hidden;
  }).map(function (row) { return row.cells[2].textContent; });
  var out = document.createElement("pre");
  out.id = "probe";
  out.textContent = JSON.stringify(result);
  document.body.appendChild(out);
});
"""


@pytest.fixture(scope="module")
def document(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return scanned_document(tmp_path_factory.mktemp("html"))


@pytest.fixture(scope="module")
def html(document: dict[str, Any]) -> str:
    return HtmlReporter().render_text(document)


def rows(html: str, table: str) -> int:
    body = html.split(f'id="{table}-table"', 1)[1].split("</tbody>", 1)[0]
    return body.count("<tr>") - 1  # the header row


def test_html_reporter_is_registered() -> None:
    html = next(r for r in reporters() if r.name == "html")
    assert (html.file_name, html.media_type) == ("report.html", "text/html")


def test_summary_states_the_verdict(document: dict[str, Any], html: str) -> None:
    page = parse(html)
    vulns = [v for v in document["vulnerabilities"] if v["open"]]
    kev = sum(1 for v in vulns if v["kev"])
    critical = sum(1 for v in vulns if v["severity"] == "critical")
    assert {v["cve"] for v in vulns} >= {"CVE-2014-6271", "CVE-2017-3735"}
    assert kev >= 1 and critical >= 1
    # of the two executables, /bin/true has partial RELRO, `<script>` has everything
    expected = (
        f"{len(vulns):,} open vulnerabilities, {kev:,} in CISA KEV, {critical:,} critical; "
        "0 private keys; hardening coverage 50 %"
    )
    assert page.text("verdict") == expected
    assert page.text("release-name") == RELEASE_NAME
    assert page.text("release-sha256") == document["release"]["sha256"]
    assert page.text("scan-date").startswith("20")
    snapshot = page.text("snapshot")
    assert "snapshot 2026-08-21, 97 days old" in snapshot and "run `assay db update`" in snapshot
    assert page.text("completeness").startswith("Complete: every part")


def test_every_section_chart_and_row_is_there(document: dict[str, Any], html: str) -> None:
    page = parse(html)
    charts = {svg.attrs["data-chart"] for svg in page.tags("svg")}
    assert charts == CHARTS  # no trend chart without a history
    for name, key in (("vulnerabilities", "vulnerabilities"), ("components", "components")):
        assert rows(html, name) == len(document[key]) > 0
    assert rows(html, "findings") == len(document["findings"]) > 0
    assert rows(html, "hardening") == len(document["facts"]["hardening"]["files"]) == 2
    # the version-string samples start with an ELF magic: the checks report them as corrupt
    assert rows(html, "problems") == len(document["problems"]) > 0
    assert "ELF not assessed" in page.text("problems")
    rules = {f["rule"] for f in document["findings"]}
    assert "config.debug.telnetd-shell" in rules
    assert "::respawn:/usr/sbin/telnetd -F -l /bin/sh" in page.text("findings")
    assert "https://nvd.nist.gov/vuln/detail/CVE-2014-6271" in {
        a.attrs.get("href") for a in page.tags("a")
    }
    copies = page.text("figure-copies")
    assert "OpenSSL 1.0.2k" in copies and "2 copies" in copies and "1 copy" in copies


def test_nothing_is_fetched_and_only_the_own_script_may_run(html: str) -> None:
    page = parse(html)
    assert not page.tags("link") and not page.tags("img") and not page.tags("iframe")
    assert all("src" not in e.attrs for e in page.elements)
    scripts = re.findall(r"<script>(.*?)</script>", html, re.S)
    styles = re.findall(r"<style>(.*?)</style>", html, re.S)
    assert len(scripts) == len(page.tags("script")) == 1 and len(styles) == 1
    policy = next(m.attrs["content"] for m in page.tags("meta") if "http-equiv" in m.attrs)
    assert policy.startswith("default-src 'none'; ")
    assert f"script-src {csp_hash(scripts[0])};" in policy
    assert f"style-src {csp_hash(styles[0])};" in policy


def test_hostile_file_names_are_text(html: str) -> None:
    page = parse(html)
    assert len(page.tags("script")) == 1 and not page.tags("img") and not page.tags("i")
    text = "".join(page.texts)
    assert f"/usr/sbin/{IMG_NAME}" in text
    assert f"/usr/bin/{SCRIPT_NAME}" in text
    assert RELEASE_NAME in page.text("release-name")


def test_trend_is_charted_only_from_a_history(document: dict[str, Any]) -> None:
    with_history = copy.deepcopy(document)
    with_history["history"] = [
        {
            "release": release,
            "date": f"2026-0{index + 1}-01T00:00:00Z",
            "by_severity": {"critical": index, "high": 2 * index, "medium": 5},
            "components": 10 + index,
            "hardening_coverage": 40.0 + 10 * index,
            "unsafe_ratio": 30.5 - index,
        }
        for index, release in enumerate(("1.0", "1.1", "<b>2.0"))
    ]
    page = parse(HtmlReporter().render_text(with_history))
    charts = {svg.attrs["data-chart"] for svg in page.tags("svg")}
    assert charts == CHARTS | {"trend-severity", "trend-counts", "trend-percent"}
    trend = page.text("figure-trend-percent")
    assert "<b>2.0" in trend and "60 %" in trend and "28.5 %" in trend
    assert not page.tags("b")


def test_large_releases_are_capped(document: dict[str, Any]) -> None:
    big = copy.deepcopy(document)
    template = big["vulnerabilities"][0]
    big["vulnerabilities"] = [
        {**template, "id": f"v{n}", "cve": f"CVE-2030-{n:05d}"} for n in range(MAX_ROWS + 500)
    ]
    html = HtmlReporter().render_text(big)
    assert rows(html, "vulnerabilities") == MAX_ROWS
    assert f"Showing the first 2,000 of {MAX_ROWS + 500:,} rows" in html


def probed(html: str, tmp_path: Path) -> Path:
    """The report with a probe script added and allowed by its Content-Security-Policy."""
    page = tmp_path / "probed.html"
    html = html.replace("script-src ", f"script-src {csp_hash(PROBE)} ", 1)
    page.write_text(html.replace("</body>", f"<script>{PROBE}</script></body>", 1))
    return page


def test_chromium_renders_charts_and_sorts(html: str, tmp_path: Path) -> None:
    report = tmp_path / "report.html"
    report.write_text(html)
    screenshot = tmp_path / "report.png"
    run_chromium(report, tmp_path, f"--screenshot={screenshot}")
    assert screenshot.stat().st_size > 10_000
    print(f"screenshot: {screenshot}")
    result = json.loads(
        parse(run_chromium(probed(html, tmp_path), tmp_path, "--dump-dom")).text("probe")
    )
    assert set(result["charts"]) == CHARTS
    assert all(width > 100 and height > 50 for width, height in result["charts"].values())
    assert result["ascending"] == sorted(result["before"]) != result["before"]
    assert result["descending"] == sorted(result["before"], reverse=True)
    assert result["sort"] == "descending"
    assert result["visible"] and set(result["visible"]) == {"bash"}


def test_chromium_runs_no_hostile_name_even_without_the_policy(html: str, tmp_path: Path) -> None:
    unguarded = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", html)
    assert unguarded != html
    report = tmp_path / "unguarded.html"
    report.write_text(unguarded)
    page = parse(run_chromium(report, tmp_path, "--dump-dom"))
    assert not any("data-pwned" in e.attrs for e in page.elements)
    assert not page.tags("img") and len(page.tags("script")) == 1
    text = "".join(page.texts)
    assert IMG_NAME in text and f"/usr/bin/{SCRIPT_NAME}" in text
