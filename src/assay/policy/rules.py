"""Each policy rule read against an evaluation.json document: the items that break it, or why
the document cannot tell (the data the rule needs is missing — such a rule fails)."""

import fnmatch
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from assay.model.finding import Severity
from assay.policy.schema import Policy

Document = dict[str, Any]
PRIVATE_KEY_RULES = ("secret.private-key*", "secret.ssh-host-key", "cert.ca-with-key")
EOL_RULE = "component.end-of-life"
NOT_RUN = ("skipped", "failed")
CVSS_PREFERENCE = ("3.1", "3.0", "4.0", "2.0")


@dataclass(frozen=True, slots=True)
class Item:
    """Something that breaks a rule: `id` (a CVE, a finding id, `min_hardening.canary`…) and a
    sentence saying what and where; `keys` are what a waiver's id is matched against."""

    id: str
    detail: str
    keys: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Check:
    """A rule's reading of the document before waivers: the offending items, the sentence for
    each outcome (`{n}` is the number of items left), or `unavailable` when it cannot tell."""

    items: tuple[Item, ...]
    failing: str
    passing: str
    unavailable: str | None = None


def _not_run(document: Document, stage: str) -> bool:
    statuses = [s.get("status") for s in document.get("stages", []) if s.get("name") == stage]
    return not statuses or statuses[0] in NOT_RUN


def _vulns_unavailable(document: Document) -> str | None:
    if document.get("vulndata") is None or _not_run(document, "vulnerabilities"):
        return "vulnerabilities were not matched (scanned with --no-vulns, or the stage failed)"
    return None


def _findings_unavailable(document: Document) -> str | None:
    if _not_run(document, "checks"):
        return "the checks did not run, so there are no findings to judge"
    return None


def cvss_score(vulnerability: Document) -> float | None:
    """The score behind the severity: CVSS v3, else v4, else v2 (None without any)."""
    scores = {str(r.get("version")): r.get("score") for r in vulnerability.get("ratings", [])}
    for version in CVSS_PREFERENCE:
        if isinstance(scores.get(version), int | float):
            return float(scores[version])
    return None


def _vuln_item(vulnerability: Document) -> Item:
    score = cvss_score(vulnerability)
    epss = vulnerability.get("epss") or {}
    facts = [str(vulnerability.get("severity", "?"))]
    if score is not None:
        facts.append(f"CVSS {score:g}")
    if epss.get("score") is not None:
        facts.append(f"EPSS {epss['score']:.3f}")
    if vulnerability.get("kev"):
        facts.append("in KEV")
    triage = (vulnerability.get("triage") or {}).get("state")
    facts.append(f"triage {triage}" if triage else "untriaged")
    cve = str(vulnerability.get("cve", vulnerability.get("id", "?")))
    detail = f"{vulnerability.get('product')} {vulnerability.get('version')}: " + ", ".join(facts)
    return Item(cve, detail, (cve, str(vulnerability.get("id", ""))))


def _open_vulns(document: Document, keep: Callable[[Document], bool]) -> tuple[Item, ...]:
    return tuple(
        _vuln_item(v)
        for v in document.get("vulnerabilities", [])
        if v.get("open", True) and keep(v)
    )


def _finding_item(finding: Document) -> Item:
    places = [str(e.get("location", "")) for e in finding.get("evidence", [])]
    where = places[0] + (f" (+{len(places) - 1} more)" if len(places) > 1 else "") if places else ""
    rule, severity = str(finding.get("rule")), finding.get("severity")
    detail = f"{rule} ({severity}) {finding.get('title', '')}" + (f" — {where}" if where else "")
    return Item(str(finding.get("id")), detail, (str(finding.get("id")), rule))


def _findings(document: Document, keep: Callable[[Document], bool]) -> tuple[Item, ...]:
    return tuple(_finding_item(f) for f in document.get("findings", []) if keep(f))


def _rule_in(rule: object, patterns: Iterable[str]) -> bool:
    return any(fnmatch.fnmatchcase(str(rule), pattern) for pattern in patterns)


def _severity(label: object) -> Severity:
    try:
        return Severity.from_label(str(label))
    except ValueError:
        return Severity.MEDIUM  # the document's own rule for a CVE without a score


def fail_on_kev(policy: Policy, document: Document) -> Check | None:
    """Any open vulnerability listed in CISA KEV."""
    if not policy.fail_on_kev:
        return None
    items = _open_vulns(document, lambda v: bool(v.get("kev")))
    return Check(
        items,
        "{n} open vulnerabilities are known exploited (CISA KEV)",
        "no open vulnerability is in CISA KEV",
        _vulns_unavailable(document),
    )


def max_cvss(policy: Policy, document: Document) -> Check | None:
    """Any open vulnerability with a CVSS score at or above the limit."""
    limit = policy.max_cvss
    if limit is None:
        return None
    items = _open_vulns(document, lambda v: (cvss_score(v) or -1.0) >= limit)
    return Check(
        items,
        f"{{n}} open vulnerabilities have CVSS ≥ {limit:g}",
        f"no open vulnerability has CVSS ≥ {limit:g}",
        _vulns_unavailable(document),
    )


def max_severity(policy: Policy, document: Document) -> Check | None:
    """Any open vulnerability or any finding at or above the severity."""
    threshold = policy.severity_threshold
    if threshold is None:
        return None
    at_least = threshold.label
    vulns = _open_vulns(document, lambda v: _severity(v.get("severity")) >= threshold)
    findings = _findings(document, lambda f: _severity(f.get("severity")) >= threshold)
    unavailable = _vulns_unavailable(document) or _findings_unavailable(document)
    return Check(
        vulns + findings,
        f"{{n}} open vulnerabilities or findings are {at_least} or above",
        f"no open vulnerability or finding is {at_least} or above",
        unavailable,
    )


def max_epss(policy: Policy, document: Document) -> Check | None:
    """Any open vulnerability whose EPSS probability is at or above the limit."""
    limit = policy.max_epss
    if limit is None:
        return None
    items = _open_vulns(document, lambda v: ((v.get("epss") or {}).get("score") or 0.0) >= limit)
    return Check(
        items,
        f"{{n}} open vulnerabilities have EPSS ≥ {limit:g}",
        f"no open vulnerability has EPSS ≥ {limit:g}",
        _vulns_unavailable(document),
    )


def _shipped_private_key(finding: Document) -> bool:
    if not _rule_in(finding.get("rule"), PRIVATE_KEY_RULES):
        return False
    in_context = "context" in (finding.get("properties") or {})
    return _severity(finding.get("severity")) > Severity.INFO and not in_context


def fail_on_private_keys(policy: Policy, document: Document) -> Check | None:
    """Any private key shipped as the product's own (not a test, example or library's key)."""
    if not policy.fail_on_private_keys:
        return None
    return Check(
        _findings(document, _shipped_private_key),
        "{n} private-key findings (keys shipped in the release)",
        "no private key is shipped (outside test, documentation or library contexts)",
        _findings_unavailable(document),
    )


def fail_on_eol(policy: Policy, document: Document) -> Check | None:
    """Any component past its end of life."""
    if not policy.fail_on_eol:
        return None
    return Check(
        _findings(document, lambda f: f.get("rule") == EOL_RULE),
        "{n} components are past their end of life",
        "no component is past its end of life",
        _findings_unavailable(document),
    )


def forbidden_rules(policy: Policy, document: Document) -> Check | None:
    """Any finding whose rule id matches one of the patterns."""
    patterns = policy.forbidden_rules
    if not patterns:
        return None
    return Check(
        _findings(document, lambda f: _rule_in(f.get("rule"), patterns)),
        "{n} findings of forbidden rules (" + ", ".join(patterns) + ")",
        "no finding of a forbidden rule (" + ", ".join(patterns) + ")",
        _findings_unavailable(document),
    )
