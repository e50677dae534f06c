"""Which version strings are only references: a program that links a product's shared library
(directly, or through another library of the release) quotes the library's header text
(OPENSSL_VERSION_TEXT) without holding a copy of the library."""

import posixpath
from collections import defaultdict

from assay.catalog.binary.engine import Hit, name_matches
from assay.inventory.elf import needed_libraries
from assay.inventory.index import FileIndex
from assay.model.artifact import Artifact, FileKind

MAX_LINK_DEPTH = 4


class LinkGraph:
    """The DT_NEEDED names of the release's ELF files, read on demand and kept."""

    def __init__(self, index: FileIndex) -> None:
        self.index = index
        self._needed: dict[str, tuple[str, ...]] = {}
        self._by_name: dict[tuple[str | None, str], list[Artifact]] | None = None

    def needed(self, artifact: Artifact) -> tuple[str, ...]:
        """The libraries `artifact` names in its dynamic section."""
        if artifact.id not in self._needed:
            path = self.index.path_of(artifact)
            self._needed[artifact.id] = needed_libraries(path) if path is not None else ()
        return self._needed[artifact.id]

    def libraries(self, container: str | None, name: str) -> list[Artifact]:
        """The ELF files named `name` in a container: what a DT_NEEDED name resolves to."""
        if self._by_name is None:
            self._by_name = defaultdict(list)
            for artifact in self.index.artifacts:
                if artifact.kind is FileKind.ELF:
                    key = (artifact.parent, posixpath.basename(artifact.path))
                    self._by_name[key].append(artifact)
        return self._by_name.get((container, name), [])

    def links(self, artifact: Artifact, hit: Hit) -> bool:
        """True when `artifact` needs a library named like the hit's product's own files, at
        most MAX_LINK_DEPTH links away."""
        seen: set[str] = set()
        frontier = [artifact]
        for _ in range(MAX_LINK_DEPTH):
            names = {name for current in frontier for name in self.needed(current)}
            if any(name_matches(hit.rule, name) for name in names):
                return True
            frontier = [
                library
                for name in sorted(names - seen)
                for library in self.libraries(artifact.parent, name)
            ]
            seen |= names
            if not frontier:
                return False
        return False


def without_references(graph: LinkGraph, artifact: Artifact, hits: list[Hit]) -> list[Hit]:
    """The hits that may be copies: drops an unconfirmed hit (its product's marker absent) in a
    file that is not one of the product's own and links the product's library."""
    if artifact.kind is not FileKind.ELF:
        return hits
    file_name = posixpath.basename(artifact.path)
    references = {
        id(hit)
        for hit in hits
        if hit.rule.contains
        and not hit.confirmed
        and not name_matches(hit.rule, file_name)
        and graph.links(artifact, hit)
    }
    return [hit for hit in hits if id(hit) not in references]
