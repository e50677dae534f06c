"""A small release with known components, and vendor SBOMs declaring part of it, built by code.

Found in the release: OpenSSL 1.0.2k (its own library and a copy linked into a daemon), OpenSSL
1.1.1w and BusyBox 1.36.1. The vendor SBOMs leave out, misstate and invent components."""

import json
from datetime import datetime
from pathlib import Path

from cyclonedx.model.bom import Bom
from cyclonedx.model.component import Component, ComponentType
from cyclonedx.output.json import JsonV1Dot5
from packageurl import PackageURL
from spdx_tools.spdx.jsonschema.document_converter import DocumentConverter
from spdx_tools.spdx.model.actor import Actor, ActorType
from spdx_tools.spdx.model.document import CreationInfo, Document
from spdx_tools.spdx.model.package import (
    ExternalPackageRef,
    ExternalPackageRefCategory,
    Package,
)
from spdx_tools.spdx.model.relationship import Relationship, RelationshipType
from spdx_tools.spdx.model.spdx_no_assertion import SpdxNoAssertion

from assay.model.artifact import Artifact, FileKind
from assay.model.component import Component as Found
from assay.model.component import ComponentType as FoundType
from assay.model.component import Confidence, Evidence
from assay.model.evaluation import Evaluation, Release
from assay.model.ids import stable_id
from tests.factories.files import make_tree, sha256

ELF_HEADER = b"\x7fELF\x02\x01\x01" + bytes(57)
RELEASE_FILES: dict[str, bytes] = {
    "lib/libcrypto.so.1.0.0": ELF_HEADER + b"\x00OpenSSL 1.0.2k  26 Jan 2017\x00",
    "usr/sbin/vendord": ELF_HEADER + b"vendord\x00" * 40 + b"OpenSSL 1.0.2k  26 Jan 2017\x00",
    "usr/lib/libssl.so.1.1": ELF_HEADER + b"\x00OpenSSL 1.1.1w  11 Sep 2023\x00",
    "bin/busybox": ELF_HEADER + b"\x00BusyBox v1.36.1 (2023-06-12 12:00:00 UTC)\x00",
    "etc/banner.txt": b"Welcome to the vendor device\n",
}


def make_release(root: Path) -> Path:
    """Write the release folder under `root`."""
    return make_tree(root, RELEASE_FILES)


def vendor_cyclonedx() -> str:
    """A CycloneDX 1.5 SBOM: OpenSSL 1.1.1w by purl (matched), BusyBox 1.35.0 by name (version
    mismatch), zlib (missing), one file entry (not compared); OpenSSL 1.0.2k is not declared."""
    bom = Bom()
    root = Component(type=ComponentType.FIRMWARE, name="acme-router", version="2.1")
    bom.metadata.component = root
    declared = [
        Component(
            type=ComponentType.LIBRARY,
            name="openssl",
            version="1.1.1w",
            purl=PackageURL("generic", None, "openssl", "1.1.1w", {"arch": "mips"}),
        ),
        Component(
            type=ComponentType.APPLICATION,
            name="busybox",
            version="1:1.35.0-4",
            purl=PackageURL("deb", "debian", "busybox", "1:1.35.0-4"),
        ),
        Component(type=ComponentType.LIBRARY, name="zlib", version="1.2.13"),
        Component(type=ComponentType.FILE, name="/etc/banner.txt"),
    ]
    bom.components.update(declared)
    bom.register_dependency(root, declared)
    return JsonV1Dot5(bom).output_as_string(indent=2)


def vendor_spdx() -> str:
    """An SPDX 2.3 document: the firmware package it DESCRIBES (not compared), OpenSSL 1.1.1w by
    name, BusyBox as a Debian version of 1.36.1, OpenSSL 1.0.2u under the name `libcrypto` (found
    by CPE product: a version mismatch) and dropbear (missing)."""
    packages = [
        _package("firmware", "acme-router", "2.1"),
        _package("openssl", "OpenSSL", "1.1.1w"),
        _package("busybox", "busybox", "1:1.36.1-3", purl="pkg:deb/debian/busybox@1:1.36.1-3"),
        _package(
            "libcrypto", "libcrypto", "1.0.2u", cpe="cpe:2.3:a:openssl:openssl:1.0.2u:*:*:*:*:*:*:*"
        ),
        _package("dropbear", "dropbear", "2020.81"),
    ]
    document = Document(
        CreationInfo(
            spdx_version="SPDX-2.3",
            spdx_id="SPDXRef-DOCUMENT",
            name="acme-router 2.1",
            document_namespace="https://vendor.example/spdx/acme-router-2.1",
            creators=[Actor(ActorType.ORGANIZATION, "ACME")],
            created=datetime(2024, 1, 1),
        ),
        packages=packages,
        relationships=[
            Relationship("SPDXRef-DOCUMENT", RelationshipType.DESCRIBES, "SPDXRef-firmware"),
            *(
                Relationship("SPDXRef-firmware", RelationshipType.CONTAINS, p.spdx_id)
                for p in packages[1:]
            ),
        ],
    )
    return json.dumps(DocumentConverter().convert(document), indent=2)


def _package(key: str, name: str, version: str, purl: str = "", cpe: str = "") -> Package:
    refs = []
    if purl:
        refs.append(ExternalPackageRef(ExternalPackageRefCategory.PACKAGE_MANAGER, "purl", purl))
    if cpe:
        refs.append(ExternalPackageRef(ExternalPackageRefCategory.SECURITY, "cpe23Type", cpe))
    return Package(
        spdx_id=f"SPDXRef-{key}",
        name=name,
        download_location=SpdxNoAssertion(),
        version=version,
        files_analyzed=False,
        external_references=refs,
    )


def synthetic_evaluation(packages: int, files_each: int) -> Evaluation:
    """An evaluation of a root file system whose package database lists `packages` packages of
    `files_each` files each — the shape of a distribution image, without unpacking one."""
    artifacts: list[Artifact] = []
    components: list[Found] = []
    for number in range(packages):
        evidence = []
        for index in range(files_each):
            path = f"/usr/lib/p{number}/f{index}"
            artifact = Artifact(
                id=stable_id("artifact", path),
                path=path,
                chain=("rootfs.img", path),
                sha256=sha256(path.encode()),
                size=1,
                kind=FileKind.ELF,
                depth=1,
            )
            artifacts.append(artifact)
            evidence.append(Evidence(artifact.id, artifact.location, "package-file", record="list"))
        components.append(
            Found(
                id=stable_id("component", str(number)),
                product=f"p{number}",
                name=f"p{number}",
                version="1.0-1",
                type=FoundType.LIBRARY,
                purl=f"pkg:deb/debian/p{number}@1.0-1",
                cpes=(),
                found_by=("dpkg",),
                confidence=Confidence.HIGH,
                evidence=tuple(evidence),
            )
        )
    release = Release("0" * 16, "rootfs.img", "rootfs.img", "file", "0" * 64, 1)
    moment = "2024-01-01T00:00:00Z"
    return Evaluation(release, "0", moment, moment, (), tuple(artifacts), (), (), tuple(components))
