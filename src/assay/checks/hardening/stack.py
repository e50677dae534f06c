"""Is the stack executable? From PT_GNU_STACK when present; without it, from Linux's default for
the architecture (fs/binfmt_elf.c: `elf_read_implies_exec()` of each arch/*/include/asm/elf.h
decides READ_IMPLIES_EXEC, which makes the stack and every readable mapping executable)."""

from collections.abc import Iterable

from assay.model.component import Component
from assay.model.hardening import StackState

PF_X = 0x1
KERNEL_PRODUCT = "linux_kernel"
# Linux 5.8 (Kees Cook, "Disable automatic READ_IMPLIES_EXEC for 64-bit address spaces") ended
# the executable default for native x86-64 and AArch64 processes.
NX_DEFAULT_SINCE = (5, 8)
KERNEL_DEPENDENT = frozenset({"x86-64", "aarch64"})
# 64-bit PowerPC processes never had it ("the 64bit ABI has never had these issues"); RISC-V
# defines no elf_read_implies_exec and maps data without exec (VM_DATA_FLAGS_NON_EXEC).
NEVER_EXECUTABLE = frozenset({"riscv"})
NEVER_EXECUTABLE_64 = frozenset({"powerpc64"})


def kernel_release(components: Iterable[Component]) -> str | None:
    """The oldest Linux kernel release identified in the release, if any (the conservative
    choice when a release carries more than one)."""
    found = [c.version for c in components if c.product == KERNEL_PRODUCT]
    parsed = [(numeric, text) for text in found if (numeric := _numeric(text)) is not None]
    return min(parsed)[1] if parsed else None


def stack_state(
    machine: str, bits: int, gnu_stack_flags: int | None, kernel: str | None
) -> StackState:
    """The stack's state for an ELF file of this architecture, with these PT_GNU_STACK flags
    (None: no such header), on the given kernel release (None: unknown, assumed older than 5.8)."""
    if gnu_stack_flags is not None:
        return StackState.EXECUTABLE if gnu_stack_flags & PF_X else StackState.NON_EXECUTABLE
    if default_executable(machine, bits, kernel):
        return StackState.DEFAULT_EXECUTABLE
    return StackState.DEFAULT_NON_EXECUTABLE


def default_executable(machine: str, bits: int, kernel: str | None) -> bool:
    """Linux's default without PT_GNU_STACK: executable on 32-bit x86, ARM, 32-bit PowerPC and
    MIPS (on every CPU without RI/XI, i.e. nearly all before MIPS R6) and unknown architectures;
    on x86-64 and AArch64 until Linux 5.8; never on RISC-V or for 64-bit PowerPC processes."""
    if machine in NEVER_EXECUTABLE or (machine in NEVER_EXECUTABLE_64 and bits == 64):
        return False
    if machine in KERNEL_DEPENDENT:
        numeric = _numeric(kernel) if kernel is not None else None
        return numeric is None or numeric < NX_DEFAULT_SINCE
    return True


def depends_on_kernel(machine: str) -> bool:
    """True when the default for `machine` changed with Linux 5.8."""
    return machine in KERNEL_DEPENDENT


def _numeric(release: str) -> tuple[int, int] | None:
    head = release.split("-", 1)[0].split(".")
    if len(head) < 2 or not head[0].isdigit():
        return None
    minor = "".join(ch for ch in head[1] if ch.isdigit()) or "0"
    return int(head[0]), int(minor)
