"""The network HTML report (`assay network check --html`): verdict, violations, the access share
per operator against the cap, the timeline of deadlines with and without a plan, hostile text
kept as text, the evaluation report's Content-Security-Policy, and a render in Chromium."""

import dataclasses
import json
import re
import subprocess
from datetime import date
from pathlib import Path

import pytest

from assay.network.check import check
from assay.network.inventory import load_inventory
from assay.network.model import Metric, RuleKind, SiteClass, Source
from assay.network.plan import load_plan
from assay.network.profiles import resolve_profile
from assay.network.projection import project
from assay.report.html.network_page import NetworkPage, render_network_page
from tests.factories.network import HIGH_RISK_VENDOR, AccessMix, make_inventory, write_rows
from tests.network import check_support as build
from tests.report.html_support import chromium, csp_hash, parse
from tests.test_cli import assay

AT = date(2024, 6, 1)
EARLY = (date(2019, 1, 1), date(2021, 12, 31))
HOSTILE_ID = "<script>document.body.setAttribute('data-pwned','1')</script>"
HOSTILE_TITLE = "<img src=x onerror=document.body.setAttribute('data-pwned','2')>"
DVD_DEADLINES = {
    "dvd-no-5g-installs": "2022-10-13",
    "dvd-sensitive-sites": "2023-01-28",
    "dvd-5g-access-cap": "2023-07-31",
    "dvd-fibre-access-cap": "2023-10-31",
    "dvd-core": "2023-12-31",
    "dvd-5g-removal": "2027-12-31",
}
PROBE = """
window.addEventListener("load", function () {
  var result = {charts: {}, caps: document.querySelectorAll("svg.chart line.cap").length};
  document.querySelectorAll("svg.chart").forEach(function (svg) {
    var box = svg.getBBox();
    result.charts[svg.getAttribute("data-chart")] = [box.width, box.height];
  });
  var table = document.getElementById("violations-table");
  table.tHead.rows[0].cells[4].click();
  result.sorted = Array.prototype.map.call(table.tBodies[0].rows, function (row) {
    return Number(row.cells[4].getAttribute("data-sort"));
  });
  var out = document.createElement("pre");
  out.id = "probe";
  out.textContent = JSON.stringify(result);
  document.body.appendChild(out);
});
"""


def _rows(tmp_path: Path) -> list[dict[str, object]]:
    """Albion over the 5G cap by sites, a high-risk UPF and a high-risk gNB at a nuclear site
    whose id is a script."""
    rows = make_inventory(
        install_dates=EARLY,
        access={"Albion Mobile": AccessMix(36.0, 30.0, 30.0)},
        upf_vendor=HIGH_RISK_VENDOR,
        sensitive_site_class="nuclear",
    )
    sensitive = next(row for row in rows if row["site_class"] == "nuclear")
    sensitive["id"] = HOSTILE_ID
    write_rows(tmp_path / "inventory.csv", rows)
    return rows


@pytest.fixture
def inventory_path(tmp_path: Path) -> Path:
    _rows(tmp_path)
    return tmp_path / "inventory.csv"


def _page(inventory_path: Path, plan: Path | None = None) -> str:
    profile = resolve_profile("uk-dvd-2022")
    inventory = load_inventory(inventory_path)
    result = check(inventory, profile, AT)
    projection = project(inventory, profile, load_plan(plan, inventory), AT) if plan else None
    return render_network_page(NetworkPage(result, projection, None, "inventory.csv"))


def test_verdict_and_violations_name_rule_elements_and_source(inventory_path: Path) -> None:
    html = _page(inventory_path)
    page = parse(html)
    assert page.text("verdict") == "uk-dvd-2022 on 2024-06-01: 3 violation(s) of 3 rule(s)"
    table = html.split('id="violations-table"', 1)[1].split("</table>", 1)[0]
    rows = table.split("<tr>")[2:]
    assert len(rows) == 3
    cap_row = next(row for row in rows if "dvd-5g-access-cap" in row)
    assert "Albion Mobile" in cap_row and 'data-sort="36"' in cap_row and "… +31 more" in cap_row
    assert 'href="https://www.gov.uk/' in cap_row
    core_row = next(row for row in rows if "dvd-core" in row)
    assert "albion-upf-1" in core_row and "UPF" in core_row


def test_access_share_per_operator_is_charted_against_the_cap(inventory_path: Path) -> None:
    page = parse(_page(inventory_path))
    charts = {svg.attrs["data-chart"] for svg in page.tags("svg")}
    assert charts == {"share-0", "share-1", "share-2", "share-3", "timeline"}
    text = "".join(page.texts)
    assert "Albion Mobile, 5G access: share of designated" in text
    assert "36.0 % over cap" in text and "cap 35 % (dvd-5g-access-cap)" in text
    caps = [line for line in page.tags("line") if line.attrs.get("class") == "cap"]
    assert len(caps) == 4
    bars = [rect for rect in page.tags("rect") if "mark" in rect.attrs.get("class", "")]
    over = [rect for rect in bars if "bad" in rect.attrs["class"]]
    assert len(bars) == 12 and len(over) == 1
    # The cap line sits at 35 % of the scale, the over-cap bar ends to its right.
    x_cap = float(caps[0].attrs["x1"])
    left = float(over[0].attrs["x"])
    assert left + float(over[0].attrs["width"]) > x_cap > left + float(over[0].attrs["width"]) * 0.9
    assert "sites" in page.text("shares-table") and "36.0 %" in page.text("shares-table")


def test_timeline_without_a_plan_is_enforced_or_upcoming(inventory_path: Path) -> None:
    page = parse(_page(inventory_path))
    timeline = page.text("figure-timeline")
    for rule, day in DVD_DEADLINES.items():
        status = "upcoming" if rule == "dvd-5g-removal" else "enforced"
        assert f"{day} {status}" in timeline, rule
    assert "checked 2024-06-01" in timeline
    marks = [c for c in page.tags("circle") if "milestone" in c.attrs.get("class", "")]
    assert len(marks) == len(DVD_DEADLINES)
    removal = page.text("deadlines-table")
    assert "dvd-5g-removal" in removal and "2027-12-31" in removal


def test_timeline_with_a_plan_shows_the_projection(tmp_path: Path) -> None:
    rows = _rows(tmp_path)
    listed = [r for r in rows if r["vendor"] == HIGH_RISK_VENDOR and r["network_type"] == "5G"]
    plan = "element,date,vendor\n" + "".join(
        f"{row['id']},2028-02-01,Nokia\n" for row in listed if row["id"] != HOSTILE_ID
    )
    (tmp_path / "plan.csv").write_text(plan, encoding="utf-8")
    page = parse(_page(tmp_path / "inventory.csv", tmp_path / "plan.csv"))
    timeline = page.text("figure-timeline")
    assert "2023-10-31 compliant" in timeline  # full fibre is at 10 %
    assert "2023-12-31 late" in timeline  # the UPF is swapped only in 2028
    # Albion's gNB at the nuclear site has no swap; Borealis swaps only after the deadline.
    assert "2027-12-31 late (1 late, 1 at-risk)" in timeline
    assert "dvd-5g-removal" in page.text("projection-table")
    assert "plan: " in page.text("verdict")


def test_hostile_ids_and_profile_text_stay_text(inventory_path: Path) -> None:
    html = _page(inventory_path)
    page = parse(html)
    assert len(page.tags("script")) == 1 and not page.tags("img")
    assert HOSTILE_ID in "".join(page.texts)
    hostile_source = Source("x", HOSTILE_TITLE, "<b>pub", date(2020, 1, 1), "javascript:alert(1)")
    profile = build.profile(
        build.rule(RuleKind.EXCLUDED_SITE, HOSTILE_TITLE, site_classes=(SiteClass.NUCLEAR,)),
        build.rule(RuleKind.ACCESS_SHARE_CAP, "cap", max_percent=35.0, metrics=(Metric.SITES,)),
    )
    profile = dataclasses.replace(profile, sources={"dvd": hostile_source}, title=HOSTILE_TITLE)
    elements = [
        build.element(HOSTILE_ID, "Huawei", site_class=SiteClass.NUCLEAR, operator="<i>op"),
        build.element("b", "Nokia", operator="<i>op"),
    ]
    result = check(build.inventory(*elements), profile, AT)
    hostile = render_network_page(NetworkPage(result, inventory=HOSTILE_TITLE))
    page = parse(hostile)
    assert len(page.tags("script")) == 1 and not page.tags("img") and not page.tags("i")
    assert not page.tags("b")
    assert "javascript:" not in "".join(a.attrs.get("href", "") for a in page.tags("a"))
    text = "".join(page.texts)
    assert HOSTILE_ID in text and HOSTILE_TITLE in text and "<i>op" in text


def test_nothing_is_fetched_and_only_the_own_script_and_style_apply(inventory_path: Path) -> None:
    html = _page(inventory_path)
    page = parse(html)
    assert not page.tags("link") and not page.tags("iframe")
    assert all("src" not in e.attrs for e in page.elements)
    scripts = re.findall(r"<script>(.*?)</script>", html, re.S)
    styles = re.findall(r"<style>(.*?)</style>", html, re.S)
    assert len(scripts) == 1 and len(styles) == 1 and "svg.chart .cap" in styles[0]
    policy = next(m.attrs["content"] for m in page.tags("meta") if "http-equiv" in m.attrs)
    assert policy.startswith("default-src 'none'; ")
    assert f"script-src {csp_hash(scripts[0])};" in policy
    assert f"style-src {csp_hash(styles[0])};" in policy


def _chromium_console(page: Path, work: Path) -> tuple[str, list[str]]:
    """The DOM Chromium ends with and every console message it logged."""
    argv = [
        chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
        f"--user-data-dir={work / 'profile'}", "--enable-logging=stderr", "--v=0",
        "--virtual-time-budget=5000", "--dump-dom", page.as_uri(),
    ]  # fmt: skip
    done = subprocess.run(argv, capture_output=True, text=True, timeout=180, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout, [line for line in done.stderr.splitlines() if ":CONSOLE" in line]


def test_chromium_renders_the_page_without_console_errors(
    inventory_path: Path, tmp_path: Path
) -> None:
    html = _page(inventory_path)
    html = html.replace("script-src ", f"script-src {csp_hash(PROBE)} ", 1)
    probed = tmp_path / "probed.html"
    probed.write_text(html.replace("</body>", f"<script>{PROBE}</script></body>", 1))
    dom, console = _chromium_console(probed, tmp_path)
    assert console == []
    page = parse(dom)
    assert not any("data-pwned" in e.attrs for e in page.elements)
    result = json.loads(page.text("probe"))
    assert set(result["charts"]) == {"share-0", "share-1", "share-2", "share-3", "timeline"}
    assert all(width > 200 and height > 60 for width, height in result["charts"].values())
    assert result["caps"] == 4
    assert result["sorted"] == sorted(result["sorted"]) and result["sorted"][-1] == 36
    tampered = tmp_path / "tampered.html"
    tampered.write_text(html.replace("<style>", "<style>body{color:red}", 1))
    _, console = _chromium_console(tampered, tmp_path)
    assert any("Content Security Policy" in line for line in console)


def test_cli_writes_the_page_and_an_unwritable_path_is_exit_2(
    inventory_path: Path, tmp_path: Path
) -> None:
    base = ("network", "check", "inventory.csv", "--profile", "uk-dvd-2022", "--at", "2024-06-01")
    done = assay(*base, "--html", "report.html", cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    page = parse((tmp_path / "report.html").read_text(encoding="utf-8"))
    assert page.text("verdict").endswith("3 violation(s) of 3 rule(s)")
    assert page.text("inventory") == "inventory.csv"
    done = assay(*base, "--html", "missing/dir/report.html", cwd=tmp_path)
    assert done.returncode == 2 and done.stderr.startswith("error: --html: cannot write")
