"""The parts of an `evaluation.json` a VEX export needs — the release, its components and their
vulnerabilities (triage included) — read back into the model (docs/evaluation.schema.json)."""

from typing import Any

from assay.model.component import Component, ComponentType, Confidence
from assay.model.evaluation import Evaluation, Release
from assay.model.finding import Severity
from assay.model.vulnerability import (
    CvssRating,
    EpssRating,
    KevFlag,
    Triage,
    TriageState,
    Vulnerability,
)


def evaluation_from_json(document: dict[str, Any]) -> Evaluation:
    """The Evaluation of an evaluation.json document, without artifacts, findings or problems."""
    release = document["release"]
    return Evaluation(
        release=Release(
            id=release["id"],
            name=release["name"],
            input_path=release["input_path"],
            input_kind=release["input_kind"],
            sha256=release["sha256"],
            size=int(release["size"]),
            vendor=release.get("vendor"),
            product=release.get("product"),
            version=release.get("version"),
        ),
        tool_version=document["tool"]["version"],
        started=document["started"],
        finished=document["finished"],
        stages=(),
        artifacts=(),
        problems=(),
        components=tuple(component_from_json(c) for c in document.get("components", [])),
        vulnerabilities=tuple(
            vulnerability_from_json(v) for v in document.get("vulnerabilities", [])
        ),
    )


def component_from_json(record: dict[str, Any]) -> Component:
    """A component's identity (its evidence is not needed to name it)."""
    return Component(
        id=record["id"],
        product=record["product"],
        name=record["name"],
        version=record["version"],
        type=ComponentType(record["type"]),
        purl=record.get("purl"),
        cpes=tuple(record.get("cpes", ())),
        found_by=tuple(record.get("found_by", ())),
        confidence=Confidence(record["confidence"]),
        evidence=(),
        supplier=record.get("supplier"),
        licenses=tuple(record.get("licenses", ())),
        eol=record.get("eol"),
        ecosystem=record.get("ecosystem"),
    )


def vulnerability_from_json(record: dict[str, Any]) -> Vulnerability:
    """A vulnerability with its scores, KEV, EPSS and triage."""
    kev, epss, triage = record.get("kev"), record.get("epss"), record.get("triage")
    return Vulnerability(
        id=record["id"],
        cve=record["cve"],
        component=record["component"],
        product=record["product"],
        version=record["version"],
        method=record["method"],
        why=record["why"],
        severity=Severity.from_label(record["severity"]),
        ratings=tuple(CvssRating(**r) for r in record.get("ratings", ())),
        cwes=tuple(record.get("cwes", ())),
        kev=KevFlag(**kev) if kev else None,
        epss=EpssRating(**epss) if epss else None,
        published=record.get("published"),
        description=record.get("description"),
        fixed_version=record.get("fixed_version"),
        conditions=tuple(record.get("conditions", ())),
        triage=_triage(triage) if triage else None,
    )


def _triage(record: dict[str, Any]) -> Triage:
    return Triage(
        state=TriageState(record["state"]),
        justification=record.get("justification"),
        detail=record.get("detail"),
        source=record.get("source"),
    )
