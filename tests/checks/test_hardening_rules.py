"""The hardening check's rule tables: insecure search paths, the kernel release and stack
defaults, the fortify table, and which ELF files are not assessed."""

from pathlib import Path

import pytest

from assay.checks.hardening.elfinfo import read_elf
from assay.checks.hardening.fortify import FORTIFIABLE, fortify_usage, plain_names
from assay.checks.hardening.properties import skip_reason
from assay.checks.hardening.rpath import insecure_entries, why_insecure
from assay.checks.hardening.stack import default_executable, kernel_release
from tests.checks.test_hardening_arch import LIBRARY, SOURCE, need
from tests.checks.test_hardening_check import kernel
from tests.factories.elf_build import build_elf


@pytest.mark.parametrize(
    ("entry", "insecure"),
    [
        ("", True),
        ("lib", True),
        ("./lib", True),
        ("../lib", True),
        ("$PLATFORM/lib", True),
        ("/tmp", True),
        ("/tmp/build/lib", True),
        ("//tmp/x", True),
        ("/usr/../tmp/x", True),
        ("/var/tmp/x", True),
        ("/dev/shm", True),
        ("$ORIGIN", False),
        ("$ORIGIN/../lib", False),
        ("${ORIGIN}/lib", False),
        ("/usr/lib", False),
        ("/tmpfiles/lib", False),
        ("/home/builder/staging/lib", False),
    ],
)
def test_search_path_entries(entry: str, insecure: bool) -> None:
    assert (why_insecure(entry) is not None) is insecure


def test_insecure_entries_keep_order_once() -> None:
    assert insecure_entries(("/tmp/a", "/usr/lib", "", "/tmp/a")) == ("/tmp/a", "")
    assert insecure_entries(None) == ()


def test_oldest_kernel_release_wins() -> None:
    assert kernel_release([]) is None
    found = [kernel("6.1.0-13-amd64"), kernel("4.14.180"), kernel("not-a-version")]
    assert kernel_release(found) == "4.14.180"


@pytest.mark.parametrize(
    ("machine", "bits", "release", "executable"),
    [
        ("x86", 32, "6.6.1", True),
        ("x86-64", 64, None, True),
        ("x86-64", 64, "5.7.19", True),
        ("x86-64", 64, "5.8", False),
        ("aarch64", 64, "5.10.0-rc1", False),
        ("arm", 32, "6.6.1", True),
        ("mips", 64, "6.6.1", True),
        ("powerpc", 32, None, True),
        ("powerpc64", 64, None, False),
        ("riscv", 64, None, False),
        ("unknown-1234", 32, "6.6", True),
    ],
)
def test_stack_defaults(machine: str, bits: int, release: str | None, executable: bool) -> None:
    assert default_executable(machine, bits, release) is executable


def test_fortify_table() -> None:
    assert plain_names("__memcpy_chk") == ("memcpy",)
    assert plain_names("__openat64_2") == ("openat64",)
    assert plain_names("__longjmp_chk") == ("longjmp", "_longjmp", "siglongjmp")
    assert plain_names("__fdelt_chk") == ()
    assert {"strcpy", "printf", "read", "open", "mq_open", "strlcpy"} <= FORTIFIABLE
    usage = fortify_usage({"__printf_chk", "strcpy", "puts", "__memcpy_chk"}, static=True)
    assert usage.fortified == ("__printf_chk",)
    assert usage.fortifiable == ("strcpy",)
    assert fortify_usage(None).enabled is None


def test_relocatable_and_kernel_images_are_not_assessed(tmp_path: Path) -> None:
    need("x86-64")
    relocatable = build_elf(LIBRARY, tmp_path, "x86-64", ("-c",))
    assert skip_reason(read_elf(relocatable.read_bytes())) == "relocatable"
    kernel_like = SOURCE + '\n__attribute__((used, section("__ksymtab"))) int exported = 1;\n'
    image = build_elf(kernel_like, tmp_path, "x86-64", ("-static",))
    assert skip_reason(read_elf(image.read_bytes())) == "kernel-image"
    program = build_elf(kernel_like, tmp_path, "x86-64", ())
    assert skip_reason(read_elf(program.read_bytes())) is None, "a dynamic program is not one"
