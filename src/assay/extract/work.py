"""Units of unpacking work: a file waiting to be inventoried, and what unpacking one gave."""

import os
from dataclasses import dataclass, field
from pathlib import Path

from assay.extract.base import Extractor
from assay.model.artifact import Artifact
from assay.model.problem import Problem, ProblemKind


@dataclass(slots=True)
class Item:
    """A file (or a claimed directory layout) waiting to be inventoried."""

    disk: Path
    chain: tuple[str, ...]
    path: str
    depth: int
    parent: str | None = None
    extractor: str | None = None
    mode: int | None = None
    link_target: str | None = None
    forced: Extractor | None = None
    may_carve: bool = True

    @property
    def location(self) -> str:
        """The chain as one line."""
        return " › ".join(self.chain)


@dataclass(slots=True)
class Outcome:
    """What unpacking or carving one container produced."""

    artifact: Artifact
    children: list[Item] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    exhausted: ProblemKind | None = None


def walk(root: Path) -> list[tuple[str, Path]]:
    """Every non-directory entry under `root`, as (relative path, disk path), sorted; never
    follows symlinks."""
    found: list[tuple[str, Path]] = []
    stack: list[tuple[str, Path]] = [("", root)]
    while stack:
        prefix, folder = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            rel = f"{prefix}{entry.name}"
            if entry.is_dir(follow_symlinks=False):
                stack.append((rel + "/", Path(entry.path)))
            else:
                found.append((rel, Path(entry.path)))
    found.sort()
    return found
