"""Read a file once: its sha256, its size and its first bytes for classification."""

import hashlib
from dataclasses import dataclass
from pathlib import Path

READ_CHUNK = 1024 * 1024


@dataclass(frozen=True, slots=True)
class FileDigest:
    """The sha256, size and leading bytes of one file."""

    sha256: str
    size: int
    head: bytes


def digest_file(path: Path, head_size: int) -> FileDigest:
    """Hash `path` in one sequential read, keeping its first `head_size` bytes."""
    sha = hashlib.sha256()
    size = 0
    head = b""
    with open(path, "rb", buffering=0) as handle:
        while chunk := handle.read(READ_CHUNK):
            if size < head_size:
                head += chunk[: head_size - size]
            sha.update(chunk)
            size += len(chunk)
    return FileDigest(sha.hexdigest(), size, head)
