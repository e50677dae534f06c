"""Small ELF files compiled in the test with the host's gcc: a program or shared library whose
read-only data holds chosen strings, optionally linked against chosen libraries."""

import subprocess
from pathlib import Path


def _c_source(strings: tuple[bytes, ...]) -> str:
    constants = "\n".join(
        f"__attribute__((used)) static const char s{i}[] = {_c_literal(text)};"
        for i, text in enumerate(strings)
    )
    return f"{constants}\nint assay_entry(void) {{ return 0; }}\n"


def _c_literal(text: bytes) -> str:
    return '"' + "".join(f"\\x{b:02x}" for b in text) + '"'


def compiled(
    out: Path,
    strings: tuple[bytes, ...] = (),
    shared: bool = False,
    soname: str | None = None,
    needed: tuple[Path, ...] = (),
) -> Path:
    """`out`, an ELF program (or with `shared`, a library with `soname`) carrying `strings`
    and linked against the shared libraries `needed` (DT_NEEDED is their soname)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    source = out.parent / f".{out.name}.c"
    body = _c_source(strings)
    if not shared:
        body += "int main(void) { return assay_entry(); }\n"
    source.write_text(body)
    argv = ["gcc", "-O0", "-o", str(out), str(source)]
    if shared:
        argv[1:1] = ["-shared", "-fPIC", *([f"-Wl,-soname,{soname}"] if soname else [])]
    argv += ["-Wl,--no-as-needed", *(str(library) for library in needed)]
    subprocess.run(argv, check=True, capture_output=True)
    source.unlink()
    return out
