"""Merging sightings: one component per (product, version), every location kept."""

from collections import defaultdict
from collections.abc import Iterable

from assay.catalog.base import Observation
from assay.model.component import CONFIDENCE_ORDER, Component
from assay.model.ids import stable_id


def merge(observations: Iterable[Observation], eol: dict[tuple[str, str], str]) -> list[Component]:
    """Components from sightings, sorted by product and version; `eol` maps (product, version) to
    an end-of-life date where one is known."""
    groups: dict[tuple[str, str], list[Observation]] = defaultdict(list)
    for observation in observations:
        groups[(observation.product, observation.version)].append(observation)
    return [_component(key, group, eol.get(key)) for key, group in sorted(groups.items())]


def _component(key: tuple[str, str], group: list[Observation], eol: str | None) -> Component:
    product, version = key
    lead = max(group, key=lambda o: (CONFIDENCE_ORDER[o.confidence], o.purl is not None))
    evidence = sorted(
        {o.evidence for o in group},
        key=lambda e: (e.location, e.offset if e.offset is not None else -1, e.method),
    )
    cpes = tuple(dict.fromkeys(c for o in group for c in o.cpes))
    return Component(
        id=stable_id("component", product, version),
        product=product,
        name=lead.name,
        version=version,
        type=lead.type,
        purl=lead.purl or next((o.purl for o in group if o.purl), None),
        cpes=cpes,
        found_by=tuple(sorted({o.found_by for o in group})),
        confidence=lead.confidence,
        evidence=tuple(evidence),
        supplier=lead.supplier,
        licenses=tuple(dict.fromkeys(lic for o in group for lic in o.licenses)),
        eol=eol,
        ecosystem=lead.ecosystem,
    )
