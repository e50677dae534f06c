"""The `evaluation.json` document: the Evaluation as versioned, sorted, documented JSON."""

import json
from typing import Any, BinaryIO

from assay.catalog.copies import copies_report
from assay.model.artifact import Artifact
from assay.model.component import Component, Evidence
from assay.model.evaluation import Evaluation
from assay.model.ids import display_path
from assay.model.problem import Problem
from assay.report.findings_json import facts_json, finding_json, vulndata_json, vulnerability_json


def artifact_json(artifact: Artifact) -> dict[str, Any]:
    """One artifact as a JSON object; absent optional fields are omitted."""
    record: dict[str, Any] = {
        "id": artifact.id,
        "path": display_path(artifact.path),
        "location": display_path(artifact.location),
        "chain": [display_path(part) for part in artifact.chain],
        "sha256": artifact.sha256,
        "size": artifact.size,
        "kind": artifact.kind.value,
        "depth": artifact.depth,
        "mode": f"{artifact.mode:04o}",
    }
    optional: dict[str, Any] = {
        "parent": artifact.parent,
        "extractor": artifact.extractor,
        "format": artifact.format,
        "link_target": display_path(artifact.link_target) if artifact.link_target else None,
        "duplicate_of": artifact.duplicate_of,
        "flags": list(artifact.flags) or None,
        "metadata": dict(artifact.metadata) or None,
    }
    if artifact.elf is not None:
        optional["elf"] = {
            "machine": artifact.elf.machine,
            "bits": artifact.elf.bits,
            "endian": artifact.elf.endian,
            "type": artifact.elf.elf_type,
        }
    record.update({key: value for key, value in optional.items() if value is not None})
    return record


def problem_json(problem: Problem) -> dict[str, Any]:
    """One problem as a JSON object."""
    record: dict[str, Any] = {
        "kind": problem.kind.value,
        "level": problem.level.value,
        "stage": problem.stage,
        "message": display_path(problem.message),
        "location": display_path(problem.location),
    }
    for key in ("artifact", "member", "extractor"):
        value = getattr(problem, key)
        if value is not None:
            record[key] = display_path(value)
    return record


def evidence_json(evidence: Evidence) -> dict[str, Any]:
    """One piece of evidence: the file (or record) and, for bytes, offset and matched text."""
    record: dict[str, Any] = {
        "artifact": evidence.artifact,
        "location": display_path(evidence.location),
        "method": evidence.method,
    }
    optional = {
        "offset": evidence.offset,
        "matched": evidence.matched,
        "record": evidence.record,
        "embedded": evidence.embedded or None,
    }
    record.update({key: value for key, value in optional.items() if value is not None})
    return record


def component_json(component: Component) -> dict[str, Any]:
    """One component with its identifiers and every piece of evidence."""
    record: dict[str, Any] = {
        "id": component.id,
        "product": component.product,
        "name": component.name,
        "version": component.version,
        "type": component.type.value,
        "purl": component.purl,
        "cpes": list(component.cpes),
        "found_by": list(component.found_by),
        "confidence": component.confidence.value,
        "evidence": [evidence_json(e) for e in component.evidence],
    }
    optional = {
        "supplier": component.supplier,
        "licenses": list(component.licenses) or None,
        "eol": component.eol,
        "ecosystem": component.ecosystem,
    }
    record.update({key: value for key, value in optional.items() if value is not None})
    return record


def copies_json(evaluation: Evaluation) -> list[dict[str, Any]]:
    """The copies report: per product, each version and where its copies sit."""
    return [
        {
            "product": product.product,
            "name": product.name,
            "copies": product.copies,
            "versions": [
                {
                    "version": v.version,
                    "copies": len(v.locations),
                    "embedded": v.embedded,
                    "eol": v.eol,
                    "locations": [display_path(loc) for loc in v.locations],
                }
                for v in product.versions
            ],
        }
        for product in copies_report(list(evaluation.components))
    ]


def summary_json(evaluation: Evaluation) -> dict[str, Any]:
    """Counts a person or a script reads first."""
    kinds: dict[str, int] = {}
    formats: dict[str, int] = {}
    problems: dict[str, int] = {}
    for artifact in evaluation.artifacts:
        kinds[artifact.kind.value] = kinds.get(artifact.kind.value, 0) + 1
        if artifact.format:
            formats[artifact.format] = formats.get(artifact.format, 0) + 1
    for problem in evaluation.problems:
        problems[problem.kind.value] = problems.get(problem.kind.value, 0) + 1
    files = [a for a in evaluation.artifacts if a.sha256]
    return {
        "complete": evaluation.complete,
        "artifacts": len(evaluation.artifacts),
        "files": len(files),
        "unique_files": len({a.sha256 for a in files}),
        "bytes": sum(a.size for a in files),
        "max_depth": max((a.depth for a in evaluation.artifacts), default=0),
        "by_kind": dict(sorted(kinds.items())),
        "containers_by_format": dict(sorted(formats.items())),
        "problems_by_kind": dict(sorted(problems.items())),
        "components": len(evaluation.components),
        "findings_by_severity": _by_severity(evaluation),
        "vulnerabilities": len(evaluation.vulnerabilities),
        "kev": sum(1 for v in evaluation.vulnerabilities if v.kev is not None),
    }


def _by_severity(evaluation: Evaluation) -> dict[str, int]:
    counts: dict[str, int] = {}
    severities = [f.severity for f in evaluation.findings]
    severities += [v.severity for v in evaluation.vulnerabilities]
    for severity in severities:
        counts[severity.label] = counts.get(severity.label, 0) + 1
    return dict(sorted(counts.items()))


def evaluation_json(evaluation: Evaluation) -> dict[str, Any]:
    """The whole evaluation as a JSON-ready dict (schema `docs/evaluation.schema.json`)."""
    release = evaluation.release
    return {
        "schema": "https://assay.dev/schemas/evaluation",
        "schema_version": evaluation.schema_version,
        "tool": {"name": "assay", "version": evaluation.tool_version},
        "release": {
            "id": release.id,
            "name": display_path(release.name),
            "input_path": display_path(release.input_path),
            "input_kind": release.input_kind,
            "sha256": release.sha256,
            "size": release.size,
            "vendor": release.vendor,
            "product": release.product,
            "version": release.version,
        },
        "started": evaluation.started,
        "finished": evaluation.finished,
        "limits": dict(evaluation.limits),
        "stages": [
            {"name": s.name, "status": s.status.value, "seconds": s.seconds, "message": s.message}
            for s in evaluation.stages
        ],
        "summary": summary_json(evaluation),
        "artifacts": [artifact_json(a) for a in evaluation.artifacts],
        "components": [component_json(c) for c in evaluation.components],
        "copies": copies_json(evaluation),
        "findings": [finding_json(f) for f in evaluation.findings],
        "vulnerabilities": [vulnerability_json(v) for v in evaluation.vulnerabilities],
        "vulndata": vulndata_json(evaluation.vulndata),
        "facts": facts_json(evaluation),
        "problems": [problem_json(p) for p in evaluation.problems],
    }


def write_evaluation(evaluation: Evaluation, out: BinaryIO) -> None:
    """Write `evaluation.json` to a binary stream."""
    text = json.dumps(evaluation_json(evaluation), indent=2, sort_keys=False, ensure_ascii=False)
    out.write(text.encode("utf-8") + b"\n")
