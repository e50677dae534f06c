"""Exposure joins the inventory with real evaluations and equivalence runs saved in a real store
(SQLite and PostgreSQL): scans of generated release trees with known vulnerabilities."""

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from assay.equivalence.record import equivalence_record
from assay.equivalence.verdict import FilePair, ReleaseVerdict, Verdict
from assay.network.exposure import exposure, exposure_json
from assay.network.model import Element, Inventory, Layer, Origin, SiteClass
from assay.pipeline.evaluator import Evaluator, ScanOptions
from assay.policy.schema import parse_policy
from assay.report.json_report import evaluation_json
from assay.store import EvaluationStore
from tests.factories.metadata import DEBIAN_OS_RELEASE, write_tree
from tests.store.conftest import postgres_url, store_url

__all__ = ["postgres_url", "store_url"]

OLD_PACKAGES = (("openssl", "1.1.1n-0+deb11u1"), ("sudo", "1.8.27-1+deb10u2"))
NEW_PACKAGES = (("openssl", "3.0.15-1~deb12u1"), ("zlib1g", "1:1.2.13.dfsg-1"))


def _release(root: Path, version: str, packages: tuple[tuple[str, str], ...]) -> dict[str, Any]:
    status = "".join(
        f"Package: {name}\nStatus: install ok installed\nArchitecture: amd64\n"
        f"Version: {package_version}\nDescription: {name}\n\n"
        for name, package_version in packages
    )
    tree = write_tree(
        root / f"ran-{version}",
        {"etc/os-release": DEBIAN_OS_RELEASE, "var/lib/dpkg/status": status.encode()},
    )
    options = ScanOptions(today=date(2026, 1, 15), vendor="Acme", product="ran-os", version=version)
    return evaluation_json(Evaluator(options).evaluate(tree))


@pytest.fixture(scope="module")
def documents(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """Release 3.2.1 (old OpenSSL, sudo with a KEV CVE) and 4.0.0 (current packages)."""
    root = tmp_path_factory.mktemp("exposure")
    return {
        "3.2.1": _release(root, "3.2.1", OLD_PACKAGES),
        "4.0.0": _release(root, "4.0.0", NEW_PACKAGES),
    }


def _element(number: int, region: str, release: str, function: str = "gNB") -> Element:
    return Element(
        id=f"ne-{number}",
        operator="Operator A",
        network_type="5G",
        function=function,
        layer=Layer.ACCESS if function == "gNB" else Layer.CORE,
        vendor="ACME",
        product="RAN-OS",
        release=release,
        install_date=date(2021, 5, 1),
        site=f"site-{number}",
        site_class=SiteClass.NONE,
        region=region,
        traffic_share=None,
        connections=None,
        origin=Origin("inventory.csv", number + 1),
    )


def _inventory() -> Inventory:
    elements = [_element(n, "North", "3.2.1") for n in range(34)]
    elements += [_element(100 + n, "South", "4.0.0") for n in range(5)]
    elements += [_element(200, "North", "9.9.9", "AMF")]
    return Inventory("inventory.csv", tuple(elements))


def test_elements_on_a_release_with_kev_and_critical_cves(
    store_url: str, documents: dict[str, dict[str, Any]]
) -> None:
    with EvaluationStore(store_url) as store:
        for document in documents.values():
            store.save(document)
        groups = exposure(_inventory(), store)
    by_release = {group.risk.release: group for group in groups}
    north = by_release["3.2.1"]
    assert len(north.elements) == 34 and north.region == "North"
    assert north.risk.kev == ("CVE-2021-3156",)
    assert {"CVE-2022-1292", "CVE-2022-2068"} <= set(north.risk.critical)
    assert north.risk.end_of_life == ("openssl 1.1.1n-0+deb11u1",)
    assert north.sentence().startswith(
        "34 gNB in region North (Operator A, 5G) run ACME RAN-OS 3.2.1, which has 1 KEV CVE "
        "(CVE-2021-3156)"
    )
    assert "4.0.0" not in by_release  # current release: nothing open that counts
    assert by_release["9.9.9"].risk.reasons == ["has never been evaluated"]
    assert exposure_json(groups)[0]["elements"][:2] == ["ne-0", "ne-1"]


def test_failed_equivalence_and_hardening_below_policy(
    store_url: str, documents: dict[str, dict[str, Any]]
) -> None:
    verdict = ReleaseVerdict(
        (
            FilePair("/bin/a", "/bin/a", Verdict.IDENTICAL),
            FilePair("/bin/b", "/bin/b", Verdict.DIFFERENT),
        )
    )
    checked = datetime(2026, 2, 1, tzinfo=UTC)
    record = equivalence_record(verdict, ("Acme", "ran-os", "4.0.0"), ("v.bin", "r.bin"), checked)
    hardening = {"matrix": [{"property": "nx", "executables": {"have": 1, "total": 4}}]}
    with EvaluationStore(store_url) as store:
        store.save({**documents["4.0.0"], "facts": {"hardening": hardening}})
        store.save_equivalence(record)
        assert store.latest_equivalence("RAN-OS", "4.0.0", "acme")["equivalent"] == 1
        policy = parse_policy("version: 1\nname: lab\nmin_hardening:\n  nx: 90\n", "policy.yaml")
        groups = exposure(_inventory(), store, policy)
    south = next(group for group in groups if group.risk.release == "4.0.0")
    assert south.risk.equivalence == (1, 2)
    assert "failed binary equivalence (1 of 2 equivalent)" in south.risk.reasons
    assert south.risk.hardening == ("nx: 25.0% (1 of 4 ELF files), minimum 90%",)


def test_another_vendors_evaluation_of_the_same_product_name_is_not_used(
    store_url: str, documents: dict[str, dict[str, Any]]
) -> None:
    other = {**documents["3.2.1"], "release": {**documents["3.2.1"]["release"], "vendor": "Other"}}
    with EvaluationStore(store_url) as store:
        store.save(other)
        groups = exposure(_inventory(), store)
    north = next(group for group in groups if group.risk.release == "3.2.1")
    assert north.risk.reasons == ["has never been evaluated"]
