"""An OpenVEX v0.2.0 document of an evaluation's vulnerabilities, for a lab to edit and feed back
with `--vex`: one statement per vulnerability and product, its triage state if triaged, else
`under_investigation`.

A statement names the product by its purl without version (so the decision carries to the next
release) and by each versioned purl it was found with. When the versions of one product were
triaged differently, each gets a statement of its own naming only its versioned purl — a
version-less one would make the last of them decide for all.
"""

import json
import re
from datetime import UTC, datetime
from typing import Any
from uuid import NAMESPACE_URL, uuid5

from assay.model.component import Component
from assay.model.evaluation import Evaluation
from assay.model.vulnerability import Triage, TriageState, Vulnerability
from assay.vuln.vex_openvex import DETAIL_FIELDS
from assay.vuln.vex_statement import effective_purl, generic_purl, versionless_purl

CONTEXT = "https://openvex.dev/ns/v0.2.0"
ID_NAMESPACE = uuid5(NAMESPACE_URL, "https://assay.dev/vex")
CVE_ID = re.compile(r"^CVE-\d{4}-\d+$", re.IGNORECASE)
NO_ACTION = "No remediation has been decided yet."
NO_IMPACT = "Not affected (the decision recorded no justification)."

Decision = tuple[TriageState, str | None, str | None]


def vulnerability_source(ident: str) -> tuple[str, str]:
    """Who publishes a vulnerability id and where: NVD for CVE ids, else OSV."""
    if CVE_ID.match(ident):
        return "NVD", f"https://nvd.nist.gov/vuln/detail/{ident.upper()}"
    return "OSV", f"https://osv.dev/vulnerability/{ident}"


def export_openvex(evaluation: Evaluation, author: str, now: datetime) -> dict[str, Any]:
    """The OpenVEX document (a JSON-ready dict) of the evaluation's vulnerabilities. Without any
    vulnerability its `statements` are empty, which the OpenVEX schema does not allow."""
    components = {c.id: c for c in evaluation.components}
    groups: dict[tuple[str, str], list[tuple[Vulnerability, str]]] = {}
    for vulnerability in evaluation.vulnerabilities:
        family, versioned = product_ids(vulnerability, components.get(vulnerability.component))
        groups.setdefault((vulnerability.cve, family), []).append((vulnerability, versioned))
    statements: dict[str, dict[str, Any]] = {}
    for (_, family), members in groups.items():
        decisions = {decision(v.triage) for v, _ in members}
        if len(decisions) == 1:
            ids = [family, *dict.fromkeys(versioned for _, versioned in members)]
            _add(statements, _statement(members[0][0], decisions.pop(), ids))
            continue
        for vulnerability, versioned in members:
            _add(statements, _statement(vulnerability, decision(vulnerability.triage), [versioned]))
    moment = now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {
        "@context": CONTEXT,
        "@id": f"urn:uuid:{uuid5(ID_NAMESPACE, f'{evaluation.release.id}|{moment}')}",
        "author": author,
        "timestamp": moment,
        "version": 1,
        "tooling": f"assay {evaluation.tool_version}",
        "statements": list(statements.values()),
    }


def product_ids(vulnerability: Vulnerability, component: Component | None) -> tuple[str, str]:
    """How a statement names the vulnerable product: (every version, this version) — purls,
    else the assay product key and `key@version`."""
    if component is not None:
        purl = effective_purl(component)
    else:
        purl = generic_purl(vulnerability.product, vulnerability.version)
    if purl:
        return versionless_purl(purl), purl
    return vulnerability.product, f"{vulnerability.product}@{vulnerability.version}"


def decision(triage: Triage | None) -> Decision:
    """What a triage decides (its source aside); no triage is under investigation."""
    if triage is None:
        return (TriageState.UNDER_INVESTIGATION, None, None)
    return (triage.state, triage.justification, triage.detail)


def _statement(vulnerability: Vulnerability, decided: Decision, ids: list[str]) -> dict[str, Any]:
    state, justification, detail = decided
    name, url = vulnerability.cve, vulnerability_source(vulnerability.cve)[1]
    subject: dict[str, Any] = {"@id": url, "name": name}
    if vulnerability.description:
        subject["description"] = vulnerability.description
    statement: dict[str, Any] = {
        "vulnerability": subject,
        "products": [_product(i) for i in ids],
        "status": state.value,
    }
    if justification:
        statement["justification"] = justification
    if state is TriageState.NOT_AFFECTED and not justification:
        detail = detail or NO_IMPACT
    if state is TriageState.AFFECTED:
        detail = detail or NO_ACTION
    if detail:
        statement[DETAIL_FIELDS[state][0]] = detail
    return statement


def _product(ident: str) -> dict[str, Any]:
    product: dict[str, Any] = {"@id": ident}
    if ident.startswith("pkg:"):
        product["identifiers"] = {"purl": ident}
    return product


def _add(statements: dict[str, Any], statement: dict[str, Any]) -> None:
    key = json.dumps(statement, sort_keys=True)
    statements.setdefault(key, statement)
