"""Hardening findings: one per weakness per distinct file (its copies are more evidence, not
more findings), plus one per setuid/setgid path. Severities are justified in docs/hardening.md."""

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from assay.checks.hardening.stack import depends_on_kernel
from assay.model.finding import Category, Finding, FindingEvidence, Severity
from assay.model.hardening import ElfHardening, ElfRole, HardeningRow, Pie, Relro, StackState
from assay.model.ids import display_path, stable_id

Properties = tuple[tuple[str, str | int | float | bool], ...]
MAX_LISTED = 12


@dataclass(frozen=True, slots=True)
class Weakness:
    """One missing mitigation of one file, before it becomes a finding."""

    rule: str
    severity: Severity
    title: str
    message: str
    properties: Properties = ()
    matched: str | None = None


def hardening_findings(rows: Sequence[HardeningRow]) -> tuple[Finding, ...]:
    """Findings for every weakness of every distinct file and every setuid/setgid path."""
    groups: dict[str, list[HardeningRow]] = defaultdict(list)
    for row in rows:
        groups[row.copy_of or row.artifact].append(row)
    findings = [
        _finding(weakness, group)
        for group in groups.values()
        for weakness in weaknesses(group[0].elf)
    ]
    findings.extend(_privilege_finding(row) for row in rows if row.setuid or row.setgid)
    return tuple(sorted(findings, key=lambda f: (f.rule, f.evidence[0].location, f.id)))


def weaknesses(elf: ElfHardening) -> Iterator[Weakness]:
    """The missing mitigations of one file, most severe first."""
    yield from _stack(elf)
    if elf.role is ElfRole.EXECUTABLE and elf.pie is Pie.NO:
        yield Weakness(
            "elf.pie.missing",
            Severity.MEDIUM,
            "Not position-independent (no PIE)",
            "The program is linked at a fixed address (ET_EXEC): ASLR cannot move its code, "
            "so its gadgets sit at known addresses.",
        )
    yield from _relro(elf)
    if elf.canary is False:
        yield Weakness(
            "elf.canary.missing",
            Severity.MEDIUM,
            "No stack canary",
            "No function is protected by a stack canary (no __stack_chk_fail or "
            "__stack_chk_guard): a stack buffer overflow reaches the return address unnoticed.",
        )
    yield from _fortify(elf)
    if elf.insecure_paths:
        listed = ":".join(elf.insecure_paths)
        yield Weakness(
            "elf.rpath.insecure",
            Severity.MEDIUM,
            "Insecure RPATH/RUNPATH",
            f"The library search path has entries another user can fill ({listed!r}): "
            "an empty or relative entry (the working directory) or a world-writable directory.",
            (("entries", listed),),
            listed,
        )


def _stack(elf: ElfHardening) -> Iterator[Weakness]:
    if elf.stack is StackState.EXECUTABLE:
        yield Weakness(
            "elf.stack.executable",
            Severity.HIGH,
            "Executable stack",
            "PT_GNU_STACK requests an executable stack (PF_X): code written to the stack "
            "runs, and ld.so makes every thread's stack executable for the whole process.",
        )
    elif elf.stack is StackState.DEFAULT_EXECUTABLE:
        on_kernel = depends_on_kernel(elf.machine)
        when = " on Linux before 5.8" if on_kernel else ""
        yield Weakness(
            "elf.nx.missing",
            Severity.MEDIUM if on_kernel else Severity.HIGH,
            "No NX marking (PT_GNU_STACK missing)",
            f"Without PT_GNU_STACK the kernel's default for {elf.machine} applies: the stack "
            f"and all readable memory are executable{when}.",
            (("machine", elf.machine),),
        )


def _relro(elf: ElfHardening) -> Iterator[Weakness]:
    if elf.relro is Relro.NONE:
        yield Weakness(
            "elf.relro.none",
            Severity.MEDIUM,
            "No RELRO",
            "No PT_GNU_RELRO: the GOT and other relocated data stay writable, so a write "
            "primitive can redirect calls.",
        )
    elif elf.relro is Relro.PARTIAL:
        yield Weakness(
            "elf.relro.partial",
            Severity.LOW,
            "Partial RELRO",
            "PT_GNU_RELRO without immediate binding (BIND_NOW): the lazily bound part of the "
            "GOT (.got.plt) stays writable.",
        )


def _fortify(elf: ElfHardening) -> Iterator[Weakness]:
    fortify = elf.fortify
    if fortify.fortified == () and fortify.fortifiable:
        listed = ", ".join(fortify.fortifiable[:MAX_LISTED])
        more = len(fortify.fortifiable) - MAX_LISTED
        yield Weakness(
            "elf.fortify.missing",
            Severity.LOW,
            "FORTIFY_SOURCE not used",
            f"Calls {len(fortify.fortifiable)} function(s) that have fortified variants but "
            f"no fortified one: {listed}{f' and {more} more' if more > 0 else ''}.",
            (("fortifiable", len(fortify.fortifiable)),),
        )


def _finding(weakness: Weakness, group: list[HardeningRow]) -> Finding:
    """A weakness of a file as a finding; setuid/setgid copies raise its severity one step (the
    program runs with privileges an attacker wants), at most to high."""
    ordered = sorted(group, key=lambda r: (r.path, r.location))
    privileged = any(r.setuid or r.setgid for r in group)
    severity = weakness.severity
    if privileged and severity < Severity.HIGH:
        severity = Severity(severity + 1)
    elf = ordered[0].elf
    properties: Properties = (
        ("arch", elf.machine),
        ("bits", elf.bits),
        ("type", elf.role.value),
        *weakness.properties,
        *((("privileged", True),) if privileged else ()),
    )
    return Finding(
        id=stable_id("finding", weakness.rule, ordered[0].path),
        rule=weakness.rule,
        category=Category.HARDENING,
        severity=severity,
        title=weakness.title,
        message=f"{display_path(ordered[0].path)}: {weakness.message}",
        evidence=tuple(
            FindingEvidence(artifact=r.artifact, location=r.location, matched=weakness.matched)
            for r in ordered
        ),
        properties=properties,
    )


def _privilege_finding(row: HardeningRow) -> Finding:
    bits = [name for name, on in (("setuid", row.setuid), ("setgid", row.setgid)) if on]
    what = " and ".join(bits)
    return Finding(
        id=stable_id("finding", "elf.setuid", row.path),
        rule="elf.setuid",
        category=Category.HARDENING,
        severity=Severity.MEDIUM if row.setuid else Severity.LOW,
        title=f"{what.capitalize()} program",
        message=(
            f"{display_path(row.path)} is {what}: it runs with its owner's (or group's) "
            "privileges whoever starts it, so each of its bugs is a privilege escalation."
        ),
        evidence=(FindingEvidence(artifact=row.artifact, location=row.location),),
        properties=(("setuid", row.setuid), ("setgid", row.setgid)),
    )
