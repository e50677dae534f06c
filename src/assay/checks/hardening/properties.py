"""Each hardening property of one ELF file, computed from the facts read by elfinfo."""

from assay.checks.hardening.elfinfo import (
    DT_BIND_NOW,
    DT_FLAGS,
    DT_FLAGS_1,
    ElfInfo,
)
from assay.checks.hardening.fortify import fortify_usage
from assay.checks.hardening.rpath import insecure_entries, split_path_list
from assay.checks.hardening.stack import stack_state
from assay.model.hardening import ElfHardening, ElfRole, Linking, Pie, Relro

DF_BIND_NOW = 0x8
DF_1_NOW = 0x1
DF_1_PIE = 0x08000000
# __stack_chk_fail_local: i386 and PowerPC PIC code; __stack_chk_guard: the global canary of
# ports without a TLS canary (older ARM, MIPS, PowerPC glibc, uClibc, bionic);
# __stack_smash_handler: GCC's original ProPolice (old uClibc); __intel_security_cookie: icc.
CANARY_SYMBOLS = frozenset(
    {
        "__stack_chk_fail",
        "__stack_chk_fail_local",
        "__stack_chk_guard",
        "__stack_smash_handler",
        "__intel_security_cookie",
    }
)
KERNEL_SECTIONS = frozenset({"__ksymtab", "__ksymtab_gpl", "__ksymtab_strings"})
ASSESSED_TYPES = frozenset({"executable", "shared-object"})


def skip_reason(info: ElfInfo) -> str | None:
    """Why a file is not assessed (its mitigations are not decided by its own headers), or None:
    relocatable objects and kernel modules are only halfway to a link, a kernel image is not
    loaded by ld.so or run as a process, a core dump is not code."""
    if info.elf_type not in ASSESSED_TYPES:
        return {"relocatable": "relocatable", "core": "core"}.get(info.elf_type, "other-type")
    if info.section_names & KERNEL_SECTIONS and info.interpreter is None:
        return "kernel-image"
    return None


def assess(info: ElfInfo, kernel: str | None) -> ElfHardening:
    """The mitigations of an assessable ELF file, on the given kernel release (None: unknown)."""
    role, pie = role_and_pie(info)
    linking = linking_of(info, role)
    rpath = split_path_list(info.dynamic.rpath if info.dynamic else None)
    runpath = split_path_list(info.dynamic.runpath if info.dynamic else None)
    return ElfHardening(
        machine=info.machine,
        bits=info.bits,
        endian=info.endian,
        role=role,
        linking=linking,
        stack=stack_state(info.machine, info.bits, info.gnu_stack_flags, kernel),
        pie=pie,
        relro=relro_of(info),
        canary=canary_of(info, linking),
        fortify=fortify_usage(called_functions(info, linking), linking is Linking.STATIC),
        rpath=rpath,
        runpath=runpath,
        insecure_paths=tuple(dict.fromkeys(insecure_entries(rpath) + insecure_entries(runpath))),
        stripped=not info.has_symtab,
    )


def role_and_pie(info: ElfInfo) -> tuple[ElfRole, Pie]:
    """ET_EXEC is a position-dependent program. ET_DYN is a PIE when DT_FLAGS_1 says so, a
    library when it has a DT_SONAME, else a PIE when it names an interpreter (PIEs linked before
    binutils 2.26 have no DF_1_PIE), else a library."""
    if info.elf_type == "executable":
        return ElfRole.EXECUTABLE, Pie.NO
    dynamic = info.dynamic
    if dynamic is not None and (dynamic.value(DT_FLAGS_1) or 0) & DF_1_PIE:
        return ElfRole.EXECUTABLE, Pie.YES
    if dynamic is not None and dynamic.soname is not None:
        return ElfRole.LIBRARY, Pie.DSO
    if info.interpreter is not None:
        return ElfRole.EXECUTABLE, Pie.YES
    return ElfRole.LIBRARY, Pie.DSO


def linking_of(info: ElfInfo, role: ElfRole) -> Linking:
    """Dynamic when ld.so loads the file or its libraries; a static PIE is static."""
    needed = info.dynamic is not None and bool(info.dynamic.needed)
    if info.interpreter is not None or needed or role is ElfRole.LIBRARY:
        return Linking.DYNAMIC
    return Linking.STATIC


def relro_of(info: ElfInfo) -> Relro:
    """Full when PT_GNU_RELRO is present and binding is immediate (DT_BIND_NOW, DF_BIND_NOW in
    DT_FLAGS or DF_1_NOW in DT_FLAGS_1), partial with PT_GNU_RELRO alone."""
    if not info.gnu_relro:
        return Relro.NONE
    dynamic = info.dynamic
    if dynamic is not None and (
        dynamic.has(DT_BIND_NOW)
        or (dynamic.value(DT_FLAGS) or 0) & DF_BIND_NOW
        or (dynamic.value(DT_FLAGS_1) or 0) & DF_1_NOW
    ):
        return Relro.FULL
    return Relro.PARTIAL


def canary_of(info: ElfInfo, linking: Linking) -> bool | None:
    """True when a canary symbol is referenced or defined. A dynamically linked file must import
    the failure handler to use a canary, so its dynamic symbols settle it; a static one needs its
    symbol table, without which the answer is unknown (None)."""
    names = info.dynamic_symbols.names | info.static_symbols.names
    if names & CANARY_SYMBOLS:
        return True
    if linking is Linking.DYNAMIC or info.has_symtab:
        return False
    return None


def called_functions(info: ElfInfo, linking: Linking) -> frozenset[str] | None:
    """Functions the file calls that FORTIFY may have replaced: the imports of a dynamically
    linked file; every function in a static file's symbol table (None when stripped)."""
    if linking is Linking.DYNAMIC:
        return info.dynamic_symbols.undefined
    return info.static_symbols.names if info.has_symtab else None
