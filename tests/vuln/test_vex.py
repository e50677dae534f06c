"""Reading triage decisions from OpenVEX and CycloneDX VEX, and which vulnerabilities they apply
to: each status and justification, products by version-less purl, versioned purl, product key
and CPE, aliases, the latest decision winning, and malformed files named in one-line errors."""

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from assay.model.vulnerability import Triage, TriageState
from assay.vuln.vex import VexError, apply, load_vex
from tests.vuln.vex_support import (
    component,
    cyclonedx_vex,
    openvex,
    statement,
    vulnerability,
    write,
)

OLD = component("openssl", "1.0.2k")
NEW = component("openssl", "1.1.1w")
OTHER = component("libressl", "3.8.2")
CVE = "CVE-2016-2108"


def decide(tmp_path: Path, document: dict[str, Any], *components: Any) -> list[Triage | None]:
    """The triage each component's vulnerability CVE gets from the document."""
    decisions = load_vex([write(tmp_path / "triage.json", document)])
    return [decisions.decision_for(vulnerability(CVE, c), c) for c in components]


# -- OpenVEX --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "fields", "detail"),
    [
        ("not_affected", {"impact_statement": "TLS is not built in"}, "TLS is not built in"),
        ("affected", {"action_statement": "Update to 1.0.2h"}, "Update to 1.0.2h"),
        ("fixed", {"status_notes": "backported"}, "backported"),
        ("under_investigation", {}, None),
    ],
)
def test_each_openvex_status_is_read(
    tmp_path: Path, status: str, fields: dict[str, str], detail: str | None
) -> None:
    document = openvex(statement(CVE, ["pkg:generic/openssl"], status, **fields))
    (triage,) = decide(tmp_path, document, OLD)
    assert triage == Triage(TriageState(status), None, detail, str(tmp_path / "triage.json"))


@pytest.mark.parametrize(
    "justification",
    [
        "component_not_present",
        "vulnerable_code_not_present",
        "vulnerable_code_not_in_execute_path",
        "vulnerable_code_cannot_be_controlled_by_adversary",
        "inline_mitigations_already_exist",
    ],
)
def test_each_openvex_justification_is_kept(tmp_path: Path, justification: str) -> None:
    entry = statement(CVE, ["pkg:generic/openssl"], justification=justification)
    (triage,) = decide(tmp_path, openvex(entry), OLD)
    assert triage is not None
    assert (triage.state, triage.justification) == (TriageState.NOT_AFFECTED, justification)


def test_a_versionless_purl_names_every_version(tmp_path: Path) -> None:
    document = openvex(statement(CVE, ["pkg:generic/openssl"]))
    old, new, other = decide(tmp_path, document, OLD, NEW, OTHER)
    assert old is not None and new is not None
    assert old.state is new.state is TriageState.NOT_AFFECTED
    assert other is None


def test_a_versioned_purl_names_only_that_version(tmp_path: Path) -> None:
    document = openvex(statement(CVE, ["pkg:generic/openssl@1.0.2k"]))
    old, new = decide(tmp_path, document, OLD, NEW)
    assert old is not None and old.state is TriageState.NOT_AFFECTED
    assert new is None


def test_purl_identifiers_and_qualifiers(tmp_path: Path) -> None:
    deb = component(
        "openssl", "1.1.1n-0+deb11u5", "pkg:deb/debian/openssl@1.1.1n-0%2Bdeb11u5?arch=amd64"
    )
    products = [{"identifiers": {"purl": "pkg:deb/debian/openssl?arch=amd64"}}]
    assert decide(tmp_path, openvex(statement(CVE, products)), deb) != [None]
    arm = [{"identifiers": {"purl": "pkg:deb/debian/openssl?arch=arm64"}}]
    assert decide(tmp_path, openvex(statement(CVE, arm)), deb) == [None]
    upstream = ["pkg:generic/openssl"]  # another purl type is another package
    assert decide(tmp_path, openvex(statement(CVE, upstream)), deb) == [None]


def test_product_keys_and_cpes_name_products(tmp_path: Path) -> None:
    bare = component(
        "openssl", "1.0.2k", purl=None, cpes=("cpe:2.3:a:openssl:openssl:1.0.2k:*:*:*:*:*:*:*",)
    )
    cases = {
        "openssl": (True, True),
        "openssl@1.1.1w": (False, True),
        "cpe:2.3:a:openssl:openssl:*:*:*:*:*:*:*:*": (True, True),
        "cpe:/a:openssl:openssl:1.0.2k": (True, False),
    }
    for ident, expected in cases.items():
        found = decide(tmp_path, openvex(statement(CVE, [ident])), bare, NEW)
        assert tuple(t is not None for t in found) == expected, ident


def test_a_cpe_under_another_name_of_the_product(tmp_path: Path) -> None:
    curl = component("curl", "7.64.0")  # NVD files curl under haxx:libcurl as well
    products = [{"identifiers": {"cpe23": "cpe:2.3:a:haxx:libcurl:*:*:*:*:*:*:*:*"}}]
    assert decide(tmp_path, openvex(statement(CVE, products)), curl) != [None]
    products = [{"identifiers": {"cpe23": "cpe:2.3:a:haxx:wget:*:*:*:*:*:*:*:*"}}]
    assert decide(tmp_path, openvex(statement(CVE, products)), curl) == [None]


def test_subcomponents_of_the_release_name_the_component(tmp_path: Path) -> None:
    product = {
        "@id": "pkg:generic/acme/router-firmware@4.2",
        "subcomponents": [{"@id": "pkg:generic/openssl"}],
    }
    old, other = decide(tmp_path, openvex(statement(CVE, [product])), OLD, OTHER)
    assert old is not None and other is None


def test_aliases_and_iri_name_the_vulnerability(tmp_path: Path) -> None:
    by_alias = statement("GHSA-xxxx-yyyy-zzzz", ["openssl"])
    by_alias["vulnerability"]["aliases"] = [CVE]
    by_iri = statement("", ["libressl"])
    by_iri["vulnerability"] = {"@id": f"https://nvd.nist.gov/vuln/detail/{CVE}", "name": "x"}
    decisions = load_vex([write(tmp_path / "v.json", openvex(by_alias, by_iri))])
    assert decisions.decision_for(vulnerability(CVE, OLD), OLD) is not None
    assert decisions.decision_for(vulnerability(CVE, OTHER), OTHER) is not None
    ghsa = vulnerability("GHSA-xxxx-yyyy-zzzz", NEW)
    assert decisions.decision_for(ghsa, NEW) is not None
    assert decisions.decision_for(vulnerability("CVE-2016-2105", OLD), OLD) is None


def test_openvex_0_0_1_strings(tmp_path: Path) -> None:
    document = openvex(
        {
            "vulnerability": CVE,
            "products": ["pkg:generic/acme/router"],
            "subcomponents": ["pkg:generic/openssl@1.1.1w"],
            "status": "fixed",
        }
    )
    old, new = decide(tmp_path, document, OLD, NEW)
    assert old is None and new is not None and new.state is TriageState.FIXED


def test_later_statements_win(tmp_path: Path) -> None:
    first = statement(CVE, ["openssl"], "affected", action_statement="update")
    second = statement(CVE, ["openssl"], "not_affected", impact_statement="not built")
    (triage,) = decide(tmp_path, openvex(first, second), OLD)
    assert triage is not None and triage.state is TriageState.NOT_AFFECTED
    first["timestamp"] = "2024-03-01T00:00:00+01:00"  # now later than the document's time
    (triage,) = decide(tmp_path, openvex(first, second), OLD)
    assert triage is not None and triage.state is TriageState.AFFECTED


def test_later_files_win_at_the_same_time(tmp_path: Path) -> None:
    one = write(tmp_path / "one.json", openvex(statement(CVE, ["openssl"], "under_investigation")))
    two = write(tmp_path / "two.json", openvex(statement(CVE, ["openssl"], "fixed")))
    for order, expected in (
        ([one, two], TriageState.FIXED),
        ([two, one], TriageState.UNDER_INVESTIGATION),
    ):
        triage = load_vex(order).decision_for(vulnerability(CVE, OLD), OLD)
        assert triage is not None and triage.state is expected


def test_a_statement_without_product_is_reported_not_applied(tmp_path: Path) -> None:
    entry = statement(CVE, [{"@id": "https://example.com/product/x", "hashes": {"sha1": "0" * 40}}])
    decisions = load_vex([write(tmp_path / "v.json", openvex(entry))])
    assert decisions.statements == ()
    assert "no product" in decisions.files[0].warnings[0]


# -- CycloneDX VEX --------------------------------------------------------------------------------


def cdx_vulnerability(
    state: str, ref: str = "pkg:generic/openssl", **analysis: Any
) -> dict[str, Any]:
    return {"id": CVE, "analysis": {"state": state, **analysis}, "affects": [{"ref": ref}]}


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        ("not_affected", TriageState.NOT_AFFECTED),
        ("false_positive", TriageState.NOT_AFFECTED),
        ("exploitable", TriageState.AFFECTED),
        ("resolved", TriageState.FIXED),
        ("resolved_with_pedigree", TriageState.FIXED),
        ("in_triage", TriageState.UNDER_INVESTIGATION),
    ],
)
def test_each_cyclonedx_state_maps_onto_openvex(
    tmp_path: Path, state: str, expected: TriageState
) -> None:
    document = cyclonedx_vex([cdx_vulnerability(state, detail="looked at it")])
    (triage,) = decide(tmp_path, document, OLD)
    assert triage == Triage(expected, None, "looked at it", str(tmp_path / "triage.json"))


@pytest.mark.parametrize(
    ("justification", "expected"),
    [
        ("code_not_present", "vulnerable_code_not_present"),
        ("code_not_reachable", "vulnerable_code_not_in_execute_path"),
        ("requires_configuration", "vulnerable_code_cannot_be_controlled_by_adversary"),
        ("requires_dependency", "component_not_present"),
        ("requires_environment", "vulnerable_code_cannot_be_controlled_by_adversary"),
        ("protected_by_compiler", "inline_mitigations_already_exist"),
        ("protected_at_runtime", "inline_mitigations_already_exist"),
        ("protected_at_perimeter", "inline_mitigations_already_exist"),
        ("protected_by_mitigating_control", "inline_mitigations_already_exist"),
    ],
)
def test_each_cyclonedx_justification_maps_onto_openvex(
    tmp_path: Path, justification: str, expected: str
) -> None:
    document = cyclonedx_vex([cdx_vulnerability("not_affected", justification=justification)])
    (triage,) = decide(tmp_path, document, OLD)
    assert triage is not None and triage.justification == expected


@pytest.mark.parametrize("spec", ["1.4", "1.5", "1.6"])
def test_cyclonedx_affects_refs(tmp_path: Path, spec: str) -> None:
    components = [
        {"type": "library", "name": "openssl", "bom-ref": "ossl", "purl": "pkg:generic/openssl"},
        {
            "type": "library",
            "name": "libressl",
            "version": "3.8.2",
            "bom-ref": "lssl",
            "cpe": "cpe:2.3:a:openbsd:libressl:3.8.2:*:*:*:*:*:*:*",
        },
    ]
    cases = {
        "ossl": (True, True, False),  # a bom-ref: its version-less purl
        "urn:cdx:3e671687-395b-41f5-a30f-a58921a69b79/1#lssl": (False, False, True),
        "pkg:generic/openssl@1.1.1w": (False, True, False),
        OLD.id: (True, False, False),  # the bom-ref of assay's own SBOM: the component id
    }
    for ref, expected in cases.items():
        document = cyclonedx_vex([cdx_vulnerability("resolved", ref)], components, spec)
        found = decide(tmp_path, document, OLD, NEW, OTHER)
        assert tuple(t is not None for t in found) == expected, ref


def test_cyclonedx_references_are_aliases_and_analysis_time_orders(tmp_path: Path) -> None:
    late = cdx_vulnerability("exploitable", lastUpdated="2024-06-01T00:00:00Z")
    late["id"] = "GHSA-aaaa-bbbb-cccc"
    late["references"] = [{"id": CVE, "source": {"name": "NVD"}}]
    early = cdx_vulnerability("not_affected", justification="code_not_present")
    (triage,) = decide(tmp_path, cyclonedx_vex([late, early]), OLD)
    assert triage is not None and triage.state is TriageState.AFFECTED


def test_cyclonedx_vulnerabilities_without_analysis_decide_nothing(tmp_path: Path) -> None:
    bare = {"id": CVE, "affects": [{"ref": "pkg:generic/openssl"}]}
    decisions = load_vex([write(tmp_path / "bom.json", cyclonedx_vex([bare]))])
    assert decisions.statements == ()
    assert decisions.files[0].warnings == (
        "1 vulnerabilities without analysis.state (no decision)",
    )


# -- applying -------------------------------------------------------------------------------------


def test_apply_returns_triaged_copies(tmp_path: Path) -> None:
    kept = Triage(TriageState.AFFECTED, detail="earlier decision")
    vulnerabilities = (
        vulnerability(CVE, OLD),
        vulnerability(CVE, OTHER, triage=kept),
        vulnerability("CVE-2099-0001", component("ghost", "1.0")),  # component unknown
    )
    document = openvex(statement(CVE, ["openssl"]), statement("CVE-2099-0001", ["ghost@1.0"]))
    decisions = load_vex([write(tmp_path / "v.json", document)])
    result = apply(vulnerabilities, (OLD, OTHER), decisions)
    assert [v.triage.state if v.triage else None for v in result] == [
        TriageState.NOT_AFFECTED,
        TriageState.AFFECTED,
        TriageState.NOT_AFFECTED,
    ]
    assert result[1].triage is kept
    assert vulnerabilities[0].triage is None and vulnerabilities[0].open and not result[0].open


# -- malformed files ------------------------------------------------------------------------------


def _bad_statement(**fields: Any) -> dict[str, Any]:
    entry = statement(CVE, ["pkg:generic/openssl"], "affected", action_statement="x")
    entry.update(fields)
    return openvex({k: v for k, v in entry.items() if v is not None})


MALFORMED: dict[str, tuple[Any, str]] = {
    "not-json": ("{ nope", "not JSON"),
    "array": ([], "not a JSON object"),
    "other-json": ({"spdxVersion": "SPDX-2.3"}, "neither an OpenVEX document nor a CycloneDX BOM"),
    "statements": ({"@context": "https://openvex.dev/ns/v0.2.0", "statements": {}}, "`statements`"),
    "status": (_bad_statement(status="maybe"), "statement 1: unknown status 'maybe'"),
    "justification": (
        _bad_statement(status="not_affected", justification="trust_me", action_statement=None),
        "unknown justification 'trust_me'",
    ),
    "unjustified": (
        _bad_statement(status="not_affected", action_statement=None),
        "not_affected needs a justification or an impact_statement",
    ),
    "no-vulnerability": (_bad_statement(vulnerability={"aliases": []}), "has no `name`"),
    "timestamp": (_bad_statement(timestamp="last tuesday"), "`timestamp` is not"),
    "purl": (_bad_statement(products=[{"@id": "pkg:"}]), "product identifier 'pkg:'"),
    "cdx-state": (cyclonedx_vex([cdx_vulnerability("fine")]), "unknown analysis.state 'fine'"),
    "cdx-justification": (
        cyclonedx_vex([cdx_vulnerability("not_affected", justification="luck")]),
        "unknown analysis.justification 'luck'",
    ),
    "cdx-old": (cyclonedx_vex([], spec="1.3"), "1.4 or later"),
    "cdx-no-id": (
        cyclonedx_vex([{"analysis": {"state": "in_triage"}}]),
        "vulnerability 1: no `id`",
    ),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_files_raise_naming_the_file(tmp_path: Path, case: str) -> None:
    content, words = MALFORMED[case]
    path = tmp_path / f"{case}.vex.json"
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    good = write(tmp_path / "good.json", openvex(statement(CVE, ["openssl"])))
    with pytest.raises(VexError) as raised:
        load_vex([good, path])
    message = str(raised.value)
    assert message.startswith(f"{path}: ")
    assert words in message
    assert "\n" not in message


def test_unreadable_files_raise_naming_the_file(tmp_path: Path) -> None:
    with pytest.raises(VexError, match=r"missing\.json: cannot read"):
        load_vex([tmp_path / "missing.json"])
    with pytest.raises(VexError, match="cannot read"):
        load_vex([tmp_path])


def test_openvex_inside_an_in_toto_attestation(tmp_path: Path) -> None:
    attestation = {
        "_type": "https://in-toto.io/Statement/v0.1",
        "predicateType": "https://openvex.dev/ns/v0.2.0",
        "subject": [{"name": "router.bin", "digest": {"sha256": "0" * 64}}],
        "predicate": openvex(statement(CVE, ["pkg:generic/openssl"], "fixed")),
    }
    (triage,) = decide(tmp_path, attestation, OLD)
    assert triage is not None and triage.state is TriageState.FIXED
    payload = base64.b64encode(json.dumps(attestation).encode()).decode()
    envelope = {"payloadType": "application/vnd.in-toto+json", "payload": payload, "signatures": []}
    (triage,) = decide(tmp_path, envelope, OLD)
    assert triage is not None and triage.state is TriageState.FIXED
    attestation["predicate"] = None
    with pytest.raises(VexError, match="without an OpenVEX predicate"):
        decide(tmp_path, attestation, OLD)
