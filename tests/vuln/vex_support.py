"""Components, vulnerabilities, evaluations and VEX documents for the VEX tests, built directly."""

import json
from pathlib import Path
from typing import Any

from assay.model.component import Component, ComponentType, Confidence
from assay.model.evaluation import Evaluation, Release
from assay.model.finding import Severity
from assay.model.ids import stable_id
from assay.model.vulnerability import Triage, Vulnerability

OPENVEX_SCHEMA = Path(__file__).resolve().parents[1] / "data" / "openvex_json_schema-0.2.0.json"


def component(
    product: str,
    version: str,
    purl: str | None = "",
    cpes: tuple[str, ...] = (),
) -> Component:
    """A component as identification makes it; `purl` defaults to `pkg:generic/product@version`."""
    return Component(
        id=stable_id("component", product, version),
        product=product,
        name=product,
        version=version,
        type=ComponentType.LIBRARY,
        purl=f"pkg:generic/{product}@{version}" if purl == "" else purl,
        cpes=cpes,
        found_by=("test",),
        confidence=Confidence.HIGH,
        evidence=(),
    )


def vulnerability(
    cve: str, of: Component, triage: Triage | None = None, **fields: Any
) -> Vulnerability:
    """One CVE matched to a component, as the vulnerabilities stage makes it."""
    values: dict[str, Any] = {
        "id": stable_id("vulnerability", cve, of.product, of.version),
        "cve": cve,
        "component": of.id,
        "product": of.product,
        "version": of.version,
        "method": "cpe-configuration",
        "why": f"{of.product} {of.version} is in the affected range",
        "severity": Severity.HIGH,
        "triage": triage,
    }
    values.update(fields)
    return Vulnerability(**values)


def evaluation(
    components: tuple[Component, ...],
    vulnerabilities: tuple[Vulnerability, ...],
    release_id: str = "1" * 16,
) -> Evaluation:
    """An evaluation of a release that holds these components and vulnerabilities."""
    release = Release(release_id, "router.bin", "router.bin", "file", "0" * 64, 1024)
    moment = "2024-05-01T12:00:00Z"
    return Evaluation(
        release,
        "0.1.0",
        moment,
        moment,
        (),
        (),
        (),
        components=components,
        vulnerabilities=vulnerabilities,
    )


def openvex(*statements: dict[str, Any], timestamp: str = "2024-01-01T00:00:00Z") -> dict[str, Any]:
    """An OpenVEX v0.2.0 document with these statements."""
    return {
        "@context": "https://openvex.dev/ns/v0.2.0",
        "@id": "https://openvex.dev/docs/example/vex-assay-test",
        "author": "Lab <lab@example.invalid>",
        "timestamp": timestamp,
        "version": 1,
        "statements": list(statements),
    }


def statement(
    name: str, products: list[Any], status: str = "not_affected", **fields: Any
) -> dict[str, Any]:
    """An OpenVEX statement; a not_affected one gets a justification unless given fields."""
    if status == "not_affected" and not fields:
        fields = {"justification": "vulnerable_code_not_in_execute_path"}
    entry: dict[str, Any] = {
        "vulnerability": {"name": name},
        "products": [{"@id": p} if isinstance(p, str) else p for p in products],
        "status": status,
    }
    entry.update(fields)
    return entry


def cyclonedx_vex(
    vulnerabilities: list[dict[str, Any]],
    components: list[dict[str, Any]] | None = None,
    spec: str = "1.6",
    timestamp: str | None = "2024-01-01T00:00:00Z",
) -> dict[str, Any]:
    """A CycloneDX BOM used as VEX."""
    document: dict[str, Any] = {
        "bomFormat": "CycloneDX",
        "specVersion": spec,
        "version": 1,
        "vulnerabilities": vulnerabilities,
    }
    if timestamp:
        document["metadata"] = {"timestamp": timestamp}
    if components is not None:
        document["components"] = components
    return document


def write(path: Path, document: Any) -> Path:
    """Write a JSON document and return its path."""
    path.write_text(json.dumps(document, indent=2), encoding="utf-8")
    return path
