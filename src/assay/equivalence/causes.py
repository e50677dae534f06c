"""Causes of a non-reproducible build, each with the remedy a build engineer applies, and the
cause behind each normalisation `assay equiv` names."""

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Cause:
    """One reason two builds of the same source differ in one file."""

    cause: str
    detail: str
    remedy: str


TIMESTAMP = "embedded timestamp"
BUILD_PATH = "build path"
BUILD_PATH_LENGTH = "build paths of different lengths"
BUILD_ID = "GNU build-id"
DEBUG_INFO = "debug information"
COMPILER_IDENT = "compiler ident"
DEBUGLINK = "debuglink"
SECTION_PADDING = "section padding"
SECTION_HEADERS = "section header table"
ARCHIVE_METADATA = "archive member order/mtimes"
GZIP_MTIME = "gzip header mtime"
GZIP_NAME = "gzip header file name"
TAR_MTIMES = "tar member mtimes"
TAR_ORDER = "tar member order"
TAR_OWNERS = "tar member owners"
TAR_MODES = "tar member modes"
ZIP_TIMES = "zip entry timestamps"
ZIP_ORDER = "zip entry order"
ZIP_EXTRA = "zip entry extra fields"
PYC_MTIME = "pyc source mtime"
PYC_CODE = "pyc code object"
ORDERING = "ordering"
CODE_OR_DATA = "code or data differs"
MEMBERS = "container members differ"
MISSING = "file in one build only"
MODE = "file mode"
UNKNOWN = "content differs (unknown cause)"

REMEDIES: dict[str, str] = {
    TIMESTAMP: "set SOURCE_DATE_EPOCH; avoid __DATE__/__TIME__ (gcc -Wdate-time finds them)",
    BUILD_PATH: "use -ffile-prefix-map=BUILD_DIR=. (or build in a fixed directory)",
    BUILD_PATH_LENGTH: "build in directories of the same length, or with "
    "-ffile-prefix-map=BUILD_DIR=. so no build path is embedded",
    BUILD_ID: "a hash of the linked output: it settles once the other causes are fixed",
    DEBUG_INFO: "-fdebug-prefix-map=BUILD_DIR=.; the same compiler and flags on both builds",
    COMPILER_IDENT: "build with the same toolchain version (the .comment section)",
    DEBUGLINK: "follows from the debug file: fix the debug information differences",
    SECTION_PADDING: "the same linker version and flags on both builds",
    SECTION_HEADERS: "the same linker version and flags on both builds",
    ARCHIVE_METADATA: "sort members and clamp mtimes (tar --sort=name --mtime=@$SOURCE_DATE_EPOCH"
    " --owner=0 --group=0 --numeric-owner; zip -X with sorted names)",
    GZIP_MTIME: "gzip -n (or mtime=0 in the library call)",
    GZIP_NAME: "gzip -n (no original file name in the header)",
    TAR_MTIMES: "tar --mtime=@$SOURCE_DATE_EPOCH --clamp-mtime",
    TAR_ORDER: "tar --sort=name",
    TAR_OWNERS: "tar --owner=0 --group=0 --numeric-owner",
    TAR_MODES: "normalise permissions before packing (tar --mode=go-w,u+rw or a fixed umask)",
    ZIP_TIMES: "fixed entry timestamps: zip -X after touching files to SOURCE_DATE_EPOCH, "
    "or strip-nondeterminism",
    ZIP_ORDER: "add entries in sorted order",
    ZIP_EXTRA: "zip -X (no extra attributes: UT timestamps, uid/gid)",
    PYC_MTIME: "compile with --invalidation-mode checked-hash (PEP 552; py_compile does so "
    "when SOURCE_DATE_EPOCH is set)",
    PYC_CODE: "the same Python version on both builds; compile once, single-threaded",
    ORDERING: "feed inputs in a fixed (sorted) order: sorted source and object lists, "
    "no filesystem-order globs",
    CODE_OR_DATA: "find the source of the difference in the sections named "
    "(a generated file, a random seed, parallel build order)",
    MEMBERS: "see the lines of the differing members",
    MISSING: "a file with a generated or random name, or a build step that runs only sometimes",
    MODE: "a fixed umask and explicit install modes",
    UNKNOWN: "compare the two files by hand (assay equiv --diffoscope)",
}

NORMALISATION_CAUSES: dict[str, tuple[str, str]] = {
    "gnu-build-id": (BUILD_ID, "the NT_GNU_BUILD_ID note differs"),
    "embedded-timestamps": (TIMESTAMP, "__DATE__/__TIME__ or ISO date literals differ"),
    "build-paths": (BUILD_PATH, "the build directory is embedded in strings"),
    "debug-sections": (DEBUG_INFO, "DWARF (.debug_*) sections differ"),
    "compiler-ident": (COMPILER_IDENT, ".comment or another ident section differs"),
    "gnu-debuglink": (DEBUGLINK, "the .gnu_debuglink name or CRC differs"),
    "section-padding": (SECTION_PADDING, "bytes between sections outside loaded segments"),
    "section-header-table": (SECTION_HEADERS, "only the section header table differs"),
    "archive-member-order-and-mtimes": (ARCHIVE_METADATA, "members are equal; metadata is not"),
}


def cause(name: str, detail: str) -> Cause:
    """A cause with its remedy."""
    return Cause(name, detail, REMEDIES[name])


def from_normalisation(normalisation: str) -> Cause:
    """The cause behind a normalisation `assay equiv` applied."""
    name, detail = NORMALISATION_CAUSES.get(normalisation, (normalisation, "normalised"))
    return Cause(name, detail, REMEDIES.get(name, "make this part of the build deterministic"))
