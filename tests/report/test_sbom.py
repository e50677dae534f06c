"""SBOM output: CycloneDX 1.6 and SPDX 2.3 valid against the official schemas, files linked to the
components found in them, byte-identical renders; and a vendor's SBOM compared with the release."""

import dataclasses
import hashlib
import json
import time
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator
from spdx_tools.spdx.model.relationship import Relationship, RelationshipType
from spdx_tools.spdx.parser.json.json_parser import parse_from_file
from spdx_tools.spdx.validation.document_validator import validate_full_spdx_document

from assay.catalog.declared import compare, upstream_version
from assay.catalog.vendor_sbom import SbomFormatError, parse_vendor_sbom
from assay.model.component import Component, Evidence
from assay.model.evaluation import Evaluation
from assay.pipeline.evaluator import Evaluator, ScanOptions
from assay.report.cyclonedx import cyclonedx_json, serial_number
from assay.report.declared_json import declared_json
from assay.report.sbom_input import FileHashes
from assay.report.spdx import SpdxError, spdx_document, spdx_json
from assay.report.spdx_check import spdx_problems
from tests.factories.sbom import (
    RELEASE_FILES,
    make_release,
    synthetic_evaluation,
    vendor_cyclonedx,
    vendor_spdx,
)
from tests.test_cli import assay, assert_usage_error, load

SPDX_SCHEMA = Path(__file__).resolve().parents[1] / "data" / "spdx-schema-2.3.json"
CDX_VALIDATOR = JsonStrictValidator(SchemaVersion.V1_6)


@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory) -> tuple[Evaluation, FileHashes, Path]:
    """The generated release, evaluated once for the module, with its evidence files' SHA-1."""
    release = make_release(tmp_path_factory.mktemp("sbom") / "release")
    hashes = FileHashes()
    evaluation = Evaluator(ScanOptions(after_identify=hashes)).evaluate(release)
    return evaluation, hashes, release


def by_version(evaluation: Evaluation) -> dict[tuple[str, str], Component]:
    return {(c.product, c.version): c for c in evaluation.components}


def test_the_release_holds_the_expected_components(
    scanned: tuple[Evaluation, FileHashes, Path],
) -> None:
    evaluation, hashes, _ = scanned
    assert set(by_version(evaluation)) == {
        ("openssl", "1.0.2k"),
        ("openssl", "1.1.1w"),
        ("busybox", "1.36.1"),
    }
    by_path = {a.path: a.id for a in evaluation.artifacts}
    expected = {
        by_path["/" + name]: hashlib.sha1(data).hexdigest()
        for name, data in RELEASE_FILES.items()
        if name != "etc/banner.txt"
    }
    assert hashes.sha1 == expected


# -- CycloneDX ------------------------------------------------------------------------------------


def test_cyclonedx_is_valid_against_the_official_schema(
    scanned: tuple[Evaluation, FileHashes, Path],
) -> None:
    text = cyclonedx_json(scanned[0])
    assert CDX_VALIDATOR.validate_str(text) is None
    broken = json.loads(text)
    broken["components"][0]["type"] = "gadget"
    assert CDX_VALIDATOR.validate_str(json.dumps(broken)) is not None


def test_cyclonedx_links_files_to_components(scanned: tuple[Evaluation, FileHashes, Path]) -> None:
    evaluation = scanned[0]
    bom = json.loads(cyclonedx_json(evaluation))
    found = by_version(evaluation)
    files = {c["name"]: c for c in bom["components"] if c["type"] == "file"}
    assert set(files) == {
        "release › /bin/busybox",
        "release › /lib/libcrypto.so.1.0.0",
        "release › /usr/lib/libssl.so.1.1",
        "release › /usr/sbin/vendord",
    }
    graph = {d["ref"]: set(d.get("dependsOn", [])) for d in bom["dependencies"]}
    assert graph[evaluation.release.id] == {f["bom-ref"] for f in files.values()}
    old = found[("openssl", "1.0.2k")].id
    assert graph[files["release › /lib/libcrypto.so.1.0.0"]["bom-ref"]] == {old}
    assert graph[files["release › /usr/sbin/vendord"]["bom-ref"]] == {old}
    assert graph[files["release › /bin/busybox"]["bom-ref"]] == {found[("busybox", "1.36.1")].id}
    for entry in files.values():
        artifact = next(a for a in evaluation.artifacts if a.id == entry["bom-ref"])
        assert entry["hashes"] == [{"alg": "SHA-256", "content": artifact.sha256}]


def test_cyclonedx_component_identity_and_evidence(
    scanned: tuple[Evaluation, FileHashes, Path],
) -> None:
    evaluation = scanned[0]
    bom = json.loads(cyclonedx_json(evaluation))
    old = by_version(evaluation)[("openssl", "1.0.2k")]
    entry = next(c for c in bom["components"] if c["bom-ref"] == old.id)
    assert (entry["name"], entry["version"], entry["type"]) == ("OpenSSL", "1.0.2k", "library")
    assert entry["purl"] == "pkg:generic/openssl@1.0.2k"
    assert entry["cpe"] == "cpe:2.3:a:openssl:openssl:1.0.2k:*:*:*:*:*:*:*"
    assert entry["supplier"] == {"name": "OpenSSL Software Foundation"}
    [identity] = entry["evidence"]["identity"]
    assert (identity["field"], identity["confidence"]) == ("purl", 1.0)
    assert {m["technique"] for m in identity["methods"]} == {"binary-analysis"}
    occurrences = {(o["location"], o["offset"]) for o in entry["evidence"]["occurrences"]}
    assert occurrences == {(e.location, e.offset) for e in old.evidence}
    properties = {(p["name"], p["value"]) for p in entry["properties"]}
    assert {
        ("assay:product", "openssl"),
        ("assay:copies", "2"),
        ("assay:eol", "2019-12-31"),
        ("assay:found_by", "binary"),
        ("assay:evidence:embedded", "release › /usr/sbin/vendord"),
    } <= properties


def test_cyclonedx_metadata(scanned: tuple[Evaluation, FileHashes, Path]) -> None:
    evaluation = scanned[0]
    bom = json.loads(cyclonedx_json(evaluation))
    assert bom["specVersion"] == "1.6"
    assert bom["serialNumber"] == f"urn:uuid:{serial_number(evaluation.release)}"
    assert bom["metadata"]["timestamp"] == evaluation.finished.replace("Z", "+00:00")
    root = bom["metadata"]["component"]
    assert (root["type"], root["name"], root["bom-ref"]) == (
        "firmware",
        "release",
        evaluation.release.id,
    )
    assert root["hashes"] == [{"alg": "SHA-256", "content": evaluation.release.sha256}]
    assert bom["metadata"]["tools"]["components"][0]["name"] == "assay"


# -- SPDX -----------------------------------------------------------------------------------------


def test_spdx_is_valid_for_spdx_tools_and_the_official_schema(
    scanned: tuple[Evaluation, FileHashes, Path], tmp_path: Path
) -> None:
    evaluation, hashes, _ = scanned
    assert validate_full_spdx_document(spdx_document(evaluation, hashes.sha1)) == []
    text = spdx_json(evaluation, hashes.sha1)
    schema = json.loads(SPDX_SCHEMA.read_text(encoding="utf-8"))
    assert schema["title"] == "SPDX 2.3"
    validator = jsonschema.Draft201909Validator(schema)
    validator.validate(json.loads(text))
    broken = json.loads(text)
    del broken["files"][0]["checksums"]
    assert not validator.is_valid(broken)
    written = tmp_path / "sbom.spdx.json"
    written.write_text(text, encoding="utf-8")
    assert validate_full_spdx_document(parse_from_file(str(written))) == []


def test_spdx_relationships_and_checksums(scanned: tuple[Evaluation, FileHashes, Path]) -> None:
    evaluation, hashes, _ = scanned
    document = json.loads(spdx_json(evaluation, hashes.sha1))
    relations = {
        (r["spdxElementId"], r["relationshipType"], r["relatedSpdxElement"])
        for r in document["relationships"]
    }
    release = f"SPDXRef-Release-{evaluation.release.id}"
    files = {f["fileName"]: f for f in document["files"]}
    assert ("SPDXRef-DOCUMENT", "DESCRIBES", release) in relations
    for entry in files.values():
        assert (release, "CONTAINS", entry["SPDXID"]) in relations
    old = f"SPDXRef-Package-{by_version(evaluation)[('openssl', '1.0.2k')].id}"
    holders = {target for origin, kind, target in relations if origin == old}
    assert holders == {
        files["./release › /lib/libcrypto.so.1.0.0"]["SPDXID"],
        files["./release › /usr/sbin/vendord"]["SPDXID"],
    }
    assert {kind for origin, kind, _ in relations if origin == old} == {"CONTAINED_BY"}
    vendord = files["./release › /usr/sbin/vendord"]["checksums"]
    assert {
        "algorithm": "SHA1",
        "checksumValue": hashlib.sha1(RELEASE_FILES["usr/sbin/vendord"]).hexdigest(),
    } in vendord
    package = next(p for p in document["packages"] if p["SPDXID"] == old)
    assert package["validUntilDate"] == "2019-12-31T00:00:00Z"
    assert {
        "referenceCategory": "SECURITY",
        "referenceType": "cpe23Type",
        "referenceLocator": "cpe:2.3:a:openssl:openssl:1.0.2k:*:*:*:*:*:*:*",
    } in package["externalRefs"]


def test_spdx_needs_the_sha1_of_every_evidence_file(
    scanned: tuple[Evaluation, FileHashes, Path],
) -> None:
    evaluation, hashes, _ = scanned
    partial = dict(list(hashes.sha1.items())[1:])
    with pytest.raises(SpdxError, match="no SHA-1 for 1 evidence file"):
        spdx_json(evaluation, partial)


def test_package_database_evidence_relationships(
    scanned: tuple[Evaluation, FileHashes, Path],
) -> None:
    evaluation, hashes, _ = scanned
    banner = next(a for a in evaluation.artifacts if a.path == "/etc/banner.txt")
    busybox = next(a for a in evaluation.artifacts if a.path == "/bin/busybox")
    record = Component(
        id="00000000000000aa",
        product="vendor-base",
        name="vendor-base",
        version="1.0-r1",
        type=by_version(evaluation)[("busybox", "1.36.1")].type,
        purl="pkg:opkg/vendor-base@1.0-r1",
        cpes=(),
        found_by=("opkg",),
        confidence=by_version(evaluation)[("busybox", "1.36.1")].confidence,
        evidence=(
            Evidence(
                banner.id, banner.location, "package-db", record="status: Package: vendor-base"
            ),
            Evidence(busybox.id, busybox.location, "package-file", record="vendor-base.list"),
        ),
        licenses=("GPL-2.0-only", "MIT"),
    )
    evaluation = dataclasses.replace(evaluation, components=(*evaluation.components, record))
    sha1 = {**hashes.sha1, banner.id: hashlib.sha1(RELEASE_FILES["etc/banner.txt"]).hexdigest()}
    document = json.loads(spdx_json(evaluation, sha1))
    package = f"SPDXRef-Package-{record.id}"
    relations = {
        (r["spdxElementId"], r["relationshipType"], r["relatedSpdxElement"])
        for r in document["relationships"]
    }
    assert (f"SPDXRef-File-{banner.id}", "METAFILE_OF", package) in relations
    assert (package, "CONTAINS", f"SPDXRef-File-{busybox.id}") in relations
    entry = next(p for p in document["packages"] if p["SPDXID"] == package)
    assert entry["filesAnalyzed"] is True
    assert entry["licenseDeclared"] == "GPL-2.0-only AND MIT"
    bom = json.loads(cyclonedx_json(evaluation))
    assert CDX_VALIDATOR.validate_str(json.dumps(bom)) is None
    cdx = next(c for c in bom["components"] if c["bom-ref"] == record.id)
    assert {m["technique"] for m in cdx["evidence"]["identity"][0]["methods"]} == {
        "manifest-analysis"
    }
    assert [lic["license"]["id"] for lic in cdx["licenses"]] == ["GPL-2.0-only", "MIT"]


def test_spdx_linear_check_finds_what_is_wrong(
    scanned: tuple[Evaluation, FileHashes, Path],
) -> None:
    evaluation, hashes, _ = scanned
    document = spdx_document(evaluation, hashes.sha1)
    assert spdx_problems(document) == []
    document.relationships.append(
        Relationship("SPDXRef-DOCUMENT", RelationshipType.DESCRIBES, "SPDXRef-nowhere")
    )
    document.files.append(document.files[0])
    document.files[1].checksums = document.files[1].checksums[1:]
    problems = spdx_problems(document)
    assert "an SPDX id is used twice" in problems
    assert "relationship DESCRIBES names unknown SPDXRef-nowhere" in problems
    assert any("SHA1" in p for p in problems)


def test_large_sboms_take_linear_time() -> None:
    """A 20,000-file root file system took minutes with the libraries' quadratic graph
    registration and whole-document validation; five times the files must take about five times
    as long (measured 4-6×), not twenty-five (measured 16× with the quadratic code)."""

    def seconds(packages: int) -> float:
        evaluation = synthetic_evaluation(packages, 20)
        sha1 = {a.id: "0" * 40 for a in evaluation.artifacts}
        clock = time.perf_counter()
        cyclonedx_json(evaluation)
        spdx_json(evaluation, sha1)
        return time.perf_counter() - clock

    seconds(5)
    small = min(seconds(50), seconds(50))
    assert seconds(250) < 11 * small


def test_licences_with_an_expression_among_them(
    scanned: tuple[Evaluation, FileHashes, Path],
) -> None:
    evaluation, hashes, _ = scanned
    busybox = by_version(evaluation)[("busybox", "1.36.1")]
    licensed = dataclasses.replace(busybox, licenses=("GPL-2.0-only OR MIT", "BSD-3-Clause"))
    others = tuple(c for c in evaluation.components if c is not busybox)
    evaluation = dataclasses.replace(evaluation, components=(*others, licensed))
    text = cyclonedx_json(evaluation)
    assert CDX_VALIDATOR.validate_str(text) is None
    entry = next(c for c in json.loads(text)["components"] if c["bom-ref"] == busybox.id)
    assert entry["licenses"] == [{"expression": "(GPL-2.0-only OR MIT) AND (BSD-3-Clause)"}]
    package = next(
        p
        for p in json.loads(spdx_json(evaluation, hashes.sha1))["packages"]
        if p["SPDXID"] == f"SPDXRef-Package-{busybox.id}"
    )
    assert package["licenseDeclared"] == "(GPL-2.0-only OR MIT) AND BSD-3-Clause"


# -- determinism ----------------------------------------------------------------------------------


def test_renders_are_deterministic(scanned: tuple[Evaluation, FileHashes, Path]) -> None:
    evaluation, hashes, release = scanned
    assert cyclonedx_json(evaluation) == cyclonedx_json(evaluation)
    assert spdx_json(evaluation, hashes.sha1) == spdx_json(evaluation, hashes.sha1)
    again_hashes = FileHashes()
    again = Evaluator(ScanOptions(after_identify=again_hashes)).evaluate(release)
    again = dataclasses.replace(again, started=evaluation.started, finished=evaluation.finished)
    assert cyclonedx_json(again) == cyclonedx_json(evaluation)
    assert spdx_json(again, again_hashes.sha1) == spdx_json(evaluation, hashes.sha1)


# -- the vendor's SBOM ----------------------------------------------------------------------------


def summary(comparison: Any) -> dict[str, Any]:
    document = declared_json(comparison)
    return {
        "matched": sorted(
            (m["declared"]["name"], m["by"], m["found"][0]["version"]) for m in document["matched"]
        ),
        "mismatch": sorted(
            (
                m["declared"]["name"],
                m["declared"]["version"],
                m["by"],
                tuple(f["version"] for f in m["found"]),
            )
            for m in document["version_mismatch"]
        ),
        "missing": sorted(d["name"] for d in document["missing"]),
        "undeclared": sorted(
            (u["product"], u["version"], tuple(u["locations"])) for u in document["undeclared"]
        ),
    }


def test_declared_cyclonedx(scanned: tuple[Evaluation, FileHashes, Path]) -> None:
    vendor = parse_vendor_sbom(vendor_cyclonedx().encode(), "vendor.cdx.json")
    assert vendor.format == "CycloneDX 1.5"
    assert summary(compare(vendor, scanned[0].components)) == {
        "matched": [("openssl", "purl", "1.1.1w")],
        "mismatch": [("busybox", "1:1.35.0-4", "name", ("1.36.1",))],
        "missing": ["zlib"],
        "undeclared": [
            (
                "openssl",
                "1.0.2k",
                ("release › /lib/libcrypto.so.1.0.0", "release › /usr/sbin/vendord"),
            ),
        ],
    }


def test_declared_spdx(scanned: tuple[Evaluation, FileHashes, Path]) -> None:
    vendor = parse_vendor_sbom(vendor_spdx().encode(), "vendor.spdx.json")
    assert vendor.format == "SPDX-2.3"
    assert summary(compare(vendor, scanned[0].components)) == {
        "matched": [("OpenSSL", "name", "1.1.1w"), ("busybox", "name", "1.36.1")],
        "mismatch": [("libcrypto", "1.0.2u", "cpe", ("1.0.2k",))],
        "missing": ["dropbear"],
        "undeclared": [],
    }


def test_everything_undeclared_when_the_vendor_declares_nothing(
    scanned: tuple[Evaluation, FileHashes, Path],
) -> None:
    vendor = parse_vendor_sbom(b'{"bomFormat": "CycloneDX", "specVersion": "1.4"}', "empty.json")
    result = declared_json(compare(vendor, scanned[0].components))
    assert result["summary"] == {
        "declared": 0,
        "matched": 0,
        "version_mismatch": 0,
        "missing": 0,
        "undeclared": 3,
    }


@pytest.mark.parametrize(
    ("version", "upstream"),
    [("1:1.1.1n-0+deb11u4", "1.1.1n"), ("v1.36.1", "1.36.1"), ("2020.81", "2020.81")],
)
def test_distribution_versions(version: str, upstream: str) -> None:
    assert upstream_version(version) == upstream


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"not json", "is not JSON"),
        (b"[1, 2]", "neither CycloneDX"),
        (b'{"spdxVersion": "SPDX-3.0"}', "neither CycloneDX"),
        (b'{"bomFormat": "CycloneDX", "components": {}}', "'components' is not a list"),
        (b'{"bomFormat": "CycloneDX", "components": [{"version": "1"}]}', "entry #1 has no name"),
        (b'{"spdxVersion": "SPDX-2.3", "packages": ["x"]}', "not a JSON object"),
    ],
)
def test_malformed_vendor_sboms(data: bytes, words: str) -> None:
    with pytest.raises(SbomFormatError, match=words):
        parse_vendor_sbom(data, "vendor.json")


# -- the command line -----------------------------------------------------------------------------


def test_cli_sbom_writes_either_format(
    scanned: tuple[Evaluation, FileHashes, Path], tmp_path: Path
) -> None:
    release = scanned[2]
    done = assay("sbom", release, "-f", "cyclonedx", "-o", tmp_path / "bom.json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert CDX_VALIDATOR.validate_str((tmp_path / "bom.json").read_text(encoding="utf-8")) is None
    done = assay("sbom", release, "-f", "spdx", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    jsonschema.Draft201909Validator(json.loads(SPDX_SCHEMA.read_text(encoding="utf-8"))).validate(
        document
    )
    assert len(document["files"]) == 4


def test_cli_sbom_rejects_an_unknown_format(
    scanned: tuple[Evaluation, FileHashes, Path], tmp_path: Path
) -> None:
    done = assay("sbom", scanned[2], "-f", "swid", cwd=tmp_path)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr


def test_cli_scan_writes_sboms_and_compares_the_vendor_sbom(
    scanned: tuple[Evaluation, FileHashes, Path], tmp_path: Path
) -> None:
    vendor = tmp_path / "vendor.spdx.json"
    vendor.write_text(vendor_spdx(), encoding="utf-8")
    out = tmp_path / "out"
    done = assay("scan", scanned[2], "-o", out, "--sbom", vendor, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    line = "vendor SBOM (SPDX-2.3): 4 declared — 2 matched, 1 version mismatch, 1 missing; "
    assert line + "0 found but undeclared" in done.stdout
    document = load(out / "evaluation.json")
    assert document["declared"]["summary"]["missing"] == 1
    assert (
        document["declared"]["source"]["sha256"] == hashlib.sha256(vendor.read_bytes()).hexdigest()
    )
    assert CDX_VALIDATOR.validate_str((out / "sbom.cdx.json").read_text(encoding="utf-8")) is None
    spdx = json.loads((out / "sbom.spdx.json").read_text(encoding="utf-8"))
    assert spdx["spdxVersion"] == "SPDX-2.3"


def test_cli_scan_without_vendor_sbom_has_no_declared_section(
    scanned: tuple[Evaluation, FileHashes, Path], tmp_path: Path
) -> None:
    done = assay("scan", scanned[2], "-o", tmp_path / "out", "--json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "declared" not in json.loads(done.stdout)
    assert (tmp_path / "out" / "sbom.spdx.json").is_file()


def test_cli_sbom_to_an_unwritable_place(
    scanned: tuple[Evaluation, FileHashes, Path], tmp_path: Path
) -> None:
    target = tmp_path / "missing-folder" / "bom.json"
    done = assay("sbom", scanned[2], "-f", "cyclonedx", "-o", target, cwd=tmp_path)
    assert_usage_error(done, "cannot write")


@pytest.mark.parametrize("content", [b"{not json", b'{"hello": "world"}'])
def test_cli_scan_with_a_malformed_vendor_sbom(
    scanned: tuple[Evaluation, FileHashes, Path], tmp_path: Path, content: bytes
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_bytes(content)
    done = assay("scan", scanned[2], "-o", tmp_path / "out", "--sbom", bad, cwd=tmp_path)
    assert_usage_error(done, "--sbom", "bad.json")
    assert not (tmp_path / "out").exists()


def test_cli_scan_with_a_missing_vendor_sbom(
    scanned: tuple[Evaluation, FileHashes, Path], tmp_path: Path
) -> None:
    done = assay(
        "scan", scanned[2], "-o", tmp_path / "out", "--sbom", tmp_path / "nope.json", cwd=tmp_path
    )
    assert_usage_error(done, "cannot read")
