"""ELF files compiled in the test: C source text, a target architecture (Debian's cross
compilers), a compiler and its flags in — the path of the ELF out. Builds are cached by their
inputs inside the given directory. Also a patcher that removes a program header (to test what a
file without PT_GNU_STACK means)."""

import hashlib
import shutil
import struct
import subprocess
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Target:
    """One architecture: its GNU triple and what assay's ELF identification calls it."""

    triple: str
    machine: str
    bits: int
    endian: str

    @property
    def compiler(self) -> str:
        """The cross compiler's command name (`mips-linux-gnu-gcc`)."""
        return f"{self.triple}-gcc"

    @property
    def strip(self) -> str:
        """The matching strip command."""
        return f"{self.triple}-strip"


TARGETS: dict[str, Target] = {
    "x86-64": Target("x86_64-linux-gnu", "x86-64", 64, "little"),
    "x86": Target("i686-linux-gnu", "x86", 32, "little"),
    "arm": Target("arm-linux-gnueabihf", "arm", 32, "little"),
    "aarch64": Target("aarch64-linux-gnu", "aarch64", 64, "little"),
    "mips": Target("mips-linux-gnu", "mips", 32, "big"),
    "mipsel": Target("mipsel-linux-gnu", "mips", 32, "little"),
    "mips64el": Target("mips64el-linux-gnuabi64", "mips", 64, "little"),
    "powerpc": Target("powerpc-linux-gnu", "powerpc", 32, "big"),
    "powerpc64": Target("powerpc64-linux-gnu", "powerpc64", 64, "big"),
    "powerpc64le": Target("powerpc64le-linux-gnu", "powerpc64", 64, "little"),
    "riscv64": Target("riscv64-linux-gnu", "riscv", 64, "little"),
}
# Debian packages of the cross compilers (and their C libraries), for scripts/install-system-deps.sh
DEBIAN_PACKAGES = (
    "gcc-i686-linux-gnu",
    "gcc-arm-linux-gnueabihf",
    "gcc-aarch64-linux-gnu",
    "gcc-mips-linux-gnu",
    "gcc-mipsel-linux-gnu",
    "gcc-mips64el-linux-gnuabi64",
    "gcc-powerpc-linux-gnu",
    "gcc-powerpc64-linux-gnu",
    "gcc-powerpc64le-linux-gnu",
    "gcc-riscv64-linux-gnu",
)


class BuildError(RuntimeError):
    """The compiler or strip failed; the message carries its stderr."""


def available(arch: str) -> bool:
    """True when the compiler for `arch` is installed."""
    return shutil.which(TARGETS[arch].compiler) is not None


def build_elf(
    source: str,
    out_dir: Path,
    arch: str = "x86-64",
    flags: tuple[str, ...] = (),
    *,
    compiler: str | None = None,
    name: str | None = None,
    strip: bool = False,
) -> Path:
    """Compile `source` (C) for `arch` with `flags` into `out_dir` and return the ELF's path.
    `compiler` overrides the target's gcc; `strip` runs the target's strip afterwards. The same
    inputs return the same, already built file."""
    target = TARGETS[arch]
    command = compiler or target.compiler
    key = hashlib.sha256(repr((source, command, flags, strip)).encode()).hexdigest()[:16]
    out = out_dir / (name or f"{arch}-{key}")
    if out.exists():
        return out
    out_dir.mkdir(parents=True, exist_ok=True)
    source_file = out_dir / f".{key}.c"
    source_file.write_text(source)
    _run([command, "-o", str(out), str(source_file), *flags])
    if strip:
        _run([target.strip, str(out)])
    return out


def _run(argv: list[str]) -> None:
    done = subprocess.run(argv, capture_output=True, text=True, check=False, timeout=120)
    if done.returncode != 0:
        raise BuildError(f"{' '.join(argv)} failed:\n{done.stderr}")


PT_NULL = 0


def drop_program_header(path: Path, p_type: int) -> Path:
    """Turn every program header of type `p_type` into PT_NULL, in place; return `path`."""
    data = bytearray(path.read_bytes())
    order = "<" if data[5] == 1 else ">"
    wide = data[4] == 2
    phoff = struct.unpack_from(order + ("Q" if wide else "I"), data, 32 if wide else 28)[0]
    entsize, count = struct.unpack_from(order + "HH", data, 54 if wide else 42)
    for index in range(count):
        at = phoff + index * entsize
        if struct.unpack_from(order + "I", data, at)[0] == p_type:
            struct.pack_into(order + "I", data, at, PT_NULL)
    path.write_bytes(bytes(data))
    return path
