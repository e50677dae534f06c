"""From one file's scan to its census row, and from the rows to the release's census table."""

from collections import defaultdict
from collections.abc import Iterable

from assay.checks.census.binary import BinaryScan
from assay.checks.census.table import FunctionTable
from assay.model.artifact import Artifact
from assay.model.census import (
    BinaryCensus,
    CensusThroughput,
    Coverage,
    FamilyCount,
    FunctionUse,
    ReleaseCensus,
    ReleaseFunctionCount,
    Safety,
)

FIRST_SITES = 5


def binary_row(artifact: Artifact, scan: BinaryScan, table: FunctionTable) -> BinaryCensus:
    """The census row of one ELF file."""
    uses = []
    for name in sorted(set(scan.sites) | scan.imports):
        listed = table.classify(name)
        if listed is None:
            continue
        sites = scan.sites.get(name, [])
        uses.append(
            FunctionUse(
                name=name,
                family=listed.family,
                safety=listed.safety,
                calls=len(sites),
                imported=name in scan.imports,
                first_sites=tuple(sites[:FIRST_SITES]),
            )
        )
    elf = artifact.elf
    return BinaryCensus(
        artifact=artifact.id,
        path=artifact.path,
        location=artifact.location,
        machine=elf.machine if elf else "unknown",
        bits=elf.bits if elf else 0,
        endian=elf.endian if elf else "unknown",
        elf_type=elf.elf_type if elf else "unknown",
        linkage=scan.linkage,
        stripped=scan.stripped,
        coverage=scan.coverage,
        coverage_notes=scan.notes,
        code_bytes=scan.code_bytes,
        functions=tuple(uses),
        families=family_counts(uses, table),
    )


def family_counts(uses: Iterable[FunctionUse], table: FunctionTable) -> tuple[FamilyCount, ...]:
    """Per family (in table order, only families used): calls and distinct functions by safety."""
    calls: dict[tuple[str, Safety], int] = defaultdict(int)
    names: dict[tuple[str, Safety], set[str]] = defaultdict(set)
    for use in uses:
        calls[(use.family, use.safety)] += use.calls
        names[(use.family, use.safety)].add(use.name)
    counts = []
    for family in table.families:
        unsafe, safe = (family, Safety.UNSAFE), (family, Safety.SAFE)
        if not names[unsafe] and not names[safe]:
            continue
        counts.append(
            FamilyCount(
                family=family,
                unsafe_calls=calls[unsafe],
                safe_calls=calls[safe],
                unsafe_functions=tuple(sorted(names[unsafe])),
                safe_functions=tuple(sorted(names[safe])),
            )
        )
    return tuple(counts)


def release_census(
    rows: Iterable[BinaryCensus], table: FunctionTable, throughput: CensusThroughput
) -> ReleaseCensus:
    """The release's table: every row's uses summed per family and per function."""
    ordered = tuple(sorted(rows, key=lambda row: (row.path, row.location)))
    totals: dict[str, ReleaseFunctionCount] = {}
    for row in ordered:
        for use in row.functions:
            known = totals.get(use.name)
            totals[use.name] = ReleaseFunctionCount(
                name=use.name,
                family=use.family,
                safety=use.safety,
                calls=use.calls + (known.calls if known else 0),
                binaries=1 + (known.binaries if known else 0),
            )
    uses = [
        FunctionUse(f.name, f.family, f.safety, f.calls, imported=False) for f in totals.values()
    ]
    coverage = tuple((c, sum(1 for row in ordered if row.coverage is c)) for c in Coverage)
    return ReleaseCensus(
        families=family_counts(uses, table),
        functions=tuple(sorted(totals.values(), key=lambda f: (f.family, f.safety, f.name))),
        binaries=ordered,
        coverage=coverage,
        throughput=throughput,
        table_version=table.version,
    )
