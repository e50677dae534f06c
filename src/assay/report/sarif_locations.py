"""SARIF locations of evidence: the in-release path as the artifact URI, the container chain as a
logical location, the offset, address or line as the region."""

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from assay.model.artifact import CHAIN_SEPARATOR
from assay.report.base import EvaluationDocument


@dataclass(frozen=True, slots=True)
class ArtifactIndex:
    """The document's artifacts by id: each one's in-release path and container chain."""

    by_id: dict[str, dict[str, Any]]

    @classmethod
    def of(cls, document: EvaluationDocument) -> "ArtifactIndex":
        """Index the artifacts of an evaluation document."""
        return cls({a["id"]: a for a in document.get("artifacts", []) if "id" in a})

    def path_and_chain(self, evidence: dict[str, Any]) -> tuple[str, list[str]]:
        """The in-release path and the chain of an evidence's file; from the display location
        when the artifact is not in the document."""
        record = self.by_id.get(evidence.get("artifact", ""))
        if record is not None and record.get("chain"):
            return str(record["path"]), [str(part) for part in record["chain"]]
        chain = str(evidence.get("location", "")).split(CHAIN_SEPARATOR)
        return chain[-1], chain


def artifact_uri(path: str) -> str:
    """A relative URI reference for an in-release path (`/usr/sbin/dropbear` →
    `usr/sbin/dropbear`): percent-encoded, and never read as a scheme or an authority."""
    relative = path.lstrip("/") or "."
    return quote(relative, safe="/@!$&'()*+,;=-._~")


def _region(evidence: dict[str, Any], virtual: bool) -> dict[str, Any]:
    region: dict[str, Any] = {}
    if evidence.get("line"):
        region["startLine"] = int(evidence["line"])
    if evidence.get("offset") is not None and not virtual:
        region["byteOffset"] = int(evidence["offset"])
    if region and evidence.get("matched"):
        region["snippet"] = {"text": str(evidence["matched"])}
    return region


def evidence_location(
    evidence: dict[str, Any], artifacts: ArtifactIndex, virtual: bool
) -> dict[str, Any]:
    """One SARIF location; `virtual` says the offset is a virtual address (not a file offset)."""
    path, chain = artifacts.path_and_chain(evidence)
    physical: dict[str, Any] = {"artifactLocation": {"uri": artifact_uri(path)}}
    region = _region(evidence, virtual)
    if region:
        physical["region"] = region
    if virtual and evidence.get("offset") is not None:
        physical["address"] = {"absoluteAddress": int(evidence["offset"]), "kind": "instruction"}
    properties: dict[str, Any] = {"chain": chain}
    if evidence.get("artifact"):
        properties["artifact"] = evidence["artifact"]
    if evidence.get("matched") and not region:
        properties["matched"] = evidence["matched"]
    return {
        "physicalLocation": physical,
        "logicalLocations": [
            {"name": path, "fullyQualifiedName": CHAIN_SEPARATOR.join(chain), "kind": "file"}
        ],
        "properties": properties,
    }


def evidence_locations(
    evidence: list[dict[str, Any]], artifacts: ArtifactIndex, virtual: bool
) -> list[dict[str, Any]]:
    """The locations of a list of evidence, in order, each place once."""
    seen: set[tuple[Any, ...]] = set()
    locations = []
    for item in evidence:
        key = (item.get("artifact"), item.get("location"), item.get("offset"), item.get("line"))
        if key in seen:
            continue
        seen.add(key)
        locations.append(evidence_location(item, artifacts, virtual))
    return locations
