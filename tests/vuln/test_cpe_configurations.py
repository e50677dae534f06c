"""CPE configurations with NVD 2.0 semantics: operators, negation, platform conditions."""

import json
from typing import Any

from assay.vuln.configurations import Subject, Truth, evaluate, parse_configurations
from assay.vuln.cpe import Cpe, parse_cpe
from assay.vuln.matcher import Matcher
from assay.vuln.memory_source import MemorySource
from assay.vuln.versions import Scheme
from tests.vuln.matching_support import SAMPLES, component, main_source

RV320 = "cpe:2.3:h:cisco:rv320:-:*:*:*:*:*:*:*"
LINUX = "cpe:2.3:o:linux:linux_kernel:5.10.90:*:*:*:*:*:*:*"


def _sample_record(name: str) -> dict[str, Any]:
    """A record in assay's schema carrying the configurations of a raw NVD 2.0 sample."""
    raw = json.loads((SAMPLES / name).read_text(encoding="utf-8"))
    return {"id": raw["id"], "configurations": raw["configurations"]}


def _firmware(model: str, version: str) -> Any:
    cpe = f"cpe:2.3:o:cisco:{model}_firmware:{version}:*:*:*:*:*:*:*"
    return component(f"{model}_firmware", version, cpes=(cpe,))


def test_firmware_on_unknown_hardware_matches_with_the_condition_listed() -> None:
    source = MemorySource([_sample_record("nvd-json-2.0_CVE-2019-1653.json")])
    result = Matcher(source).assess(_firmware("rv320", "1.4.2.15"))
    (match,) = result.matches
    assert match.cve == "CVE-2019-1653"
    assert match.conditions == (RV320,)
    assert "applies when running with " + RV320 in match.sentence
    assert match.why["matched"][0]["configuration"] == 0


def test_firmware_on_the_named_hardware_matches_without_condition() -> None:
    source = MemorySource([_sample_record("nvd-json-2.0_CVE-2019-1653.json")])
    (match,) = Matcher(source).assess(_firmware("rv320", "1.4.2.17"), [RV320]).matches
    assert match.conditions == ()
    assert match.why["matched"][0]["criteria"].endswith("rv320_firmware:1.4.2.17:*:*:*:*:*:*:*")


def test_firmware_on_other_known_hardware_does_not_match() -> None:
    source = MemorySource([_sample_record("nvd-json-2.0_CVE-2019-1653.json")])
    other = "cpe:2.3:h:cisco:rv042:-:*:*:*:*:*:*:*"
    assert Matcher(source).assess(_firmware("rv320", "1.4.2.15"), [other]).matches == ()


def test_firmware_version_outside_the_configuration_does_not_match() -> None:
    source = MemorySource([_sample_record("nvd-json-2.0_CVE-2019-1653.json")])
    assert Matcher(source).assess(_firmware("rv320", "1.4.2.20"), [RV320]).matches == ()


def test_each_configuration_names_its_own_firmware() -> None:
    source = MemorySource([_sample_record("nvd-json-2.0_CVE-2019-1653.json")])
    (match,) = Matcher(source).assess(_firmware("rv325", "1.4.2.15")).matches
    assert match.conditions == ("cpe:2.3:h:cisco:rv325:-:*:*:*:*:*:*:*",)
    assert match.why["matched"][0]["configuration"] == 1


def test_windows_only_curl_cve_needs_windows() -> None:
    # CVE-2016-0754: haxx:curl <= 7.46.0 AND o:microsoft:windows
    matcher = Matcher(main_source())
    curl = component("curl", "7.46.0")
    on_linux = {m.cve for m in matcher.assess(curl, [LINUX]).matches}
    assert "CVE-2016-0754" not in on_linux
    unknown = {m.cve: m for m in matcher.assess(curl).matches}
    assert unknown["CVE-2016-0754"].conditions == ("cpe:2.3:o:microsoft:windows:*:*:*:*:*:*:*:*",)


def test_glibc_running_on_linux_is_established_by_the_kernel_cpe() -> None:
    # CVE-2017-18269: gnu:glibc [2.21, 2.27] AND o:linux:linux_kernel:-
    matcher = Matcher(main_source())
    matches = {m.cve: m for m in matcher.assess(component("glibc", "2.27"), [LINUX]).matches}
    assert matches["CVE-2017-18269"].conditions == ()
    later = {m.cve for m in matcher.assess(component("glibc", "2.28"), [LINUX]).matches}
    assert "CVE-2017-18269" not in later


def test_sudo_baron_samedit_reports_its_configuration() -> None:
    # CVE-2021-3156 lists sudo, then Fedora, Debian, NetApp, McAfee, Synology (AND firmware on
    # hardware) and BeyondTrust configurations; only the first is about sudo.
    matches = {
        m.cve: m for m in Matcher(main_source()).assess(component("sudo", "1.9.5p1")).matches
    }
    match = matches["CVE-2021-3156"]
    assert [h["configuration"] for h in match.why["matched"]] == [0]
    assert match.why["matched"][0]["criteria"] == (
        "cpe:2.3:a:sudo_project:sudo:1.9.5:patch1:*:*:*:*:*:*"
    )
    assert match.conditions == ()


# --- the logic on configurations written here, for what the data does not show -------------


def _config(operator: str | None, *nodes: dict[str, Any], negate: bool = False) -> dict[str, Any]:
    config: dict[str, Any] = {"nodes": list(nodes), "negate": negate}
    if operator:
        config["operator"] = operator
    return config


def _node(
    *criteria: tuple[str, bool], operator: str = "OR", negate: bool = False
) -> dict[str, Any]:
    matches = [{"criteria": c, "vulnerable": v} for c, v in criteria]
    return {"operator": operator, "negate": negate, "cpeMatch": matches}


SUBJECT = Subject("dnsmasq", "2.80", Scheme.GENERIC, frozenset({"thekelleys:dnsmasq"}))
DNSMASQ = ("cpe:2.3:a:thekelleys:dnsmasq:2.80:*:*:*:*:*:*:*", True)
OTHER_APP = ("cpe:2.3:a:isc:bind:9.11:*:*:*:*:*:*:*", True)
ROUTER = ("cpe:2.3:h:acme:router:-:*:*:*:*:*:*:*", False)


def _truth(config: dict[str, Any], platforms: tuple[str, ...] = ()) -> Truth:
    (parsed,) = parse_configurations([config])
    cpes: tuple[Cpe, ...] = tuple(c for c in map(parse_cpe, platforms) if c is not None)
    return evaluate(parsed, SUBJECT, cpes).truth


def test_or_node_with_other_products_is_decided_by_the_subject() -> None:
    assert _truth(_config(None, _node(DNSMASQ, OTHER_APP))) is Truth.TRUE
    older = _node(("cpe:2.3:a:thekelleys:dnsmasq:2.79:*:*:*:*:*:*:*", True), OTHER_APP)
    assert _truth(_config(None, older)) is Truth.FALSE


def test_and_configuration_needs_its_platform() -> None:
    config = _config("AND", _node(DNSMASQ), _node(ROUTER))
    assert _truth(config) is Truth.UNKNOWN
    assert _truth(config, (ROUTER[0],)) is Truth.TRUE
    assert _truth(config, ("cpe:2.3:h:acme:switch:-:*:*:*:*:*:*:*",)) is Truth.FALSE


def test_and_node_operator_combines_its_entries() -> None:
    config = _config(None, _node(DNSMASQ, ROUTER, operator="AND"))
    assert _truth(config) is Truth.UNKNOWN
    assert _truth(config, (ROUTER[0],)) is Truth.TRUE


def test_negated_platform_node() -> None:
    config = _config("AND", _node(DNSMASQ), _node(ROUTER, negate=True))
    assert _truth(config, (ROUTER[0],)) is Truth.FALSE
    assert _truth(config, ("cpe:2.3:h:acme:switch:-:*:*:*:*:*:*:*",)) is Truth.TRUE
    (parsed,) = parse_configurations([config])
    unknown = evaluate(parsed, SUBJECT, ())
    assert unknown.truth is Truth.UNKNOWN
    assert unknown.conditions == ("not " + ROUTER[0],)


def test_negated_configuration() -> None:
    assert _truth(_config(None, _node(DNSMASQ), negate=True)) is Truth.FALSE


def test_configuration_without_the_subject_is_false() -> None:
    assert _truth(_config(None, _node(OTHER_APP))) is Truth.FALSE
    # the subject as a non-vulnerable platform of another product is not a vulnerability of it
    platform_only = _config("AND", _node(OTHER_APP), _node((DNSMASQ[0], False)))
    assert _truth(platform_only) is Truth.FALSE


def test_uncomparable_version_is_unknown_with_the_reason() -> None:
    subject = Subject("dnsmasq", "unknown", Scheme.GENERIC, frozenset({"thekelleys:dnsmasq"}))
    ranged = {"criteria": "cpe:2.3:a:thekelleys:dnsmasq:*:*:*:*:*:*:*:*", "vulnerable": True}
    ranged["versionEndExcluding"] = "2.83"
    (parsed,) = parse_configurations([{"nodes": [{"operator": "OR", "cpeMatch": [ranged]}]}])
    outcome = evaluate(parsed, subject, ())
    assert outcome.truth is Truth.UNKNOWN
    assert "cannot be compared" in outcome.undecided[0]
