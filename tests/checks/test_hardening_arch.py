"""Every hardening property on every architecture: small C programs compiled in the test with
Debian's cross compilers and chosen flags, read back by the hardening check's ELF reader."""

import os
from pathlib import Path

import pytest

from assay.checks.hardening.elfinfo import PT_GNU_STACK, read_elf
from assay.checks.hardening.properties import assess, skip_reason
from assay.model.hardening import ElfHardening, ElfRole, Linking, Pie, Relro, StackState
from tests.factories.elf_build import TARGETS, available, build_elf, drop_program_header

SOURCE = r"""
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv) {
    char name[64];
    char input[32];
    strcpy(name, argc > 1 ? argv[1] : "nobody");
    ssize_t got = read(0, input, (size_t)argc * 8);
    printf("%s read %ld bytes\n", name, (long)got);
    return 0;
}
"""
LIBRARY = r"""
#include <string.h>
int copy_name(char *out, const char *in) { char tmp[48]; strcpy(tmp, in); return strlen(tmp); }
"""
HARDENED = (
    "-O2",
    "-D_FORTIFY_SOURCE=2",
    "-fstack-protector-strong",
    "-fPIE",
    "-pie",
    "-Wl,-z,relro,-z,now",
    "-Wl,-z,noexecstack",
)
WEAK = (
    "-O0",
    "-U_FORTIFY_SOURCE",
    "-fno-stack-protector",
    "-fno-pie",
    "-no-pie",
    "-Wl,-z,norelro",
    "-Wl,-z,execstack",
)
PT_GNU_STACK_NUMBER = 0x6474E551
ARCHES = sorted(TARGETS)
# Linux's stack default for a file without PT_GNU_STACK, kernel release unknown (see stack.py)
DEFAULT_EXECUTABLE = {
    "x86-64": True,
    "x86": True,
    "arm": True,
    "aarch64": True,
    "mips": True,
    "mipsel": True,
    "mips64el": True,
    "powerpc": True,
    "powerpc64": False,
    "powerpc64le": False,
    "riscv64": False,
}


@pytest.fixture(scope="module")
def build_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("elf-builds")


def need(arch: str) -> None:
    """Cross compilers come from scripts/install-system-deps.sh; CI must have them."""
    if not available(arch):
        if os.environ.get("CI"):
            pytest.fail(f"{TARGETS[arch].compiler} missing: run scripts/install-system-deps.sh")
        pytest.skip(f"{TARGETS[arch].compiler} not installed")


def hardening_of(path: Path, kernel: str | None = None) -> ElfHardening:
    info = read_elf(path.read_bytes())
    assert skip_reason(info) is None
    assert info.notes == ()
    return assess(info, kernel)


def built(build_dir: Path, arch: str, flags: tuple[str, ...], **kwargs: object) -> Path:
    need(arch)
    source = str(kwargs.pop("source", SOURCE))
    strip = bool(kwargs.pop("strip", False))
    return build_elf(source, build_dir, arch, flags, strip=strip)


@pytest.mark.parametrize("arch", ARCHES)
def test_hardened_program(build_dir: Path, arch: str) -> None:
    elf = hardening_of(built(build_dir, arch, HARDENED))
    target = TARGETS[arch]
    assert (elf.machine, elf.bits, elf.endian) == (target.machine, target.bits, target.endian)
    assert (elf.role, elf.linking, elf.pie) == (ElfRole.EXECUTABLE, Linking.DYNAMIC, Pie.YES)
    assert elf.stack is StackState.NON_EXECUTABLE and elf.nx
    assert elf.relro is Relro.FULL
    assert elf.canary is True
    assert elf.fortify.enabled is True
    assert {"__strcpy_chk", "__read_chk", "__printf_chk"} <= set(elf.fortify.fortified or ())
    assert "strcpy" not in (elf.fortify.fortifiable or ())
    assert elf.rpath is None and elf.runpath is None and elf.insecure_paths == ()
    assert elf.stripped is False


@pytest.mark.parametrize("arch", ARCHES)
def test_weak_program(build_dir: Path, arch: str) -> None:
    elf = hardening_of(built(build_dir, arch, WEAK))
    assert (elf.role, elf.pie) == (ElfRole.EXECUTABLE, Pie.NO)
    assert elf.stack is StackState.EXECUTABLE and not elf.nx
    assert elf.relro is Relro.NONE
    assert elf.canary is False
    assert elf.fortify.enabled is False
    assert elf.fortify.fortified == ()
    assert {"strcpy", "read", "printf"} <= set(elf.fortify.fortifiable or ())


@pytest.mark.parametrize("arch", ARCHES)
def test_partial_relro_and_search_paths(build_dir: Path, arch: str) -> None:
    rpath = ("-Wl,-z,relro,-z,lazy", "-Wl,--disable-new-dtags", "-Wl,-rpath,/tmp/x:/opt/lib")
    elf = hardening_of(built(build_dir, arch, rpath))
    assert elf.relro is Relro.PARTIAL
    assert elf.rpath == ("/tmp/x", "/opt/lib") and elf.runpath is None
    assert elf.insecure_paths == ("/tmp/x",)
    runpath = ("-Wl,--enable-new-dtags", "-Wl,-rpath,$ORIGIN/../lib::lib")
    elf = hardening_of(built(build_dir, arch, runpath))
    assert elf.runpath == ("$ORIGIN/../lib", "", "lib") and elf.rpath is None
    assert elf.insecure_paths == ("", "lib")


@pytest.mark.parametrize("arch", ARCHES)
def test_static_program(build_dir: Path, arch: str) -> None:
    elf = hardening_of(built(build_dir, arch, ("-static", "-O2", "-D_FORTIFY_SOURCE=2")))
    assert (elf.linking, elf.pie, elf.stripped) == (Linking.STATIC, Pie.NO, False)
    assert elf.fortify.enabled is True
    # glibc's own libc.a is built with stack protection: its __stack_chk_fail is always there
    assert elf.canary is True
    stripped = hardening_of(built(build_dir, arch, ("-static", "-O2"), strip=True))
    assert (stripped.linking, stripped.stripped) == (Linking.STATIC, True)
    assert stripped.canary is None, "no symbols: unknown, never 'no'"
    assert stripped.fortify.enabled is None and stripped.fortify.fortified is None


@pytest.mark.parametrize("arch", ARCHES)
def test_stripped_dynamic_program_keeps_its_imports(build_dir: Path, arch: str) -> None:
    elf = hardening_of(built(build_dir, arch, HARDENED, strip=True))
    assert elf.stripped is True
    assert elf.canary is True and elf.fortify.enabled is True
    weak = hardening_of(built(build_dir, arch, WEAK, strip=True))
    assert weak.canary is False and weak.fortify.enabled is False


@pytest.mark.parametrize("arch", ARCHES)
def test_shared_library(build_dir: Path, arch: str) -> None:
    flags = ("-shared", "-fPIC", "-Wl,-soname,libname.so.1", "-fstack-protector-all")
    elf = hardening_of(built(build_dir, arch, flags, source=LIBRARY))
    assert (elf.role, elf.pie, elf.linking) == (ElfRole.LIBRARY, Pie.DSO, Linking.DYNAMIC)
    assert elf.canary is True


@pytest.mark.parametrize("arch", ARCHES)
def test_missing_gnu_stack_takes_the_kernel_default(build_dir: Path, arch: str) -> None:
    original = built(build_dir, arch, HARDENED)
    patched = build_dir / f"{original.name}-no-gnu-stack"
    patched.write_bytes(original.read_bytes())
    drop_program_header(patched, PT_GNU_STACK_NUMBER)
    info = read_elf(patched.read_bytes())
    assert info.gnu_stack_flags is None
    expected = (
        StackState.DEFAULT_EXECUTABLE
        if DEFAULT_EXECUTABLE[arch]
        else StackState.DEFAULT_NON_EXECUTABLE
    )
    assert assess(info, kernel=None).stack is expected
    on_new_kernel = assess(info, kernel="6.1.0-13-amd64").stack
    if arch in ("x86-64", "aarch64"):
        assert on_new_kernel is StackState.DEFAULT_NON_EXECUTABLE
        assert assess(info, kernel="4.14.180").stack is StackState.DEFAULT_EXECUTABLE
    else:
        assert on_new_kernel is expected


def test_segment_type_names_match_the_reader() -> None:
    assert PT_GNU_STACK == "PT_GNU_STACK"
