"""Shared pytest fixtures: unpack a built image and list what was recovered."""

from collections.abc import Callable
from pathlib import Path

import pytest

from assay.extract.limits import Limits
from assay.extract.unpacker import Unpacker, UnpackResult
from assay.plugins import extractors

Unpack = Callable[..., UnpackResult]


def recovered(result: UnpackResult) -> dict[str, str]:
    """location → sha256 of every regular file recovered (symlinks map to 'symlink:TARGET')."""
    found: dict[str, str] = {}
    for artifact in result.artifacts:
        value = artifact.sha256 or f"symlink:{artifact.link_target}"
        found[artifact.location] = value
    return found


def paths_under(result: UnpackResult, *prefix: str) -> dict[str, str]:
    """In-container path → sha256 for artifacts whose chain starts with `prefix`, one level down."""
    depth = len(prefix)
    return {
        a.chain[depth]: a.sha256 or f"symlink:{a.link_target}"
        for a in result.artifacts
        if a.chain[:depth] == prefix and len(a.chain) == depth + 1
    }


@pytest.fixture
def unpack(tmp_path: Path) -> Unpack:
    """Unpack a file or folder into a fresh workspace under tmp_path with the given limits."""
    counter = 0

    def run(source: Path, limits: Limits | None = None) -> UnpackResult:
        nonlocal counter
        counter += 1
        workspace = tmp_path / f"workspace-{counter}"
        unpacker = Unpacker(extractors(), limits or Limits(), workspace)
        return unpacker.unpack(source)

    return run
