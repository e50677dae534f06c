"""Pairing the files of two unpacked releases: by path inside the release, then by content for
files that moved; what is left is missing on one side."""

import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from assay.inventory.index import FileIndex
from assay.model.artifact import CHAIN_SEPARATOR, Artifact, FileKind

OFFSET = re.compile(r"@0x[0-9a-fA-F]+")


@dataclass(frozen=True, slots=True)
class SideFile:
    """One file of one release: its pairing key, artifact, bytes on disk and whether it was
    unpacked as a container."""

    key: str
    artifact: Artifact
    disk: Path | None
    container: bool

    @property
    def shown(self) -> str:
        """The name shown for this file: its path inside the release."""
        return self.key or self.artifact.chain[0]


def side_files(index: FileIndex) -> list[SideFile]:
    """Every regular file and symlink of a release, keyed by its path below the release input
    (carving offsets dropped unless that makes two keys collide)."""
    files = []
    for artifact in index.artifacts:
        if not artifact.sha256 and artifact.kind is not FileKind.SYMLINK:
            continue
        exact = CHAIN_SEPARATOR.join(artifact.chain[1:])
        container = bool(index.children(artifact.id))
        files.append(SideFile(exact, artifact, index.path_of(artifact), container))
    loose: dict[str, int] = defaultdict(int)
    for side in files:
        loose[OFFSET.sub("", side.key)] += 1
    return [
        SideFile(OFFSET.sub("", f.key), f.artifact, f.disk, f.container)
        if loose[OFFSET.sub("", f.key)] == 1
        else f
        for f in files
    ]


def _top(key: str) -> str | None:
    """The first part of a key: its top directory or the stream it was unpacked from
    (`/product-1.2/bin/x` → `product-1.2`; `/x.tar › /etc/motd` → `x.tar`)."""
    if not key.startswith("/"):
        return None
    rest = key[1:]
    cuts = [i for i in (rest.find("/"), rest.find(CHAIN_SEPARATOR)) if i >= 0]
    return rest[: min(cuts)].strip() if cuts else rest or None


def _wrapper(files: list[SideFile]) -> str | None:
    """The single top directory or stream every file of a release sits in (`/product-1.2`,
    the `/x.tar` decompressed from `x.tgz`), if any."""
    firsts = {_top(f.key) for f in files if f.key}
    only = next(iter(firsts)) if len(firsts) == 1 else None
    return f"/{only}" if only else None


def _unwrapped(files: list[SideFile], prefix: str | None) -> list[SideFile]:
    if prefix is None:
        return files
    return [
        SideFile(
            f.key.removeprefix(prefix).removeprefix(CHAIN_SEPARATOR),
            f.artifact,
            f.disk,
            f.container,
        )
        for f in files
    ]


def pair_files(
    vendor: list[SideFile], rebuilt: list[SideFile]
) -> list[tuple[SideFile | None, SideFile | None]]:
    """Pairs by key, then by sha256 among the unpaired; single files given alone pair with each
    other whatever their names."""
    if _single(vendor) and _single(rebuilt):
        return [(vendor[0], rebuilt[0])]
    vendor = [f for f in vendor if f.key or not f.container]  # the release input itself
    rebuilt = [f for f in rebuilt if f.key or not f.container]
    vendor_top, rebuilt_top = _wrapper(vendor), _wrapper(rebuilt)
    if vendor_top != rebuilt_top:  # `/product-1.2/…` against `/product-1.3/…` or a bare tree
        vendor, rebuilt = _unwrapped(vendor, vendor_top), _unwrapped(rebuilt, rebuilt_top)
    by_key = {f.key: f for f in rebuilt}
    pairs: list[tuple[SideFile | None, SideFile | None]] = []
    unpaired: list[SideFile] = []
    for side in vendor:
        partner = by_key.pop(side.key, None)
        if partner is None:
            unpaired.append(side)
        else:
            pairs.append((side, partner))
    by_content: dict[str, list[SideFile]] = defaultdict(list)
    for side in by_key.values():
        by_content[side.artifact.sha256].append(side)
    for side in unpaired:
        moved = by_content.get(side.artifact.sha256) if side.artifact.sha256 else None
        pairs.append((side, moved.pop(0) if moved else None))
    pairs.extend((None, side) for group in by_content.values() for side in group)
    return pairs


def _single(files: list[SideFile]) -> bool:
    return len(files) == 1 and not files[0].container
