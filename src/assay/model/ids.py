"""Stable, content-derived identifiers: the same input always yields the same ids."""

import hashlib

ID_LENGTH = 16


def stable_id(*parts: str) -> str:
    """Return a short hex id derived from the given parts, in order."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode("utf-8", "surrogateescape"))
        digest.update(b"\x00")
    return digest.hexdigest()[:ID_LENGTH]


def display_path(path: str) -> str:
    """Render a path that may hold undecodable bytes (surrogate escapes) as printable text."""
    return path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
