"""OpenVEX documents (spec v0.2.0, https://github.com/openvex/spec) read into VEX statements.

A statement names the vulnerability by `name`, `@id` (its last path segment, e.g. the CVE id of
an NVD URL) and `aliases`; its products by `@id` and `identifiers` (purl, cpe23, cpe22), and so
do their `subcomponents` (a product that is the release itself names nothing assay can see, its
subcomponents do). A statement's time is its `last_updated`, else its `timestamp`, else the
document's. v0.0.1 documents (vulnerability and products as plain strings) are read too.
"""

import re
from datetime import datetime
from typing import Any

from assay.model.vulnerability import Triage, TriageState
from assay.vuln.vex_statement import EPOCH, ProductRef, VexFile, VexStatement, parse_time, ref_for

FORMAT = "openvex"
CONTEXT_PREFIX = "https://openvex.dev/ns"
JUSTIFICATIONS = frozenset(
    {
        "component_not_present",
        "vulnerable_code_not_present",
        "vulnerable_code_not_in_execute_path",
        "vulnerable_code_cannot_be_controlled_by_adversary",
        "inline_mitigations_already_exist",
    }
)
IDENTIFIER_KEYS = ("purl", "cpe23", "cpe22", "@cpe23", "@cpe22")
# where a statement's free text sits, most telling first, by status
DETAIL_FIELDS = {
    TriageState.NOT_AFFECTED: ("impact_statement", "status_notes", "action_statement"),
    TriageState.AFFECTED: ("action_statement", "impact_statement", "status_notes"),
    TriageState.FIXED: ("status_notes", "impact_statement", "action_statement"),
    TriageState.UNDER_INVESTIGATION: ("status_notes", "impact_statement", "action_statement"),
}
LAST_SEGMENT = re.compile(r"[^/#:=?]+$")


def is_openvex(document: dict[str, Any]) -> bool:
    """Whether a JSON document is an OpenVEX document."""
    context = document.get("@context")
    return (isinstance(context, str) and context.startswith(CONTEXT_PREFIX)) or (
        "statements" in document and "bomFormat" not in document
    )


def read_openvex(document: dict[str, Any], source: str, file_number: int) -> VexFile:
    """The statements of an OpenVEX document; ValueError says what is wrong with it."""
    raw_statements = document.get("statements")
    if not isinstance(raw_statements, list):
        raise ValueError("`statements` is missing or not a list")
    issued = _time(document, "timestamp") or EPOCH
    statements: list[VexStatement] = []
    warnings: list[str] = [] if raw_statements else ["no statements"]
    for position, raw in enumerate(raw_statements):
        try:
            statement = _statement(raw, source, (issued, file_number, position), warnings)
        except ValueError as err:
            raise ValueError(f"statement {position + 1}: {err}") from None
        if statement is not None:
            statements.append(statement)
    return VexFile(source, FORMAT, tuple(statements), tuple(warnings))


def _statement(
    raw: Any, source: str, order: tuple[Any, int, int], warnings: list[str]
) -> VexStatement | None:
    if not isinstance(raw, dict):
        raise ValueError("not an object")
    name, aliases = _vulnerability(raw.get("vulnerability"))
    state = _status(raw.get("status"))
    justification = raw.get("justification")
    if justification is not None and justification not in JUSTIFICATIONS:
        raise ValueError(f"unknown justification {justification!r}")
    detail = next((raw[k] for k in DETAIL_FIELDS[state] if _text(raw.get(k))), None)
    if state is TriageState.NOT_AFFECTED and justification is None and detail is None:
        raise ValueError("not_affected needs a justification or an impact_statement")
    moment = _time(raw, "last_updated") or _time(raw, "timestamp") or order[0]
    products = _products(raw)
    label = f"statement {order[2] + 1} ({name})"
    if not products:
        warnings.append(f"{label}: names no product assay can match (purl, CPE or product key)")
        return None
    triage = Triage(state, justification, detail.strip() if detail else None, source)
    return VexStatement(name, aliases, products, triage, (moment, order[1], order[2]))


def _vulnerability(raw: Any) -> tuple[str, tuple[str, ...]]:
    if isinstance(raw, str) and raw.strip():  # v0.0.1
        return raw.strip(), ()
    if not isinstance(raw, dict):
        raise ValueError("`vulnerability` is missing or not an object")
    iri = raw.get("@id")
    from_iri = LAST_SEGMENT.search(iri.rstrip("/")) if isinstance(iri, str) else None
    names = [raw.get("name"), from_iri[0] if from_iri else None]
    aliases = raw.get("aliases") or []
    if not isinstance(aliases, list) or not all(_text(a) for a in aliases):
        raise ValueError("`vulnerability.aliases` is not a list of strings")
    found = [n.strip() for n in [*names, *aliases] if _text(n)]
    if not _text(raw.get("name")) and not from_iri:
        raise ValueError("the vulnerability has no `name`")
    unique = tuple(dict.fromkeys(found))
    return unique[0], unique[1:]


def _status(raw: Any) -> TriageState:
    try:
        return TriageState(raw)
    except ValueError:
        raise ValueError(f"unknown status {raw!r}") from None


def _products(raw: dict[str, Any]) -> tuple[ProductRef, ...]:
    products = raw.get("products") or []
    subcomponents = raw.get("subcomponents") or []  # v0.0.1: beside the products
    if not isinstance(products, list) or not isinstance(subcomponents, list):
        raise ValueError("`products` is not a list")
    refs: list[ProductRef] = []
    for product in [*products, *subcomponents]:
        refs.extend(_component_refs(product))
        nested = product.get("subcomponents") or [] if isinstance(product, dict) else []
        if not isinstance(nested, list):
            raise ValueError("`subcomponents` is not a list")
        for subcomponent in nested:
            refs.extend(_component_refs(subcomponent))
    return tuple(dict.fromkeys(refs))


def _component_refs(raw: Any) -> list[ProductRef]:
    if isinstance(raw, str):  # v0.0.1
        texts: list[Any] = [raw]
    elif isinstance(raw, dict):
        identifiers = raw.get("identifiers") or {}
        if not isinstance(identifiers, dict):
            raise ValueError("`identifiers` is not an object")
        texts = [raw.get("@id"), *(identifiers.get(k) for k in IDENTIFIER_KEYS)]
    else:
        raise ValueError("a product is neither an object nor a string")
    refs = []
    for text in texts:
        if text is None:
            continue
        if not isinstance(text, str):
            raise ValueError(f"product identifier {text!r} is not a string")
        try:
            ref = ref_for(text)
        except ValueError as err:
            raise ValueError(f"product identifier {text!r}: {err}") from None
        if ref is not None:
            refs.append(ref)
    return refs


def _time(raw: dict[str, Any], key: str) -> datetime | None:
    try:
        return parse_time(raw.get(key))
    except ValueError:
        raise ValueError(f"`{key}` is not an RFC 3339 timestamp: {raw.get(key)!r}") from None


def _text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())
