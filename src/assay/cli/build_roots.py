"""The `--build-root A=B` option of `assay equiv` and `assay repro`: the two sides' build
directories, as byte strings the normalisers look for."""

from assay.cli.errors import UsageError

BuildRoots = tuple[tuple[bytes, bytes], ...]


def parse_build_roots(texts: list[str] | None, form: str) -> BuildRoots:
    """Each `LEFT=RIGHT` text as a pair; `form` names the sides in the error (`VENDOR_DIR=…`)."""
    roots = []
    for text in texts or ():
        left, sep, right = text.partition("=")
        if not sep or not left or not right:
            raise UsageError(f"--build-root wants {form}, not {text!r}")
        roots.append((left.encode(), right.encode()))
    return tuple(roots)
