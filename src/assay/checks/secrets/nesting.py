"""Containers and what was unpacked from them: a secret seen both in a container's raw bytes (an
uncompressed partition, a carved blob) and in a file unpacked from it is reported at the file."""

from collections import defaultdict
from collections.abc import Iterator

from assay.checks.secrets.filescan import FileScan
from assay.inventory.index import FileIndex
from assay.model.artifact import Artifact


def ancestors(index: FileIndex, artifact: Artifact) -> Iterator[str]:
    """The ids of the containers an artifact was unpacked from, innermost first."""
    seen: set[str] = set()
    parent = artifact.parent
    while parent is not None and parent not in seen:
        seen.add(parent)
        yield parent
        container = index.get(parent)
        parent = container.parent if container is not None else None


def identities(scan: FileScan) -> set[str]:
    """What identifies each thing a file holds: key and certificate fingerprints, secret values."""
    found = {k.info.fingerprint for k in scan.keys}
    found |= {c.info.fingerprint for c in scan.certificates}
    found |= {f"{s.family}:{s.value}" for s in scan.secrets}
    return found


def found_below(
    index: FileIndex, scans: list[tuple[Artifact, FileScan]], copies: dict[str, list[Artifact]]
) -> dict[str, set[str]]:
    """For each container, the identities found in the files unpacked (at any depth) from it."""
    below: dict[str, set[str]] = defaultdict(set)
    for artifact, scan in scans:
        held = identities(scan)
        if not held:
            continue
        for copy in copies.get(artifact.sha256, [artifact]):
            for container in ancestors(index, copy):
                below[container] |= held
    return below


def without_repeats(scan: FileScan, below: set[str]) -> FileScan:
    """The scan without what a file unpacked from this one also holds."""
    if not below:
        return scan
    return FileScan(
        keys=[k for k in scan.keys if k.info.fingerprint not in below],
        certificates=[c for c in scan.certificates if c.info.fingerprint not in below],
        secrets=[s for s in scan.secrets if f"{s.family}:{s.value}" not in below],
        problems=scan.problems,
    )
