"""A small, deterministic tree of files to pack into every format, and its expected hashes."""

import hashlib
import os
from pathlib import Path

SAMPLE_FILES: dict[str, bytes] = {
    "etc/passwd": b"root:x:0:0:root:/root:/bin/sh\n",
    "etc/banner.txt": b"Welcome to the vendor device\n" * 20,
    "usr/sbin/daemon": bytes(range(256)) * 64 + b"vendor-daemon 1.2.3\x00",
    "usr/lib/libfoo.so.1": b"\x7fELF" + bytes(60) + b"libfoo payload" * 100,
    "www/index.html": b"<html><body>admin</body></html>\n",
}


def sha256(data: bytes) -> str:
    """Hex sha256 of bytes."""
    return hashlib.sha256(data).hexdigest()


def expected_hashes(prefix: str = "/") -> dict[str, str]:
    """In-container path → sha256 for SAMPLE_FILES."""
    return {prefix + name: sha256(data) for name, data in SAMPLE_FILES.items()}


def make_tree(root: Path, files: dict[str, bytes] | None = None) -> Path:
    """Write `files` (default SAMPLE_FILES) under `root` with fixed mtimes; return root."""
    for name, data in (files or SAMPLE_FILES).items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        os.utime(path, (1_600_000_000, 1_600_000_000))
    return root
