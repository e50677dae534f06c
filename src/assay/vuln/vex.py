"""Triage decisions from VEX files (OpenVEX, CycloneDX VEX), applied to vulnerabilities.

Files are JSON: an OpenVEX document (also as the predicate of an in-toto statement, bare or in a
DSSE envelope, as `vexctl attest` writes it) or a CycloneDX BOM with vulnerabilities.

A decision applies to a vulnerability when its vulnerability id, or one of its aliases, is the
vulnerability's id and one of its products names the vulnerability's component (by purl without
version, product key or CPE vendor:product; a version in the reference restricts it to that
version: see `vex_statement`). So a decision made on one release carries over to the same product
in the next. When several apply, the latest wins: ordered by their time (statement, else
document), then by the order the files were given in, then by position in the file.
"""

import base64
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from assay.model.component import Component
from assay.model.ids import display_path
from assay.model.vulnerability import Triage, Vulnerability
from assay.vuln.vex_cyclonedx import is_cyclonedx, read_cyclonedx
from assay.vuln.vex_openvex import CONTEXT_PREFIX as OPENVEX_PREFIX
from assay.vuln.vex_openvex import is_openvex, read_openvex
from assay.vuln.vex_statement import Target, VexError, VexFile, VexStatement, target_for

__all__ = ["VexDecisions", "VexError", "apply", "load_vex", "read_vex_file"]

MAX_FILE_BYTES = 256 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class VexDecisions:
    """The decisions of every VEX file given, indexed by vulnerability id and alias."""

    files: tuple[VexFile, ...] = ()
    _index: dict[str, tuple[VexStatement, ...]] = field(
        init=False, repr=False, compare=False, default_factory=dict
    )

    def __post_init__(self) -> None:
        index: dict[str, list[VexStatement]] = {}
        for statement in self.statements:
            for name in statement.names:
                index.setdefault(name, []).append(statement)
        latest_first = {k: tuple(sorted(v, key=_order, reverse=True)) for k, v in index.items()}
        object.__setattr__(self, "_index", latest_first)

    @property
    def statements(self) -> tuple[VexStatement, ...]:
        """Every usable statement, file by file."""
        return tuple(s for f in self.files for s in f.statements)

    def decision_for(
        self, vulnerability: Vulnerability, component: Component | None
    ) -> Triage | None:
        """The latest decision about this vulnerability of this component, or None."""
        if vulnerability.cve.upper() not in self._index:
            return None
        return self._decision(vulnerability, _target(vulnerability, component))

    def _decision(self, vulnerability: Vulnerability, target: Target) -> Triage | None:
        for statement in self._index.get(vulnerability.cve.upper(), ()):
            if any(target.matches(product) for product in statement.products):
                return statement.triage
        return None


def load_vex(paths: Sequence[Path]) -> VexDecisions:
    """The decisions of the VEX files, in the order given (later files win ties of time).
    VexError, naming the file, for one that cannot be read."""
    return VexDecisions(tuple(read_vex_file(path, number) for number, path in enumerate(paths)))


def read_vex_file(path: Path, number: int = 0) -> VexFile:
    """One OpenVEX or CycloneDX VEX file; `number` orders it among the files given."""
    name = display_path(str(path))
    document = _json(path, name)
    if is_cyclonedx(document):
        reader = read_cyclonedx
    elif is_openvex(document):
        reader = read_openvex
    else:
        raise VexError(f"{name}: neither an OpenVEX document nor a CycloneDX BOM")
    try:
        return reader(document, name, number)
    except ValueError as err:
        raise VexError(_one_line(f"{name}: {err}")) from None


def apply(
    vulnerabilities: Iterable[Vulnerability],
    components: Iterable[Component],
    decisions: VexDecisions,
) -> tuple[Vulnerability, ...]:
    """The vulnerabilities, each with the triage of the latest decision that applies to it (one
    without a decision keeps the triage it had)."""
    by_id = {c.id: c for c in components}
    targets: dict[tuple[str, str, str], Target] = {}
    triaged = []
    for vulnerability in vulnerabilities:
        triage = None
        if vulnerability.cve.upper() in decisions._index:
            key = (vulnerability.component, vulnerability.product, vulnerability.version)
            if key not in targets:
                targets[key] = _target(vulnerability, by_id.get(vulnerability.component))
            triage = decisions._decision(vulnerability, targets[key])
        triaged.append(replace(vulnerability, triage=triage) if triage else vulnerability)
    return tuple(triaged)


def _target(vulnerability: Vulnerability, component: Component | None) -> Target:
    return target_for(component, vulnerability.product, vulnerability.version)


def _order(statement: VexStatement) -> tuple[Any, int, int]:
    return statement.order


def _json(path: Path, name: str) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as err:
        raise VexError(f"{name}: cannot read: {err.strerror or err}") from None
    if len(data) > MAX_FILE_BYTES:
        raise VexError(f"{name}: larger than {MAX_FILE_BYTES // 1024 // 1024} MiB")
    try:
        document = json.loads(data)
    except (ValueError, RecursionError) as err:
        raise VexError(_one_line(f"{name}: not JSON: {err}")) from None
    if not isinstance(document, dict):
        raise VexError(f"{name}: not a JSON object")
    return _unwrapped(document, name)


def _unwrapped(document: dict[str, Any], name: str) -> dict[str, Any]:
    """The VEX document inside an in-toto statement (`vexctl attest`), itself possibly inside a
    DSSE envelope (not verified: its signature is the business of whoever passes the file)."""
    if isinstance(document.get("payload"), str) and "payloadType" in document:
        try:
            document = json.loads(base64.b64decode(document["payload"], validate=True))
        except (ValueError, RecursionError) as err:
            raise VexError(_one_line(f"{name}: DSSE payload is not JSON: {err}")) from None
        if not isinstance(document, dict):
            raise VexError(f"{name}: DSSE payload is not a JSON object")
    predicate = document.get("predicate")
    if str(document.get("predicateType", "")).startswith(OPENVEX_PREFIX):
        if not isinstance(predicate, dict):
            raise VexError(f"{name}: in-toto statement without an OpenVEX predicate")
        return predicate
    return document


def _one_line(text: str) -> str:
    return text.replace("\r", " ").replace("\n", " ")
