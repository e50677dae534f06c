"""The census of one ELF file: which listed functions it imports, and where it calls them —
the sweep for its architecture, then attribution of the targets to names, and how complete the
counts are."""

from collections.abc import Mapping
from dataclasses import dataclass, field

import capstone as cs

from assay.checks.census import dynamic as dt
from assay.checks.census.arch import Arch, arch_for, disassembler
from assay.checks.census.armmodes import (
    arm_pieces,
    default_mode,
    function_marks,
    sweep_arm_unknown_modes,
)
from assay.checks.census.elfimage import STT_FUNC, ElfImage
from assay.checks.census.names import Names, collect_names, got_base, mips_gp, ppc64_toc
from assay.checks.census.resolve import Resolver, StubSetup, attribute
from assay.checks.census.stub_steps import arm_step, mips_step, ppc_step
from assay.checks.census.stubs import CodeMap, StubState, aarch64_step, x86_step
from assay.checks.census.sweep import (
    ARM_MODE,
    SweepResult,
    sweep_aarch64,
    sweep_arm,
    sweep_x86,
)
from assay.checks.census.sweep_mips import LocalGot, MipsSweep
from assay.checks.census.sweep_ppc import WordReader, sweep_ppc
from assay.checks.census.table import FunctionTable
from assay.model.census import Coverage, Linkage

Handles = tuple[cs.Cs, ...]
PLT_SECTIONS = frozenset({".plt", ".plt.sec", ".plt.got", ".plt.bnd", ".iplt", ".MIPS.stubs"})
MIPS_GP_WINDOW = 0x10000
EF_MIPS_ARCH_ASE_M16, STO_MIPS16 = 0x04000000, 0xF0


@dataclass(frozen=True, slots=True)
class BinaryScan:
    """What the census found in one file, before it is classified by family."""

    linkage: Linkage
    stripped: bool
    coverage: Coverage
    notes: tuple[str, ...]
    code_bytes: int
    sites: Mapping[str, list[int]] = field(default_factory=dict)
    imports: frozenset[str] = frozenset()


def scan_binary(data: bytes, table: FunctionTable) -> BinaryScan:
    """Census one ELF file (raises one of `elfimage.ELF_ERRORS` when it cannot be parsed)."""
    image = ElfImage(data)
    linkage = _linkage(image)
    stripped = not any(s.type == "SHT_SYMTAB" for s in image.sections)
    arch = arch_for(image.machine, image.bits, image.little, image.flags)
    if arch is None:
        imports = frozenset(
            s.name for s in image.dynsym if not s.defined and table.classify(s.name)
        )
        note = f"no disassembler for ELF machine {image.machine}: imports only"
        return BinaryScan(linkage, stripped, Coverage.UNKNOWN, (note,), 0, {}, imports)
    names = collect_names(image, arch, table)
    if not names.functions and not names.canonical and not any(names.slots.values()):
        note = "no symbol names to attribute calls to" + (
            " (statically linked and stripped)" if linkage is Linkage.STATIC and stripped else ""
        )
        return BinaryScan(linkage, stripped, Coverage.UNKNOWN, (note,), 0, {}, frozenset())
    return _sweep_and_attribute(image, arch, names, table, linkage, stripped)


def _linkage(image: ElfImage) -> Linkage:
    """Dynamic: an interpreter, a DT_NEEDED library, or an imported function (a plugin whose
    host program provides its functions); static otherwise (ld.so itself is static here)."""
    if image.has_interp or image.dynamic.get(dt.NEEDED_COUNT):
        return Linkage.DYNAMIC
    imports = any(s.name and not s.defined and s.type == STT_FUNC for s in image.dynsym)
    return Linkage.DYNAMIC if imports else Linkage.STATIC


def _sweep_and_attribute(
    image: ElfImage,
    arch: Arch,
    names: Names,
    table: FunctionTable,
    linkage: Linkage,
    stripped: bool,
) -> BinaryScan:
    regions = list(image.code_regions())
    code = CodeMap([(address, data) for _, address, data in regions])
    swept = [(address, data) for name, address, data in regions if name not in PLT_SECTIONS]
    notes: list[str] = []
    handles = tuple(disassembler(arch, mode) for mode in arch.modes)
    zones = None
    if image.sections and arch.kind != "ppc":
        zones = [(s.address, s.address + s.size) for s in image.sections if s.name in PLT_SECTIONS]
    setup = _stub_setup(image, arch, notes)
    resolver = Resolver(names, code, handles, setup, zones, bss_plt=arch.name == "powerpc")
    result = SweepResult()
    if _names_listed(names, table):  # otherwise no call can be to a listed function
        result = _sweep(image, arch, handles, swept, resolver, _jump_filter(names, zones), notes)
    found = attribute(result, resolver, lambda name: table.classify(name) is not None)
    lower = list(notes)
    if found.unresolved_sites:
        lower.append(f"{found.unresolved_sites} call sites into PLT stubs whose slot has no symbol")
    if linkage is Linkage.STATIC and stripped:
        lower.append("statically linked and stripped: only exported functions have names")
    uncalled = sorted(names.imports - set(found.sites))
    info = [f"imported, no direct call found: {', '.join(uncalled)}"] if uncalled else []
    coverage = Coverage.LOWER_BOUND if lower else Coverage.COMPLETE
    return BinaryScan(
        linkage,
        stripped,
        coverage,
        tuple(lower + info),
        result.code_bytes,
        dict(found.sites),
        frozenset(names.imports),
    )


def _sweep(
    image: ElfImage,
    arch: Arch,
    handles: Handles,
    swept: list[tuple[int, bytes]],
    resolver: Resolver,
    jump_filter: SweepResult,
    notes: list[str],
) -> SweepResult:
    """Run the architecture's sweep over the code (not the PLT sections)."""
    result = jump_filter
    if arch.kind == "x86":
        sweep_x86(handles[0], swept, got_base(image) if arch.bits == 32 else None, result)
    elif arch.kind == "aarch64":
        sweep_aarch64(handles[0], swept, result)
    elif arch.kind == "arm":
        pieces, known = arm_pieces(image, swept)
        if known:
            sweep_arm((handles[0], handles[1]), pieces, result)
        else:
            notes.append("ARM/Thumb modes inferred: no mapping or function symbols")
            fallback = default_mode(image, function_marks(image.dynsym))
            result = sweep_arm_unknown_modes(
                (handles[0], handles[1]), swept, resolver, result, fallback
            )
    elif arch.kind == "mips":
        got = image.dynamic.get(dt.PLTGOT, 0)
        local = LocalGot(
            got, got + image.dynamic.get(dt.MIPS_LOCAL_GOTNO, 0) * image.word, image.read_word
        )
        MipsSweep(mips_gp(image) or 0, arch.bits, local, result).run(handles[0], swept)
    else:
        sweep_ppc(handles[0], swept, WordReader(image.read, not image.little), result)
    return result


def _names_listed(names: Names, table: FunctionTable) -> bool:
    """Whether any name a call target can be given is in the census table."""
    return any(
        table.classify(name) is not None
        for source in (names.functions, names.canonical, names.slots)
        for name in source.values()
    )


def _jump_filter(names: Names, zones: list[tuple[int, int]] | None) -> SweepResult:
    """An empty sweep result that records only the jumps that can be tail calls: to a named
    function or into the PLT sections — every jump when the stubs' place is unknown."""
    if zones is None:
        return SweepResult()
    starts, ends = [start for start, _ in zones], [end for _, end in zones]
    named = frozenset(names.functions) | frozenset(names.canonical)
    return SweepResult(
        keep_jumps_to=named, stub_zone=(min(starts, default=0), max(ends, default=0))
    )


def _stub_setup(image: ElfImage, arch: Arch, notes: list[str]) -> StubSetup:
    """How to start evaluating a stub for a target's context (ARM mode, PowerPC r30)."""
    mask = (1 << arch.bits) - 1
    if arch.kind == "x86":
        base = got_base(image) if arch.bits == 32 else None
        return lambda _: (x86_step(base), StubState())
    if arch.kind == "aarch64":
        return lambda _: (aarch64_step, StubState())
    if arch.kind == "arm":
        word = WordReader(image.read, big_endian=not image.little)
        return lambda mode: (arm_step(word), StubState(mode=mode or ARM_MODE))
    if arch.kind == "mips":
        gp = mips_gp(image)
        if gp is None:
            notes.append("no GOT pointer: calls through the MIPS GOT not counted")
        got = image.section(".got")
        if got is not None and got.size > MIPS_GP_WINDOW:
            notes.append("GOT larger than the 64 KiB gp window: secondary GOTs not resolved")
        if image.flags & EF_MIPS_ARCH_ASE_M16 or any(
            s.other & STO_MIPS16 == STO_MIPS16 for s in image.symtab if s.type == STT_FUNC
        ):
            notes.append("MIPS16 code present: capstone cannot disassemble it")
        return lambda _: (mips_step(gp or 0, mask), StubState())
    if arch.bits == 32:
        return lambda r30: (ppc_step(mask), _ppc_state("r30", r30))
    toc = ppc64_toc(image)
    if toc is None:
        notes.append("no TOC pointer: PowerPC64 call stubs not resolved")
    return lambda _: (ppc_step(mask), _ppc_state("r2", toc))


def _ppc_state(register: str, value: int | None) -> StubState:
    return StubState(values={} if value is None else {register: value})
