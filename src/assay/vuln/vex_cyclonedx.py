"""CycloneDX VEX (a BOM, spec 1.4 or later, JSON, whose `vulnerabilities` carry an `analysis`)
read into VEX statements, and the mapping between CycloneDX analysis and OpenVEX terms.

States, CycloneDX → OpenVEX: `not_affected` and `false_positive` → not_affected; `exploitable`
→ affected; `resolved` and `resolved_with_pedigree` → fixed; `in_triage` → under_investigation.
Back (assay's CycloneDX output): not_affected → `not_affected`, affected → `exploitable`, fixed
→ `resolved`, under_investigation → `in_triage`.

Justifications, CycloneDX → OpenVEX (as in CISA's "VEX Status Justifications" mapping):
`code_not_present` → vulnerable_code_not_present; `code_not_reachable` →
vulnerable_code_not_in_execute_path; `requires_dependency` → component_not_present;
`requires_configuration`, `requires_environment` →
vulnerable_code_cannot_be_controlled_by_adversary;
`protected_by_compiler`, `protected_at_runtime`, `protected_at_perimeter`,
`protected_by_mitigating_control` → inline_mitigations_already_exist. Back: the first of each.

`affects[].ref` is a bom-ref of a component of the same BOM (its purl or CPE names the product;
without either, its name and version), a BOM-Link (`urn:cdx:…#ref`, resolved the same way), a
purl, or else the bom-ref of a component of assay's own SBOM (its component id). A vulnerability
without `analysis.state` is a finding, not a decision: it is skipped.
"""

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from assay.model.vulnerability import Triage, TriageState
from assay.vuln.vex_statement import (
    EPOCH,
    ProductRef,
    RefKind,
    VexFile,
    VexStatement,
    cpe_ref,
    key_ref,
    parse_time,
    purl_ref,
)

FORMAT = "cyclonedx"
STATE_TO_OPENVEX = {
    "not_affected": TriageState.NOT_AFFECTED,
    "false_positive": TriageState.NOT_AFFECTED,
    "exploitable": TriageState.AFFECTED,
    "resolved": TriageState.FIXED,
    "resolved_with_pedigree": TriageState.FIXED,
    "in_triage": TriageState.UNDER_INVESTIGATION,
}
STATE_FROM_OPENVEX = {
    TriageState.NOT_AFFECTED: "not_affected",
    TriageState.AFFECTED: "exploitable",
    TriageState.FIXED: "resolved",
    TriageState.UNDER_INVESTIGATION: "in_triage",
}
JUSTIFICATION_TO_OPENVEX = {
    "code_not_present": "vulnerable_code_not_present",
    "code_not_reachable": "vulnerable_code_not_in_execute_path",
    "requires_dependency": "component_not_present",
    "requires_configuration": "vulnerable_code_cannot_be_controlled_by_adversary",
    "requires_environment": "vulnerable_code_cannot_be_controlled_by_adversary",
    "protected_by_compiler": "inline_mitigations_already_exist",
    "protected_at_runtime": "inline_mitigations_already_exist",
    "protected_at_perimeter": "inline_mitigations_already_exist",
    "protected_by_mitigating_control": "inline_mitigations_already_exist",
}
JUSTIFICATION_FROM_OPENVEX = {
    openvex: cyclonedx for cyclonedx, openvex in reversed(JUSTIFICATION_TO_OPENVEX.items())
}
OLDEST_WITH_VULNERABILITIES = (1, 4)


def is_cyclonedx(document: dict[str, Any]) -> bool:
    """Whether a JSON document is a CycloneDX BOM."""
    return document.get("bomFormat") == "CycloneDX"


def read_cyclonedx(document: dict[str, Any], source: str, file_number: int) -> VexFile:
    """The decisions of a CycloneDX BOM's vulnerabilities; ValueError says what is wrong."""
    _check_version(document.get("specVersion"))
    raw_vulnerabilities = document.get("vulnerabilities", [])
    if not isinstance(raw_vulnerabilities, list):
        raise ValueError("`vulnerabilities` is not a list")
    metadata = document.get("metadata") or {}
    issued = _time(metadata, "timestamp") if isinstance(metadata, dict) else None
    components = _component_refs(document)
    statements: list[VexStatement] = []
    warnings: list[str] = []
    skipped = 0
    for position, raw in enumerate(raw_vulnerabilities):
        try:
            statement = _statement(
                raw, source, (issued or EPOCH, file_number, position), components
            )
        except ValueError as err:
            raise ValueError(f"vulnerability {position + 1}: {err}") from None
        if statement is None:
            skipped += 1
        elif not statement.products:
            warnings.append(
                f"vulnerability {position + 1} ({statement.vulnerability}): affects no "
                "component assay can match"
            )
        else:
            statements.append(statement)
    if skipped:
        warnings.append(f"{skipped} vulnerabilities without analysis.state (no decision)")
    if not raw_vulnerabilities:
        warnings.append("no vulnerabilities")
    return VexFile(source, FORMAT, tuple(statements), tuple(warnings))


def _check_version(raw: Any) -> None:
    try:
        major, minor = (int(part) for part in str(raw).split("."))
    except ValueError:
        raise ValueError(f"unknown specVersion {raw!r}") from None
    if (major, minor) < OLDEST_WITH_VULNERABILITIES:
        raise ValueError(f"CycloneDX {raw} has no vulnerabilities (1.4 or later is needed)")


def _statement(
    raw: Any, source: str, order: tuple[Any, int, int], components: dict[str, list[ProductRef]]
) -> VexStatement | None:
    if not isinstance(raw, dict):
        raise ValueError("not an object")
    ident = raw.get("id")
    if not isinstance(ident, str) or not ident.strip():
        raise ValueError("no `id`")
    analysis = raw.get("analysis")
    if analysis is None or (isinstance(analysis, dict) and analysis.get("state") is None):
        return None
    if not isinstance(analysis, dict):
        raise ValueError("`analysis` is not an object")
    state = STATE_TO_OPENVEX.get(analysis["state"])
    if state is None:
        raise ValueError(f"unknown analysis.state {analysis['state']!r}")
    justification = analysis.get("justification")
    if justification is not None and justification not in JUSTIFICATION_TO_OPENVEX:
        raise ValueError(f"unknown analysis.justification {justification!r}")
    detail = analysis.get("detail")
    if detail is not None and not isinstance(detail, str):
        raise ValueError("`analysis.detail` is not a string")
    moment = (
        _time(analysis, "lastUpdated")
        or _time(analysis, "firstIssued")
        or _time(raw, "updated")
        or order[0]
    )
    triage = Triage(
        state,
        JUSTIFICATION_TO_OPENVEX[justification] if justification else None,
        detail.strip() or None if detail else None,
        source,
    )
    products = tuple(dict.fromkeys(_affected(raw.get("affects") or [], components)))
    return VexStatement(ident.strip(), _aliases(raw), products, triage, (moment, *order[1:]))


def _aliases(raw: dict[str, Any]) -> tuple[str, ...]:
    references = raw.get("references") or []
    if not isinstance(references, list):
        raise ValueError("`references` is not a list")
    ids = [r.get("id") for r in references if isinstance(r, dict)]
    return tuple(i.strip() for i in ids if isinstance(i, str) and i.strip())


def _affected(affects: Any, components: dict[str, list[ProductRef]]) -> Iterator[ProductRef]:
    if not isinstance(affects, list):
        raise ValueError("`affects` is not a list")
    for target in affects:
        ref = target.get("ref") if isinstance(target, dict) else None
        if not isinstance(ref, str) or not ref.strip():
            raise ValueError("an `affects` entry has no `ref`")
        ref = ref.strip()
        if ref.startswith("urn:cdx:"):
            ref = ref.partition("#")[2]
            if not ref:
                continue  # the whole other BOM: no component to name
        if ref.lower().startswith("pkg:") and ref not in components:
            yield _purl(ref)
            continue
        yield from components.get(ref, ())
        yield ProductRef(RefKind.COMPONENT, ref)


def _component_refs(document: dict[str, Any]) -> dict[str, list[ProductRef]]:
    """bom-ref → how the BOM names that component (purl, CPE, else name@version)."""
    refs: dict[str, list[ProductRef]] = {}
    metadata = document.get("metadata")
    roots = [metadata.get("component")] if isinstance(metadata, dict) else []
    pending = [*roots, *(document.get("components") or [])]
    while pending:
        component = pending.pop()
        if not isinstance(component, dict):
            continue
        pending.extend(component.get("components") or [])
        bom_ref = component.get("bom-ref")
        if isinstance(bom_ref, str):
            refs[bom_ref] = _names(component)
    return refs


def _names(component: dict[str, Any]) -> list[ProductRef]:
    names: list[ProductRef] = []
    if isinstance(component.get("purl"), str):
        names.append(_purl(component["purl"]))
    if isinstance(component.get("cpe"), str):
        try:
            cpe = cpe_ref(component["cpe"])
        except ValueError:
            raise ValueError(f"component {component.get('bom-ref')!r}: bad CPE") from None
        names.extend([cpe] if cpe else [])
    if not names and isinstance(component.get("name"), str):
        version = component.get("version")
        text = f"{component['name']}@{version}" if isinstance(version, str) else component["name"]
        names.append(key_ref(text))
    return names


def _purl(text: str) -> ProductRef:
    try:
        return purl_ref(text)
    except ValueError as err:
        raise ValueError(f"bad purl {text!r}: {err}") from None


def _time(raw: dict[str, Any], key: str) -> datetime | None:
    try:
        return parse_time(raw.get(key))
    except ValueError:
        raise ValueError(f"`{key}` is not an ISO 8601 timestamp: {raw.get(key)!r}") from None
