"""The Evaluation as a CycloneDX 1.6 JSON SBOM (https://cyclonedx.org/docs/1.6/json/), built and
serialised with cyclonedx-python-lib.

File → component relationships: every file that is evidence of a component is a `file`
component (bom-ref = artifact id) and the dependency graph says `file dependsOn component`; the
release (metadata.component) dependsOn each of those files. Nesting the component under its file
(`components` of a `file`, a CycloneDX assembly) cannot express one component found in several
files — a bom-ref is unique and an assembly has one parent, while the dependency graph is a DAG
that takes every copy. Each component's `evidence.occurrences` also names every location, for
readers that ignore the graph. The vulnerabilities section comes from `cyclonedx_vulns`.
"""

from datetime import UTC, datetime
from decimal import Decimal
from uuid import NAMESPACE_URL, UUID, uuid5

from cyclonedx.contrib.license.exceptions import InvalidLicenseExpressionException
from cyclonedx.contrib.license.factories import LicenseFactory
from cyclonedx.model import HashAlgorithm, HashType, Property
from cyclonedx.model.bom import Bom
from cyclonedx.model.component import Component as CdxComponent
from cyclonedx.model.component import ComponentType as CdxType
from cyclonedx.model.component_evidence import (
    AnalysisTechnique,
    ComponentEvidence,
    Identity,
    IdentityField,
    Method,
    Occurrence,
)
from cyclonedx.model.contact import OrganizationalEntity
from cyclonedx.model.license import License, LicenseExpression
from cyclonedx.output.json import JsonV1Dot6
from packageurl import PackageURL

from assay.catalog.copies import copies_report
from assay.model.artifact import Artifact
from assay.model.component import Component, Confidence, Evidence
from assay.model.evaluation import Evaluation, Release
from assay.model.ids import display_path
from assay.report.cyclonedx_graph import register_in_linear_time, set_graph
from assay.report.cyclonedx_vulns import cyclonedx_vulnerabilities
from assay.report.sbom_input import evidence_files

SBOM_NAMESPACE = uuid5(NAMESPACE_URL, "https://assay.dev/sbom")
CONFIDENCE = {
    Confidence.HIGH: Decimal("1.0"),
    Confidence.MEDIUM: Decimal("0.7"),
    Confidence.LOW: Decimal("0.3"),
}
TECHNIQUES = {
    "version-string": AnalysisTechnique.BINARY_ANALYSIS,
    "package-db": AnalysisTechnique.MANIFEST_ANALYSIS,
    "package-file": AnalysisTechnique.MANIFEST_ANALYSIS,
    "file-name": AnalysisTechnique.FILENAME,
}


def serial_number(release: Release) -> UUID:
    """The BOM's serial number: the same release always gets the same one."""
    return uuid5(SBOM_NAMESPACE, release.id)


def timestamp(evaluation: Evaluation) -> datetime:
    """When the evaluation finished, as an aware datetime."""
    return datetime.strptime(evaluation.finished, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def cyclonedx_bom(evaluation: Evaluation) -> Bom:
    """The release, its components and the files they were found in, as a CycloneDX BOM."""
    bom = Bom(serial_number=serial_number(evaluation.release))
    bom.metadata.timestamp = timestamp(evaluation)
    bom.metadata.tools.components.add(
        CdxComponent(type=CdxType.APPLICATION, name="assay", version=evaluation.tool_version)
    )
    root = _release_component(evaluation.release)
    bom.metadata.component = root
    files = {a.id: _file_component(a) for a in evidence_files(evaluation)}
    bom.components.update(files.values())
    edges: dict[str, tuple[CdxComponent, list[CdxComponent]]] = {
        a: (f, []) for a, f in files.items()
    }
    edges[evaluation.release.id] = (root, list(files.values()))
    for component in evaluation.components:
        entry = _component(component)
        bom.components.add(entry)
        holders = [a for a in component.artifacts if a in files]
        for artifact_id in holders:
            edges[artifact_id][1].append(entry)
        if not holders:  # seen only in records that are no regular file: hang it on the release
            edges[evaluation.release.id][1].append(entry)
    set_graph(bom, edges)
    bom.vulnerabilities = cyclonedx_vulnerabilities(
        evaluation, {c.id for c in evaluation.components}
    )
    return bom


def cyclonedx_json(evaluation: Evaluation) -> str:
    """The CycloneDX 1.6 JSON document, indented."""
    bom = cyclonedx_bom(evaluation)
    register_in_linear_time(bom)
    return JsonV1Dot6(bom).output_as_string(indent=2) + "\n"


def _release_component(release: Release) -> CdxComponent:
    return CdxComponent(
        type=CdxType.FIRMWARE,
        name=display_path(release.name),
        version=release.version,
        bom_ref=release.id,
        hashes=[HashType(alg=HashAlgorithm.SHA_256, content=release.sha256)],
        supplier=OrganizationalEntity(name=release.vendor) if release.vendor else None,
        properties=[Property(name="assay:input_kind", value=release.input_kind)],
    )


def _file_component(artifact: Artifact) -> CdxComponent:
    return CdxComponent(
        type=CdxType.FILE,
        name=display_path(artifact.location),
        bom_ref=artifact.id,
        hashes=[HashType(alg=HashAlgorithm.SHA_256, content=artifact.sha256)],
        properties=[Property(name="assay:kind", value=artifact.kind.value)],
    )


def _component(component: Component) -> CdxComponent:
    return CdxComponent(
        type=CdxType(component.type.value),
        name=component.name,
        version=component.version,
        bom_ref=component.id,
        purl=PackageURL.from_string(component.purl) if component.purl else None,
        cpe=component.cpes[0] if component.cpes else None,
        supplier=OrganizationalEntity(name=component.supplier) if component.supplier else None,
        licenses=_licenses(component.licenses),
        evidence=_evidence(component),
        properties=_properties(component),
    )


def _licenses(texts: tuple[str, ...]) -> list[License]:
    """SPDX ids, expressions or names; CycloneDX allows an expression only on its own, so several
    licences of which one is an expression become one `AND` expression (names if that fails)."""
    factory = LicenseFactory()
    licenses = [factory.make_from_string(text) for text in texts]
    if len(licenses) < 2 or not any(isinstance(lic, LicenseExpression) for lic in licenses):
        return licenses
    try:
        return [factory.make_with_expression(" AND ".join(f"({text})" for text in texts))]
    except InvalidLicenseExpressionException:
        return [factory.make_with_name(text) for text in texts]


def _evidence(component: Component) -> ComponentEvidence:
    confidence = CONFIDENCE[component.confidence]
    field, value = _identity_field(component)
    methods = {
        Method(technique=_technique(e), confidence=confidence, value=_context(e))
        for e in component.evidence
    }
    identity = Identity(field=field, confidence=confidence, concluded_value=value, methods=methods)
    occurrences = [_occurrence(component, i, e) for i, e in enumerate(component.evidence)]
    return ComponentEvidence(identity=identity, occurrences=occurrences)


def _identity_field(component: Component) -> tuple[IdentityField, str]:
    if component.purl:
        return IdentityField.PURL, component.purl
    if component.cpes:
        return IdentityField.CPE, component.cpes[0]
    return IdentityField.NAME, component.name


def _technique(evidence: Evidence) -> AnalysisTechnique:
    if evidence.method in TECHNIQUES:
        return TECHNIQUES[evidence.method]
    return AnalysisTechnique.MANIFEST_ANALYSIS if evidence.record else AnalysisTechnique.OTHER


def _occurrence(component: Component, index: int, evidence: Evidence) -> Occurrence:
    # The library orders occurrences by bom-ref first; without one their order is arbitrary.
    return Occurrence(
        bom_ref=f"{component.id}-evidence-{index:05d}",
        location=display_path(evidence.location),
        offset=evidence.offset,
        additional_context=_context(evidence),
    )


def _context(evidence: Evidence) -> str | None:
    """The matched bytes or the package-database record, printable."""
    text = evidence.matched or evidence.record
    return display_path(text) if text else None


def _properties(component: Component) -> list[Property]:
    copies = copies_report([component])[0].versions[0]
    pairs = [
        ("assay:product", component.product),
        ("assay:confidence", component.confidence.value),
        ("assay:copies", str(len(copies.locations))),
        *(("assay:found_by", name) for name in component.found_by),
        *(("assay:cpe", cpe) for cpe in component.cpes[1:]),
        *(
            ("assay:evidence:embedded", display_path(e.location))
            for e in component.evidence
            if e.embedded
        ),
        ("assay:eol", component.eol),
        ("assay:ecosystem", component.ecosystem),
    ]
    return [Property(name=name, value=value) for name, value in pairs if value]
