"""Saving evaluations of one product's releases and reading the trend back, on SQLite and on
PostgreSQL."""

from collections import Counter
from typing import Any

import pytest
from sqlalchemy import create_engine, func, select

from assay.report.metrics import SEVERITIES, hardening_coverage, unsafe_ratio
from assay.store import EvaluationStore, StoreError
from assay.store.models import ComponentRow, FindingRow, VulnerabilityRow
from assay.store.url import store_url as parse_store_url
from tests.store.conftest import EXTRA_PACKAGES, PRODUCT, RELEASES


def expected_entry(document: dict[str, Any]) -> dict[str, Any]:
    """What the trend should say of one document, counted here from its lists."""
    severities = Counter(f["severity"] for f in document["findings"])
    open_vulns = [v for v in document["vulnerabilities"] if v["open"]]
    return {
        "release": document["release"]["version"],
        "date": document["started"],
        "by_severity": {s: severities.get(s, 0) for s in SEVERITIES},
        "open_vulnerabilities": len(open_vulns),
        "kev": sum(1 for v in open_vulns if v["kev"] is not None),
        "components": len(document["components"]),
    }


def test_history_in_scan_order_with_the_right_counts(
    store_url: str, release_documents: list[dict[str, Any]]
) -> None:
    with EvaluationStore(store_url) as store:
        for document in reversed(release_documents):  # saved out of order on purpose
            store.save(document)
        history = store.history(PRODUCT)
    assert [entry["release"] for entry in history] == list(RELEASES)
    for entry, document in zip(history, release_documents, strict=True):
        assert {key: entry[key] for key in expected_entry(document)} == expected_entry(document)
        assert entry["vendor"] == "Acme"
    components = [entry["components"] for entry in history]
    assert components == [3 + EXTRA_PACKAGES[release] for release in RELEASES]
    telnet = [entry["by_severity"]["critical"] for entry in history]
    assert telnet[0] >= 1 and telnet[1:] == [0, 0]  # 1.0's telnet root shell, gone in 1.1
    assert history[0]["open_vulnerabilities"] > 0


def test_children_rows_and_document_round_trip(
    store_url: str, release_documents: list[dict[str, Any]]
) -> None:
    document = release_documents[0]
    with EvaluationStore(store_url) as store:
        key = store.save(document)
        store.save(document)  # saving the same evaluation again replaces it
        assert store.document(key) == document
        engine = create_engine(parse_store_url(store_url))
    with engine.connect() as connection:
        for table, expected in (
            (ComponentRow, len(document["components"])),
            (FindingRow, len(document["findings"])),
            (VulnerabilityRow, len(document["vulnerabilities"])),
        ):
            count = connection.execute(select(func.count()).select_from(table)).scalar_one()
            assert count == expected, table.__tablename__
        rules = set(connection.execute(select(FindingRow.rule)).scalars())
    engine.dispose()
    assert "config.debug.telnetd-shell" in rules


def test_history_for_embeds_a_small_trend(
    store_url: str, release_documents: list[dict[str, Any]]
) -> None:
    with EvaluationStore(store_url) as store:
        for document in release_documents:
            store.save(document)
        trend = store.history_for(release_documents[-1])
        assert store.history("no-such-product") == []
        assert store.history(PRODUCT, vendor="Other Vendor") == []
    assert [point["release"] for point in trend] == list(RELEASES)
    assert set(trend[0]) == {
        "release",
        "date",
        "by_severity",
        "open_vulnerabilities",
        "kev",
        "components",
        "hardening_coverage",
        "unsafe_ratio",
    }


def test_metrics_of_the_hardening_and_census_facts() -> None:
    def elf(**kw: Any) -> dict[str, Any]:
        row = {"type": "executable", "copy_of": None, "nx": True, "pie": True}
        return row | {"relro": "full", "canary": True} | kw

    files = [elf(), elf(canary=None), elf(relro="partial"), elf(copy_of="x"), elf(type="library")]
    census = {"families": [{"unsafe_calls": 3, "safe_calls": 1}, {"unsafe_calls": 0}]}
    document = {"facts": {"hardening": {"files": files}, "census": census}}
    assert hardening_coverage(document) == pytest.approx(33.33)
    assert unsafe_ratio(document) == 75.0
    assert hardening_coverage({"facts": {}}) is None
    assert unsafe_ratio({"facts": {"census": {"families": []}}}) is None


def test_a_document_without_a_release_is_refused(tmp_path: Any) -> None:
    with EvaluationStore(str(tmp_path / "s.sqlite")) as store, pytest.raises(StoreError):
        store.save({"started": "2026-01-01T00:00:00Z"})
