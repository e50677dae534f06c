"""The self-contained HTML report: one file that works offline (CSS, SVG charts and a little
JavaScript all inline, no network fetch of any kind), rendered from the evaluation document.
A Content-Security-Policy allows only the report's own script and style. Given a baseline (the
evaluation of an older release), the report also has a "Changes since <old release>" section."""

import base64
import hashlib
from datetime import UTC, date, datetime
from importlib.resources import files
from typing import Any, BinaryIO, ClassVar

from jinja2 import Environment, PackageLoader
from markupsafe import Markup

from assay.report.base import EvaluationDocument, Reporter
from assay.report.html.changes import changes
from assay.report.html.figures import figures
from assay.report.html.summary import (
    COVERAGE_RULE,
    completeness,
    count_by_severity,
    percent_text,
    verdict,
)
from assay.report.html.tables import MAX_ROWS, tables
from assay.report.metrics import SEVERITIES, open_vulnerabilities

TEMPLATES = files("assay.report.html") / "templates"


def _asset(name: str) -> str:
    return (TEMPLATES / name).read_text(encoding="utf-8")


def _digest(text: str) -> str:
    return (
        "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"
    )


def content_security_policy(script: str, style: str) -> str:
    """Nothing may load; only the report's own inline script and style (by hash) run."""
    return (
        f"default-src 'none'; script-src {_digest(script)}; style-src {_digest(style)}; "
        "img-src data:; base-uri 'none'; form-action 'none'"
    )


def _snapshot(document: EvaluationDocument) -> dict[str, Any]:
    vulndata = document.get("vulndata") or {}
    return {
        "date": vulndata.get("snapshot_date"),
        "age_days": vulndata.get("age_days"),
        "warning": vulndata.get("warning"),
    }


def _scan_date(document: EvaluationDocument) -> str:
    stamp = str(document.get("finished") or document.get("started") or "")
    try:
        return (
            datetime.fromisoformat(stamp.replace("Z", "+00:00")).astimezone(UTC).date().isoformat()
        )
    except ValueError:
        return stamp or date.today().isoformat()


class HtmlReporter(Reporter):
    """`report.html`: summary, charts, sortable and filterable tables with the evidence; with a
    `baseline` evaluation document, the changes since that release as well."""

    name: ClassVar[str] = "html"
    media_type: ClassVar[str] = "text/html"
    file_name: ClassVar[str] = "report.html"

    def __init__(self, baseline: EvaluationDocument | None = None) -> None:
        self.baseline = baseline
        self._environment = Environment(
            loader=PackageLoader("assay.report.html", "templates"),
            autoescape=True,
            trim_blocks=True,
            lstrip_blocks=True,
        )

    def render(self, document: EvaluationDocument, out: BinaryIO) -> None:
        """Write the HTML report of one evaluation document."""
        out.write(self.render_text(document).encode("utf-8"))

    def render_text(self, document: EvaluationDocument) -> str:
        """The HTML report as text; `assay.diff.keys.DiffInputError` when the baseline or the
        document is not an evaluation the release comparison can read."""
        script, style = _asset("report.js"), _asset("report.css")
        template = self._environment.get_template("report.html.j2")
        return template.render(
            document=document,
            release=document.get("release") or {},
            tool=document.get("tool") or {},
            scan_date=_scan_date(document),
            verdict=verdict(document),
            completeness=completeness(document),
            snapshot=_snapshot(document),
            vulnerability_counts=count_by_severity(open_vulnerabilities(document)),
            severities=SEVERITIES,
            coverage_rule=COVERAGE_RULE,
            percent_text=percent_text,
            figures=figures(document),
            tables=tables(document),
            changes=changes(self.baseline, document) if self.baseline is not None else None,
            max_rows=MAX_ROWS,
            csp=content_security_policy(script, style),
            script=Markup(script),
            style=Markup(style),
        )
