"""The `unsafe_functions` section of evaluation.json: the release's census table per family
(the oversight board's numbers: distinct unsafe and safe functions, their calls, % unsafe),
per-function totals, how complete the counts are, the throughput, and one row per binary.
`throughput.seconds` and the rates derived from it change from run to run; everything else is
deterministic (binaries by path, families in table order, functions by family and name)."""

from typing import Any

from assay.model.census import (
    BinaryCensus,
    CensusThroughput,
    FamilyCount,
    FunctionUse,
    ReleaseCensus,
    ReleaseFunctionCount,
)
from assay.model.ids import display_path


def facts_to_json(facts: ReleaseCensus) -> dict[str, Any]:
    """The census facts as a JSON-ready dict, in a deterministic order."""
    return {
        "table_version": facts.table_version,
        "families": [family_json(count) for count in facts.families],
        "functions": [function_total_json(total) for total in facts.functions],
        "coverage": {coverage.value: count for coverage, count in facts.coverage},
        "throughput": throughput_json(facts.throughput),
        "binaries": [binary_json(row) for row in facts.binaries],
    }


def family_json(count: FamilyCount) -> dict[str, Any]:
    """One family's counts; `percent_unsafe` is null when the family has no call."""
    return {
        "family": count.family,
        "unsafe_calls": count.unsafe_calls,
        "safe_calls": count.safe_calls,
        "percent_unsafe": count.percent_unsafe,
        "distinct_unsafe_functions": len(count.unsafe_functions),
        "distinct_safe_functions": len(count.safe_functions),
        "unsafe_functions": list(count.unsafe_functions),
        "safe_functions": list(count.safe_functions),
    }


def function_total_json(total: ReleaseFunctionCount) -> dict[str, Any]:
    """One function across the release."""
    return {
        "name": total.name,
        "family": total.family,
        "safety": total.safety.value,
        "calls": total.calls,
        "binaries": total.binaries,
    }


def throughput_json(throughput: CensusThroughput) -> dict[str, Any]:
    """Files, bytes of code disassembled, seconds, and the rates."""
    return {
        "files": throughput.files,
        "code_bytes": throughput.code_bytes,
        "seconds": throughput.seconds,
        "files_per_second": throughput.files_per_second,
        "megabytes_per_second": throughput.megabytes_per_second,
    }


def binary_json(row: BinaryCensus) -> dict[str, Any]:
    """One ELF file's row; call sites are virtual addresses."""
    return {
        "path": display_path(row.path),
        "location": display_path(row.location),
        "artifact": row.artifact,
        "arch": row.machine,
        "bits": row.bits,
        "endian": row.endian,
        "type": row.elf_type,
        "linkage": row.linkage.value,
        "stripped": row.stripped,
        "coverage": row.coverage.value,
        "coverage_notes": list(row.coverage_notes),
        "code_bytes": row.code_bytes,
        "families": [family_json(count) for count in row.families],
        "functions": [function_use_json(use) for use in row.functions],
    }


def function_use_json(use: FunctionUse) -> dict[str, Any]:
    """One listed function used by one binary."""
    return {
        "name": use.name,
        "family": use.family,
        "safety": use.safety.value,
        "calls": use.calls,
        "imported": use.imported,
        "first_sites": list(use.first_sites),
    }
