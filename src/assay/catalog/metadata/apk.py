"""ApkCataloger: Alpine (and Wolfi) packages from apk-tools' database /lib/apk/db/installed —
`K:value` lines, a blank line between packages (P: name, V: version, A: arch, o: origin, L: licence,
m: maintainer), each package's files as F: directory lines followed by R: file lines. apk-tools
has no Python reader; the format is a handful of line types."""

from collections.abc import Iterator
from dataclasses import dataclass, field

from assay.catalog.base import CatalogContext, Cataloger, Observation
from assay.catalog.metadata.common import (
    Distro,
    Found,
    Owned,
    Package,
    Tree,
    distro_of,
    find,
    package_observations,
    package_url,
    present,
    read_text,
)
from assay.inventory.index import FileIndex
from assay.model.problem import ProblemKind

INSTALLED = "/lib/apk/db/installed"
MAX_DATABASE_MIB = 64


@dataclass(slots=True)
class ApkEntry:
    """One package paragraph: its single-valued fields and the files it lists."""

    line: int
    fields: dict[str, str] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    directory: str = ""

    def add(self, key: str, value: str) -> None:
        """Take one `K:value` line."""
        if key == "F":
            self.directory = value.strip("/")
        elif key == "R":
            self.files.append(f"/{self.directory}/{value}" if self.directory else f"/{value}")
        else:
            self.fields.setdefault(key, value)


def entries(text: str) -> Iterator[ApkEntry]:
    """The package paragraphs of an installed database, with the line each one starts on."""
    entry: ApkEntry | None = None
    for number, line in enumerate(text.splitlines(), 1):
        key, sep, value = line.partition(":")
        if not line.strip():
            if entry is not None:
                yield entry
            entry = None
        elif sep and len(key) == 1:
            entry = entry or ApkEntry(number)
            entry.add(key, value)
    if entry is not None:
        yield entry


class ApkCataloger(Cataloger):
    """Alpine packages, and which package owns which file."""

    name = "apk"
    description = "Alpine packages in /lib/apk/db/installed, with their files"

    def catalog(self, index: FileIndex, ctx: CatalogContext) -> list[Observation]:
        tree = Tree(index)
        observations: list[Observation] = []
        for database in find(index, INSTALLED):
            text = read_text(index, database.artifact, ctx, MAX_DATABASE_MIB)
            distro = distro_of(index, tree, database)
            for entry in entries(text):
                observations.extend(self._entry(tree, database, entry, distro, ctx))
        return observations

    def _entry(
        self,
        tree: Tree,
        database: Found,
        entry: ApkEntry,
        distro: Distro | None,
        ctx: CatalogContext,
    ) -> list[Observation]:
        package = self._package(database, entry, distro)
        if package is None:
            message = f"package at line {entry.line} has no P: (name) or V: (version)"
            ctx.problem(ProblemKind.CORRUPT, message, database.artifact.location)
            return []
        record = f"{database.artifact.path.lstrip('/')}: P:{package.name}"
        owned = [
            Owned(a, f"{record} R:{a.path[len(database.root) :]}")
            for a in tree.owned(database, entry.files)
        ]
        return package_observations(package, self.name, database.artifact, owned)

    def _package(self, database: Found, entry: ApkEntry, distro: Distro | None) -> Package | None:
        name, version = entry.fields.get("P", "").strip(), entry.fields.get("V", "").strip()
        if not name or not version:
            return None
        purl = package_url(
            kind="apk",
            namespace=distro.id if distro and distro.id else "alpine",
            name=name,
            version=version,
            arch=entry.fields.get("A", "").strip() or None,
            distro=distro.qualifier if distro else None,
        )
        licence = entry.fields.get("L", "").strip()
        return Package(
            name=name,
            version=version,
            ecosystem="apk",
            purl=purl,
            record=f"{database.artifact.path.lstrip('/')}: P:{name}",
            sources=present(entry.fields.get("o", "").strip()),
            supplier=entry.fields.get("m", "").strip() or None,
            licenses=(licence,) if licence else (),
        )
