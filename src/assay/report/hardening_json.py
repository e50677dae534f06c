"""The `hardening` section of evaluation.json and the objects of `assay hardening --json`: one
object per ELF path (keys follow checksec's JSON where it has them, with JSON types instead of
"yes"/"no" strings; see docs/hardening.md) and the release's hardening matrix."""

from typing import Any

from assay.model.hardening import HardeningFacts, HardeningRow, MatrixCell, MatrixRow, Pie
from assay.model.ids import display_path


def facts_to_json(facts: HardeningFacts) -> dict[str, Any]:
    """The hardening facts as a JSON-ready dict, in a deterministic order."""
    distinct = [row for row in facts.rows if row.copy_of is None]
    return {
        "kernel": facts.kernel,
        "summary": {
            "files": len(facts.rows),
            "distinct": len(distinct),
            "executables": sum(1 for r in distinct if r.elf.role.value == "executable"),
            "libraries": sum(1 for r in distinct if r.elf.role.value == "library"),
            "unreadable": facts.unreadable,
            "skipped": dict(sorted(facts.skipped)),
        },
        "matrix": [matrix_row_json(row) for row in facts.matrix],
        "files": [row_json(row) for row in sorted(facts.rows, key=_order)],
    }


def row_json(row: HardeningRow) -> dict[str, Any]:
    """One ELF path: `relro` none|partial|full; `canary`, `fortify` true|false|null (null:
    unknowable, a stripped static binary); `pie` true|false|"dso"; `rpath`/`runpath` the entries
    (empty list when absent)."""
    elf = row.elf
    fortify = elf.fortify
    return {
        "path": display_path(row.path),
        "location": display_path(row.location),
        "artifact": row.artifact,
        "sha256": row.sha256,
        "copy_of": row.copy_of,
        "arch": elf.machine,
        "bits": elf.bits,
        "endian": elf.endian,
        "type": elf.role.value,
        "linking": elf.linking.value,
        "relro": elf.relro.value,
        "canary": elf.canary,
        "nx": elf.nx,
        "stack": elf.stack.value,
        "pie": _pie(elf.pie),
        "fortify": fortify.enabled,
        "fortified": None if fortify.fortified is None else len(fortify.fortified),
        "fortifiable": None if fortify.fortifiable is None else len(fortify.fortifiable),
        "fortified_functions": _names(fortify.fortified),
        "fortifiable_functions": _names(fortify.fortifiable),
        "rpath": [display_path(e) for e in elf.rpath or ()],
        "runpath": [display_path(e) for e in elf.runpath or ()],
        "insecure_paths": [display_path(e) for e in elf.insecure_paths],
        "stripped": elf.stripped,
        "setuid": row.setuid,
        "setgid": row.setgid,
    }


def matrix_row_json(row: MatrixRow) -> dict[str, Any]:
    """One property of the matrix with its executable and library cells."""
    return {
        "property": row.property,
        "description": row.description,
        "desirable": row.desirable,
        "executables": _cell(row.executables),
        "libraries": _cell(row.libraries),
    }


def _cell(cell: MatrixCell) -> dict[str, Any]:
    return {
        "have": cell.have,
        "unknown": cell.unknown,
        "total": cell.total,
        "percent": cell.percent,
    }


def _pie(pie: Pie) -> bool | str:
    return "dso" if pie is Pie.DSO else pie is Pie.YES


def _names(names: tuple[str, ...] | None) -> list[str] | None:
    return None if names is None else list(names)


def _order(row: HardeningRow) -> tuple[str, str]:
    return row.path, row.location
