"""The release's hardening matrix: for each property, how many distinct executables and how many
distinct libraries have it."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from assay.model.hardening import (
    ElfRole,
    HardeningRow,
    Linking,
    MatrixCell,
    MatrixRow,
    Pie,
    Relro,
    StackState,
)

Test = Callable[[HardeningRow], bool | None]


@dataclass(frozen=True, slots=True)
class Property:
    """One column of the matrix: a test per row (None: cannot tell) and what it means."""

    name: str
    description: str
    desirable: bool
    test: Test
    executables_only: bool = False


PROPERTIES: tuple[Property, ...] = (
    Property("nx", "Non-executable stack (NX)", True, lambda r: r.elf.nx),
    Property("pie", "Position-independent executable", True, lambda r: r.elf.pie is Pie.YES, True),
    Property("relro", "RELRO (partial or full)", True, lambda r: r.elf.relro is not Relro.NONE),
    Property("relro-full", "Full RELRO", True, lambda r: r.elf.relro is Relro.FULL),
    Property("canary", "Stack canary", True, lambda r: r.elf.canary),
    Property("fortify", "FORTIFY_SOURCE functions used", True, lambda r: r.elf.fortify.enabled),
    Property("stripped", "Stripped (no symbol table)", True, lambda r: r.elf.stripped),
    Property(
        "executable-stack",
        "Executable stack requested (PT_GNU_STACK with PF_X)",
        False,
        lambda r: r.elf.stack is StackState.EXECUTABLE,
    ),
    Property(
        "rpath-insecure",
        "Insecure RPATH/RUNPATH entry",
        False,
        lambda r: bool(r.elf.insecure_paths),
    ),
    Property("rpath", "RPATH or RUNPATH set", False, lambda r: bool(r.elf.rpath or r.elf.runpath)),
    Property("static", "Statically linked", False, lambda r: r.elf.linking is Linking.STATIC),
    Property("setuid", "setuid or setgid", False, lambda r: r.setuid or r.setgid),
)


def hardening_matrix(rows: Sequence[HardeningRow]) -> tuple[MatrixRow, ...]:
    """The matrix over the distinct files among `rows` (copies are not counted twice)."""
    distinct = [row for row in rows if row.copy_of is None]
    executables = [row for row in distinct if row.elf.role is ElfRole.EXECUTABLE]
    libraries = [row for row in distinct if row.elf.role is ElfRole.LIBRARY]
    return tuple(
        MatrixRow(
            property=prop.name,
            description=prop.description,
            desirable=prop.desirable,
            executables=_cell(executables, prop.test),
            libraries=_cell([] if prop.executables_only else libraries, prop.test),
        )
        for prop in PROPERTIES
    )


def _cell(rows: Sequence[HardeningRow], test: Test) -> MatrixCell:
    answers = [test(row) for row in rows]
    return MatrixCell(
        have=sum(1 for a in answers if a is True),
        unknown=sum(1 for a in answers if a is None),
        total=len(answers),
    )
