"""The Evaluation as an SPDX 2.3 JSON document (https://spdx.github.io/spdx-spec/v2.3/), built,
validated and converted with spdx-tools.

Relationships: SPDXRef-DOCUMENT DESCRIBES the release package; the release CONTAINS every file
that is evidence of a component. Between a component package and such a file, by kind of
evidence: a version string found in a file's bytes → package CONTAINED_BY file (the file holds the
component's code, whether it is the component's own library or a binary it is linked into;
GENERATED_FROM would claim the package was built from the file, which is the wrong way round); a
package-database record → file METAFILE_OF package; a file the database lists as the package's →
package CONTAINS file (and that package has filesAnalyzed true); a component seen in no listed
file is CONTAINED by the release. Only evidence files are listed, so the release package carries
no verification code (optional in SPDX 2.3).
"""

import json
from collections.abc import Mapping
from datetime import UTC, datetime

from license_expression import LicenseExpression
from spdx_tools.common.spdx_licensing import spdx_licensing
from spdx_tools.spdx.jsonschema.document_converter import DocumentConverter
from spdx_tools.spdx.model.actor import Actor, ActorType
from spdx_tools.spdx.model.checksum import Checksum, ChecksumAlgorithm
from spdx_tools.spdx.model.document import CreationInfo, Document
from spdx_tools.spdx.model.file import File, FileType
from spdx_tools.spdx.model.package import (
    ExternalPackageRef,
    ExternalPackageRefCategory,
    Package,
    PackagePurpose,
)
from spdx_tools.spdx.model.relationship import Relationship, RelationshipType
from spdx_tools.spdx.model.spdx_no_assertion import SpdxNoAssertion

from assay.model.artifact import Artifact, FileKind
from assay.model.component import Component, ComponentType, Evidence
from assay.model.evaluation import Evaluation, Release
from assay.model.ids import display_path
from assay.report.cyclonedx import serial_number, timestamp
from assay.report.sbom_input import evidence_files
from assay.report.spdx_check import spdx_problems

DOCUMENT_ID = "SPDXRef-DOCUMENT"
PURPOSE = {
    ComponentType.LIBRARY: PackagePurpose.LIBRARY,
    ComponentType.APPLICATION: PackagePurpose.APPLICATION,
    ComponentType.OPERATING_SYSTEM: PackagePurpose.OPERATING_SYSTEM,
    ComponentType.FIRMWARE: PackagePurpose.FIRMWARE,
    ComponentType.FRAMEWORK: PackagePurpose.FRAMEWORK,
}
FILE_TYPES = {
    FileKind.ELF: FileType.BINARY,
    FileKind.ARCHIVE: FileType.ARCHIVE,
    FileKind.SCRIPT: FileType.SOURCE,
    FileKind.TEXT: FileType.TEXT,
}


class SpdxError(Exception):
    """The document could not be built or is not valid SPDX 2.3."""


def release_id(release: Release) -> str:
    """SPDX id of the release package."""
    return f"SPDXRef-Release-{release.id}"


def package_id(component: Component) -> str:
    """SPDX id of a component's package."""
    return f"SPDXRef-Package-{component.id}"


def file_id(artifact_id: str) -> str:
    """SPDX id of a file."""
    return f"SPDXRef-File-{artifact_id}"


def spdx_document(evaluation: Evaluation, sha1: Mapping[str, str]) -> Document:
    """The SPDX document; `sha1` maps artifact id → SHA-1 for every evidence file (see
    `FileHashes`)."""
    release = evaluation.release
    files = evidence_files(evaluation)
    missing = [a.id for a in files if a.id not in sha1]
    if missing:
        raise SpdxError(f"no SHA-1 for {len(missing)} evidence file(s), e.g. {missing[0]}")
    listed = {a.id for a in files}
    relationships = [Relationship(DOCUMENT_ID, RelationshipType.DESCRIBES, release_id(release))]
    relationships += [
        Relationship(release_id(release), RelationshipType.CONTAINS, file_id(a.id)) for a in files
    ]
    for component in evaluation.components:
        relationships += _evidence_relationships(component, listed) or [
            Relationship(release_id(release), RelationshipType.CONTAINS, package_id(component))
        ]
    return Document(
        creation_info=_creation_info(evaluation),
        packages=[_release_package(release)] + [_package(c) for c in evaluation.components],
        files=[_file(a, sha1[a.id]) for a in files],
        relationships=relationships,
    )


def spdx_json(evaluation: Evaluation, sha1: Mapping[str, str]) -> str:
    """The SPDX 2.3 JSON document, validated with spdx-tools' validators, indented."""
    document = spdx_document(evaluation, sha1)
    problems = spdx_problems(document)
    if problems:
        raise SpdxError(f"invalid SPDX document: {problems[0]}")
    data = DocumentConverter().convert(document)  # type: ignore[no-untyped-call]
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _creation_info(evaluation: Evaluation) -> CreationInfo:
    release = evaluation.release
    return CreationInfo(
        spdx_version="SPDX-2.3",
        spdx_id=DOCUMENT_ID,
        name=f"assay SBOM of {display_path(release.name)}",
        document_namespace=f"https://assay.dev/spdx/{release.id}/{serial_number(release)}",
        creators=[Actor(ActorType.TOOL, f"assay-{evaluation.tool_version}")],
        created=timestamp(evaluation),
    )


def _release_package(release: Release) -> Package:
    checksums = [Checksum(ChecksumAlgorithm.SHA256, release.sha256)]
    return Package(
        spdx_id=release_id(release),
        name=display_path(release.name),
        download_location=SpdxNoAssertion(),
        version=release.version,
        supplier=Actor(ActorType.ORGANIZATION, release.vendor) if release.vendor else None,
        files_analyzed=True,
        checksums=checksums if release.input_kind == "file" else [],
        primary_package_purpose=PackagePurpose.FIRMWARE,
        comment="Only the files in which components were identified are listed.",
    )


def _package(component: Component) -> Package:
    refs = []
    if component.purl:
        refs.append(
            ExternalPackageRef(ExternalPackageRefCategory.PACKAGE_MANAGER, "purl", component.purl)
        )
    refs += [
        ExternalPackageRef(ExternalPackageRefCategory.SECURITY, _cpe_type(cpe), cpe)
        for cpe in component.cpes
    ]
    declared, license_comment = _licenses(component.licenses)
    return Package(
        spdx_id=package_id(component),
        name=component.name,
        download_location=SpdxNoAssertion(),
        version=component.version,
        supplier=Actor(ActorType.ORGANIZATION, component.supplier)
        if component.supplier
        else SpdxNoAssertion(),
        files_analyzed=any(e.method == "package-file" for e in component.evidence),
        license_declared=declared,
        license_comment=license_comment,
        external_references=refs,
        primary_package_purpose=PURPOSE.get(component.type, PackagePurpose.OTHER),
        valid_until_date=_date(component.eol),
        comment=_package_comment(component),
    )


def _cpe_type(cpe: str) -> str:
    return "cpe23Type" if cpe.startswith("cpe:2.3:") else "cpe22Type"


def _licenses(
    licenses: tuple[str, ...],
) -> tuple[LicenseExpression | SpdxNoAssertion | None, str | None]:
    if not licenses:
        return None, None
    text = " AND ".join(f"({lic})" if " " in lic else lic for lic in licenses)
    info = spdx_licensing.validate(text)
    if info.errors or info.invalid_symbols:
        return SpdxNoAssertion(), f"declared by the package: {'; '.join(licenses)}"
    return spdx_licensing.parse(text), None


def _date(day: str | None) -> datetime | None:
    return datetime.fromisoformat(day).replace(tzinfo=UTC) if day else None


def _package_comment(component: Component) -> str:
    parts = [
        f"assay product key: {component.product}",
        f"found by: {', '.join(component.found_by)}",
        f"confidence: {component.confidence.value}",
    ]
    if component.eol:
        parts.append(f"end of life: {component.eol}")
    return "; ".join(parts)


def _file(artifact: Artifact, sha1: str) -> File:
    return File(
        name=f"./{display_path(artifact.location)}",
        spdx_id=file_id(artifact.id),
        checksums=[
            Checksum(ChecksumAlgorithm.SHA1, sha1),
            Checksum(ChecksumAlgorithm.SHA256, artifact.sha256),
        ],
        file_types=[FILE_TYPES.get(artifact.kind, FileType.OTHER)],
    )


def _evidence_relationships(component: Component, listed: set[str]) -> list[Relationship]:
    seen = dict.fromkeys(
        _relationship(component, e) for e in component.evidence if e.artifact in listed
    )
    return [Relationship(origin, kind, target) for origin, kind, target in seen]


def _relationship(component: Component, evidence: Evidence) -> tuple[str, RelationshipType, str]:
    package, file = package_id(component), file_id(evidence.artifact)
    if evidence.method == "package-file":
        return package, RelationshipType.CONTAINS, file
    if evidence.record is not None:
        return file, RelationshipType.METAFILE_OF, package
    return package, RelationshipType.CONTAINED_BY, file
