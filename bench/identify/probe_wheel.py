"""Asks the native libraries bundled in an unpacked x86_64 wheel for their own versions.

Run as `python probe_wheel.py WHEEL_DIR` with a CPython 3.11 on x86_64 Linux (the wheels' own
platform); prints JSON: a list of {path, product, version, method}. It is the ground truth for
the wheels' bundled code, so it never reads version text out of the bytes (that is what the
tools under test do): each library is loaded with ctypes and asked through its version API, and
only when that function is DEFINED in the file itself (its `.dynsym`, read with pyelftools), so
a library never answers for one of its dependencies. libjpeg-turbo has no version function: its
version comes from Pillow's own `PIL.features` (the LIBJPEG_TURBO_VERSION macro of the headers
it was built with). A library with no version API takes that of the library built from the
same source tree (SIBLINGS). Run in a separate process: loading a library cannot be undone.
"""

from __future__ import annotations

import ctypes
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from elftools.elf.elffile import ELFFile
from elftools.elf.sections import SymbolTableSection

Probe = Callable[[ctypes.CDLL], str | None]
Answers = list[tuple[str, str, str]]


def call_str(symbol: str, *args: object) -> Probe:
    """A probe calling `const char *symbol(args)`."""

    def probe(lib: ctypes.CDLL) -> str | None:
        function = getattr(lib, symbol)
        function.restype = ctypes.c_char_p
        value: bytes | None = function(*args)
        return value.decode() if value else None

    return probe


def call_int(symbol: str, decode: Callable[[int], str]) -> Probe:
    """A probe calling `unsigned symbol(void)` and decoding the number it returns."""

    def probe(lib: ctypes.CDLL) -> str | None:
        function = getattr(lib, symbol)
        function.restype = ctypes.c_uint
        return decode(int(function()))

    return probe


def data_ptr(symbol: str, decode: Callable[[str], str]) -> Probe:
    """A probe reading `const char *const symbol`."""

    def probe(lib: ctypes.CDLL) -> str | None:
        value = ctypes.c_char_p.in_dll(lib, symbol).value
        return decode(value.decode()) if value else None

    return probe


def data_array(symbol: str, decode: Callable[[str], str]) -> Probe:
    """A probe reading `const char symbol[]`."""

    def probe(lib: ctypes.CDLL) -> str | None:
        value = (ctypes.c_char * 256).in_dll(lib, symbol).value
        return decode(value.decode()) if value else None

    return probe


def data_int(symbol: str, decode: Callable[[int], str]) -> Probe:
    """A probe reading `const int symbol`."""

    def probe(lib: ctypes.CDLL) -> str | None:
        return decode(ctypes.c_int.in_dll(lib, symbol).value)

    return probe


def libxml_number(text: str) -> str:
    """libxml2/libxslt "21406" -> "2.14.6"."""
    number = int(text)
    return f"{number // 10000}.{number // 100 % 100}.{number % 100}"


def iconv_number(number: int) -> str:
    """libiconv 0x0112 -> "1.18"."""
    return f"{number >> 8}.{number & 255}"


def shifted(bits: int) -> Callable[[int], str]:
    """A decoder for major<<2b | minor<<b | patch."""
    mask = (1 << bits) - 1
    return lambda n: f"{n >> 2 * bits}.{(n >> bits) & mask}.{n & mask}"


def openssl_text(text: str | None) -> str | None:
    """ "OpenSSL 3.0.16 11 Feb 2025" -> "3.0.16"."""
    return text.split()[1] if text else None


def libpq(lib: ctypes.CDLL) -> str | None:
    """PQlibVersion(): 170011 -> "17.11" (9.x: 90624 -> "9.6.24")."""
    lib.PQlibVersion.restype = ctypes.c_int
    number = int(lib.PQlibVersion())
    if number >= 100000:
        return f"{number // 10000}.{number % 10000}"
    return f"{number // 10000}.{number // 100 % 100}.{number % 100}"


def lcms2(lib: ctypes.CDLL) -> str | None:
    """cmsGetEncodedCMMversion(): 2180 -> "2.18"."""
    lib.cmsGetEncodedCMMversion.restype = ctypes.c_int
    number = int(lib.cmsGetEncodedCMMversion())
    minor, patch = divmod(number % 1000, 10)
    return f"{number // 1000}.{minor}" + (f".{patch}" if patch else "")


def libtiff(lib: ctypes.CDLL) -> str | None:
    """TIFFGetVersion(): "LIBTIFF, Version 4.7.1\\n..." -> "4.7.1"."""
    text = call_str("TIFFGetVersion")(lib) or ""
    return text.split("Version", 1)[1].split()[0] if "Version" in text else None


def freetype(lib: ctypes.CDLL) -> str | None:
    """FT_Init_FreeType + FT_Library_Version."""
    handle = ctypes.c_void_p()
    if lib.FT_Init_FreeType(ctypes.byref(handle)) != 0:
        return None
    parts = [ctypes.c_int() for _ in range(3)]
    lib.FT_Library_Version(handle, *(ctypes.byref(p) for p in parts))
    return ".".join(str(p.value) for p in parts)


class LdapApiInfo(ctypes.Structure):
    """OpenLDAP's LDAPAPIInfo (ldap.h)."""

    _fields_ = (
        ("info_version", ctypes.c_int),
        ("api_version", ctypes.c_int),
        ("protocol_version", ctypes.c_int),
        ("extensions", ctypes.c_void_p),
        ("vendor_name", ctypes.c_char_p),
        ("vendor_version", ctypes.c_int),
    )


def openldap(lib: ctypes.CDLL) -> str | None:
    """ldap_get_option(NULL, LDAP_OPT_API_INFO): vendor_version 20610 -> "2.6.10"."""
    info = LdapApiInfo(info_version=1)
    if lib.ldap_get_option(None, 0, ctypes.byref(info)) != 0:
        return None
    number = info.vendor_version
    return f"{number // 10000}.{number // 100 % 100}.{number % 100}"


def sasl(lib: ctypes.CDLL) -> str | None:
    """sasl_version_info(&impl, &text, &major, &minor, &step, &patch)."""
    parts = [ctypes.c_int() for _ in range(4)]
    lib.sasl_version_info(None, None, *(ctypes.byref(p) for p in parts))
    return ".".join(str(p.value) for p in parts[:3])


# symbol defined in the file -> (product, probe, method)
PROBES: dict[str, tuple[str, Probe]] = {
    "OpenSSL_version": ("openssl", lambda lib: openssl_text(call_str("OpenSSL_version", 0)(lib))),
    "PQlibVersion": ("postgresql", libpq),
    "zlibVersion": ("zlib", call_str("zlibVersion")),
    "xmlParserVersion": ("libxml2", data_ptr("xmlParserVersion", libxml_number)),
    "xsltEngineVersion": ("libxslt", data_ptr("xsltEngineVersion", libxml_number)),
    "_libiconv_version": ("libiconv", data_int("_libiconv_version", iconv_number)),
    "png_get_libpng_ver": ("libpng", call_str("png_get_libpng_ver", None)),
    "lzma_version_string": ("xz", call_str("lzma_version_string")),
    "BrotliDecoderVersion": ("brotli", call_int("BrotliDecoderVersion", shifted(12))),
    "ZSTD_versionString": ("zstd", call_str("ZSTD_versionString")),
    "hb_version_string": ("harfbuzz", call_str("hb_version_string")),
    "WebPGetDecoderVersion": ("libwebp", call_int("WebPGetDecoderVersion", shifted(8))),
    "WebPGetMuxVersion": ("libwebp", call_int("WebPGetMuxVersion", shifted(8))),
    "WebPGetDemuxVersion": ("libwebp", call_int("WebPGetDemuxVersion", shifted(8))),
    "avifVersion": ("libavif", call_str("avifVersion")),
    "opj_version": ("openjpeg", call_str("opj_version")),
    "cmsGetEncodedCMMversion": ("lcms2", lcms2),
    "TIFFGetVersion": ("libtiff", libtiff),
    "FT_Library_Version": ("freetype", freetype),
    "ldap_get_option": ("openldap", openldap),
    "sasl_version_info": ("cyrus-sasl", sasl),
    "pcre_version": ("pcre", lambda lib: (call_str("pcre_version")(lib) or "").split()[0]),
    "keyutils_version_string": (
        "keyutils",
        data_array("keyutils_version_string", lambda t: t.split()[0].removeprefix("keyutils-")),
    ),
}

# a library with no version API -> the library built from the same source tree
SIBLINGS = {
    "libbrotlicommon-": "libbrotlidec-",
    "libsharpyuv-": "libwebp-",
    "liblber-": "libldap-",
    "libssl-": "libcrypto-",
}

PILLOW_FEATURES = {"libjpeg-": ("libjpeg-turbo", "libjpeg_turbo")}


def defined_symbols(path: Path) -> set[str]:
    """Names the file itself defines in its dynamic symbol table."""
    with path.open("rb") as handle:
        table = ELFFile(handle).get_section_by_name(".dynsym")
        if not isinstance(table, SymbolTableSection):
            return set()
        return {s.name for s in table.iter_symbols() if s["st_shndx"] != "SHN_UNDEF"}


def is_elf(path: Path) -> bool:
    """Whether the file starts with the ELF magic."""
    with path.open("rb") as handle:
        return handle.read(4) == b"\x7fELF"


def probe_file(path: Path) -> Answers:
    """(product, version, method) for each version API the file defines."""
    wanted = defined_symbols(path) & PROBES.keys()
    if not wanted:
        return []
    lib = ctypes.CDLL(str(path), mode=ctypes.RTLD_GLOBAL)
    found = []
    for symbol in sorted(wanted):
        product, probe = PROBES[symbol]
        version = probe(lib)
        if version:
            found.append((product, version, f"{symbol}() of the library itself (ctypes)"))
    return found


def preload(files: list[Path]) -> None:
    """Load the libraries in an order that satisfies their dependencies on each other: auditwheel
    gives the bundled libraries no search path to their siblings, but a library already loaded
    answers for its soname."""
    pending = [p for p in files if ".so" in p.name]
    while pending:
        failed = []
        for path in pending:
            try:
                ctypes.CDLL(str(path), mode=ctypes.RTLD_GLOBAL)
            except OSError:
                failed.append(path)
        if len(failed) == len(pending):
            return
        pending = failed


def pillow_feature(root: Path, feature: str) -> str | None:
    """One of Pillow's `PIL.features.version()` answers, from the unpacked wheel."""
    code = f"import sys; sys.path.insert(0, {str(root)!r}); from PIL import features; "
    code += f"print(features.version({feature!r}) or '')"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    return done.stdout.strip() or None


def borrowed(path: Path, found: dict[Path, Answers]) -> Answers:
    """The answer of a sibling library from the same source tree, or of Pillow's features."""
    for prefix, source in SIBLINGS.items():
        if path.name.startswith(prefix):
            for other, rows in found.items():
                if other.parent == path.parent and other.name.startswith(source):
                    return [(p, v, f"same build as {other.name}: {m}") for p, v, m in rows]
    for prefix, (product, feature) in PILLOW_FEATURES.items():
        if path.name.startswith(prefix):
            version = pillow_feature(path.parent.parent, feature)
            if version:
                return [(product, version, f"PIL.features.version({feature!r})")]
    return []


def main() -> None:
    """Probe every ELF file under the wheel folder and print the answers as JSON."""
    root = Path(sys.argv[1])
    files = sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink() and is_elf(p))
    preload(files)
    found = {path: probe_file(path) for path in files}
    for path in files:
        if not found[path]:
            found[path] = borrowed(path, found)
    rows = [
        {"path": path.relative_to(root).as_posix(), "product": p, "version": v, "method": m}
        for path in files
        for p, v, m in found[path]
    ]
    json.dump(rows, sys.stdout, indent=1)


if __name__ == "__main__":
    main()
