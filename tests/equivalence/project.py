"""A small C project (three files) compiled with gcc in the test, under chosen build settings."""

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

MAIN = """#include <stdio.h>
int above(int, int);
int scale(int);
static const char stamp[] = "built " __DATE__ " " __TIME__;
const char *where = __FILE__;
int main(int argc, char **argv) {
    (void)argv;
    printf("%s %s %d %d\\n", stamp, where, above(argc, 1), scale(argc));
    return 0;
}
"""


@dataclass(frozen=True, slots=True)
class Build:
    """How one build differs: build directory, SOURCE_DATE_EPOCH, the comparison, a constant,
    the compiler (a cross gcc for another architecture) and whether the program is stripped."""

    directory: Path
    epoch: int = 1_700_000_000
    comparison: str = ">"
    factor: int = 7
    banner: str = "assay sample build"
    compiler: str = "gcc"
    strip: bool = False


def build(settings: Build) -> Path:
    """Write the sources into the build directory, compile them with `-g` (or `-s`) and a build id,
    and return the program (absolute source paths, so the build directory is embedded)."""
    root = settings.directory
    root.mkdir(parents=True)
    (root / "main.c").write_text(MAIN)
    (root / "cmp.c").write_text(
        f"int above(int a, int b) {{ return a {settings.comparison} b; }}\n"
    )
    (root / "util.c").write_text(
        f"int scale(int x) {{ return x * {settings.factor} + 1; }}\n"
        f'const char banner[] = "{settings.banner}";\n'
    )
    sources = [str(root / name) for name in ("main.c", "cmp.c", "util.c")]
    program = root / "prog"
    environment = {**os.environ, "SOURCE_DATE_EPOCH": str(settings.epoch)}
    subprocess.run(
        [
            settings.compiler,
            "-g",
            "-O1",
            "-Wl,--build-id=sha1",
            *(["-s"] if settings.strip else []),
            "-o",
            str(program),
            *sources,
        ],
        cwd=root,
        env=environment,
        check=True,
    )
    return program
