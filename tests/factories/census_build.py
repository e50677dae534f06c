"""C programs with known numbers of calls to listed functions, compiled for any architecture
through `elf_build`, and the edits firmware build systems make afterwards (sstrip drops the
section headers)."""

import os
import random
import struct
from pathlib import Path

import pytest
from elftools.elf.elffile import ELFFile

from tests.factories.elf_build import TARGETS, available, build_elf

# -O0 -fno-builtin: every call stays a call (no inlining, no builtin expansion)
NO_BUILTIN = ("-O0", "-fno-builtin")

COUNTED = """
#include <stdio.h>
#include <string.h>
char buf[64], out[64];
int main(int argc, char **argv) {
    strcpy(buf, argv[0]);
    strcpy(out, buf);
    strcpy(buf, "x");
    strncpy(out, buf, sizeof out);
    strncpy(buf, out, sizeof buf);
    snprintf(out, sizeof out, "%d", argc);
    sprintf(buf, "%d", argc);
    return (int)strlen(buf);
}
"""
COUNTED_CALLS = {"strcpy": 3, "strncpy": 2, "snprintf": 1, "sprintf": 1}

GETS = """
#include <stdio.h>
#include <string.h>
char *gets(char *s);
int main(void) {
    char line[32], copy[32];
    gets(line);
    memcpy(copy, line, sizeof copy);
    memcpy(line, copy, sizeof line);
    return fgets(line, sizeof line, stdin) != NULL;
}
"""
GETS_CALLS = {"gets": 1, "memcpy": 2, "fgets": 1}

FORTIFIED = """
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
char buf[16];
int main(int argc, char **argv) {
    char *heap = malloc((size_t)argc * 8);
    strcpy(buf, argv[1]);
    strcpy(heap, argv[1]);
    sprintf(buf, "%s-%d", argv[2], argc);
    puts(heap);
    return buf[0];
}
"""
# with -O2 -D_FORTIFY_SOURCE=2: the size of `buf` is known, the heap block's is not
FORTIFIED_CALLS = {"__strcpy_chk": 1, "strcpy": 1, "__sprintf_chk": 1}

LIBRARY = """
#include <stdio.h>
#include <string.h>
static char buf[64];
int lib_copy(const char *s) { strcpy(buf, s); strcat(buf, s); return sprintf(buf, "%s", s); }
int lib_safe(const char *s) { return snprintf(buf, sizeof buf, "%s", s); }
int lib_twice(const char *s) { return lib_safe(s) + snprintf(buf, sizeof buf, "%s!", s); }
"""
LIBRARY_CALLS = {"strcpy": 1, "strcat": 1, "sprintf": 1, "snprintf": 2}


VENDORED = """
#include <stddef.h>
static size_t strlcpy(char *d, const char *s, size_t n) {
    size_t i = 0;
    for (; i + 1 < n && s[i]; i++) d[i] = s[i];
    if (n) d[i] = 0;
    return i;
}
int memcpy_s(void *d, size_t dmax, const void *s, size_t n) {
    unsigned char *a = d;
    const unsigned char *b = s;
    if (n > dmax) return -1;
    while (n--) *a++ = *b++;
    return 0;
}
int vendor_copy(char *d, const char *s) {
    strlcpy(d, s, 8);
    strlcpy(d, s, 4);
    return memcpy_s(d, 8, s, 2);
}
"""
# a library carrying its own safe functions: a private strlcpy, an exported memcpy_s
VENDORED_CALLS = {"strlcpy": 2, "memcpy_s": 1}


MIXED_ARM_THUMB = """
#include <stdio.h>
#include <string.h>
char buf[64];
__attribute__((target("arm"), noinline, aligned(1024))) void in_arm(const char *s) {
    strcpy(buf, s);
    strcpy(buf + 1, s);
}
__attribute__((target("thumb"), noinline, aligned(1024))) void in_thumb(const char *s) {
    sprintf(buf, "%s", s);
    snprintf(buf, 8, "%s", s);
}
int main(int argc, char **argv) {
    in_arm(argv[0]);
    in_thumb(argv[0]);
    return argc;
}
"""
MIXED_CALLS = {"strcpy": 2, "sprintf": 1, "snprintf": 1}


CALLS = (
    "strcpy(d, s)",
    "strncpy(d, s, (unsigned)n)",
    "strcat(d, s)",
    'sprintf(d, "%d", n)',
    'snprintf(d, (unsigned)n, "%s", s)',
    "memcpy(d, s, (unsigned)n)",
    "memset(d, 0, (unsigned)n)",
    "memmove(d, s, (unsigned)n)",
    'sscanf(s, "%d", &k)',
    "strtok(d, s)",
)
SHAPES = (
    "if (n > {i}) {a}; else {b};\n    return k;",
    "for (int j = 0; j < n; j++) {{ {a}; d++; }}\n    return k;",
    "switch (n & 3) {{ case 0: {a}; break; case 1: {b}; break; default: {c}; }}\n    return k;",
    '{a};\n    if (n & 1) return (int)(long){b};\n    return sprintf(d, "%s", s);',
    "while (*s) {{ {a}; s++; }}\n    {b};\n    return k;",
)


def call_patterns(seed: int, functions: int = 40) -> str:
    """A program whose functions call listed functions in branches, loops, switches and tail
    positions — the shapes optimizing compilers turn into delay-slot loads, hoisted function
    addresses and shared call blocks."""
    rng = random.Random(seed)
    bodies = []
    for i in range(functions):
        a, b, c = (rng.choice(CALLS) for _ in range(3))
        shape = rng.choice(SHAPES).format(i=i, a=a, b=b, c=c)
        bodies.append(
            f"int f{i}(char *d, const char *s, int n) {{\n    int k = n;\n    {shape}\n}}"
        )
    calls = " + ".join(f"f{i}(buf, argv[0], argc)" for i in range(functions))
    return (
        "#include <stdio.h>\n#include <string.h>\n"
        + "\n".join(bodies)
        + f"\nint main(int argc, char **argv) {{\n    char buf[256];\n    return {calls};\n}}\n"
    )


def require(arch: str) -> None:
    """Skip without the cross compiler; fail in CI, where install-system-deps.sh provides it."""
    if not available(arch):
        if os.environ.get("CI"):
            pytest.fail(f"{TARGETS[arch].compiler} missing: run scripts/install-system-deps.sh")
        pytest.skip(f"{TARGETS[arch].compiler} not installed")


def compile_c(
    source: str, out_dir: Path, arch: str, flags: tuple[str, ...] = (), strip: bool = False
) -> Path:
    """`source` compiled for `arch` with -O0 -fno-builtin and `flags`."""
    require(arch)
    return build_elf(source, out_dir, arch, (*NO_BUILTIN, *flags), strip=strip)


def without_section_headers(path: Path, out: Path) -> Path:
    """A copy of the ELF at `path` with e_shoff, e_shnum and e_shstrndx zeroed, as `sstrip`
    (OpenWrt and other firmware build systems) leaves them: only program headers remain."""
    data = bytearray(path.read_bytes())
    order = "<" if data[5] == 1 else ">"
    if data[4] == 1:
        struct.pack_into(order + "I", data, 0x20, 0)
        struct.pack_into(order + "HHH", data, 0x2E, 0, 0, 0)
    else:
        struct.pack_into(order + "Q", data, 0x28, 0)
        struct.pack_into(order + "HHH", data, 0x3A, 0, 0, 0)
    out.write_bytes(bytes(data))
    return out


def function_range(path: Path, name: str) -> tuple[int, int]:
    """[start, end) of a function symbol's code (Thumb bit cleared)."""
    with open(path, "rb") as handle:
        symtab = ELFFile(handle).get_section_by_name(".symtab")
        symbol = next(s for s in symtab.iter_symbols() if s.name == name)
        start = symbol["st_value"] & ~1
        return start, start + symbol["st_size"]
