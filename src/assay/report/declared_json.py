"""The `declared` section of evaluation.json: a vendor SBOM compared with what was found."""

from typing import Any

from assay.catalog.declared import Comparison, Match, declared_version
from assay.catalog.vendor_sbom import DeclaredComponent
from assay.model.component import Component
from assay.model.ids import display_path


def declared_json(comparison: Comparison) -> dict[str, Any]:
    """The comparison as a JSON-ready dict (schema: `$defs/declared` in evaluation.schema.json)."""
    source = comparison.source
    return {
        "source": {
            "path": display_path(source.path),
            "format": source.format,
            "sha256": source.sha256,
        },
        "summary": {
            "declared": len(source.components),
            "matched": len(comparison.matched),
            "version_mismatch": len(comparison.version_mismatch),
            "missing": len(comparison.missing),
            "undeclared": len(comparison.undeclared),
        },
        "matched": [_match(m) for m in comparison.matched],
        "version_mismatch": [_match(m) for m in comparison.version_mismatch],
        "missing": [entry_json(d) for d in comparison.missing],
        "undeclared": [_found(c, locations=True) for c in comparison.undeclared],
    }


def entry_json(declared: DeclaredComponent) -> dict[str, Any]:
    """One declared entry as the vendor wrote it."""
    return {
        "ref": declared.ref,
        "name": declared.name,
        "version": declared_version(declared),
        "purl": declared.purl.to_string() if declared.purl is not None else None,
        "cpes": list(declared.cpes),
    }


def _match(match: Match) -> dict[str, Any]:
    return {
        "declared": entry_json(match.declared),
        "by": match.by,
        "found": [_found(c, locations=False) for c in match.components],
    }


def _found(component: Component, locations: bool) -> dict[str, Any]:
    record: dict[str, Any] = {
        "component": component.id,
        "product": component.product,
        "name": component.name,
        "version": component.version,
    }
    if locations:
        where = dict.fromkeys(display_path(e.location) for e in component.evidence)
        record["locations"] = list(where)
    return record
