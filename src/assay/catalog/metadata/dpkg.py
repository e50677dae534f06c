"""DpkgCataloger: Debian packages from dpkg's database — deb-control(5) paragraphs in
/var/lib/dpkg/status, or one file per package in /var/lib/dpkg/status.d/ as distroless images
have — with the files each package owns from /var/lib/dpkg/info/<package>[:<arch>].list (or the
`.md5sums` lists, the only ones distroless images keep)."""

from collections.abc import Iterator, Mapping

from debian.deb822 import Deb822

from assay.catalog.base import CatalogContext, Cataloger, Observation
from assay.catalog.metadata.common import (
    Distro,
    Found,
    Owned,
    Package,
    Tree,
    distro_of,
    find,
    find_in,
    package_observations,
    package_url,
    present,
    read_text,
)
from assay.inventory.index import FileIndex
from assay.model.artifact import Artifact
from assay.model.problem import ProblemKind

STATUS = "/var/lib/dpkg/status"
STATUS_D = "/var/lib/dpkg/status.d"
INFO = "/var/lib/dpkg/info/"
MD5SUMS = ".md5sums"
NOT_INSTALLED = frozenset({"not-installed", "config-files"})
MAX_DATABASE_MIB = 64
MAX_LIST_MIB = 16


def paragraphs(text: str) -> Iterator[Mapping[str, str]]:
    """The deb-control(5) paragraphs of a text, as case-insensitive field maps."""
    yield from Deb822.iter_paragraphs(text.splitlines(keepends=True), use_apt_pkg=False)


def source_name(fields: Mapping[str, str]) -> str | None:
    """The source package's name from `Source: name (version)`."""
    words = fields.get("Source", "").split()
    return words[0] if words else None


def installed(fields: Mapping[str, str]) -> bool:
    """Whether the package's files are on the system (a paragraph without Status counts)."""
    status = fields.get("Status", "").split()
    return not status or status[-1] not in NOT_INSTALLED


class DpkgCataloger(Cataloger):
    """Debian and Ubuntu packages, and which package owns which file."""

    name = "dpkg"
    description = "Debian packages in /var/lib/dpkg/status and status.d/, files from info/*.list"

    def catalog(self, index: FileIndex, ctx: CatalogContext) -> list[Observation]:
        tree = Tree(index)
        databases = find(index, STATUS) + [
            f for f in find_in(index, STATUS_D) if not f.artifact.path.endswith(MD5SUMS)
        ]
        observations: list[Observation] = []
        for database in databases:
            observations.extend(self._database(index, tree, database, ctx))
        return observations

    def _database(
        self, index: FileIndex, tree: Tree, database: Found, ctx: CatalogContext
    ) -> list[Observation]:
        text = read_text(index, database.artifact, ctx, MAX_DATABASE_MIB)
        distro = distro_of(index, tree, database)
        observations: list[Observation] = []
        for number, fields in enumerate(paragraphs(text), 1):
            if not installed(fields):
                continue
            package = self._package(fields, database.artifact, distro)
            if package is None:
                message = f"paragraph {number} has no Package or Version field"
                ctx.problem(ProblemKind.CORRUPT, message, database.artifact.location)
                continue
            owned = self._owned(index, tree, database, fields, ctx)
            observations.extend(package_observations(package, self.name, database.artifact, owned))
        return observations

    def _package(
        self, fields: Mapping[str, str], database: Artifact, distro: Distro | None
    ) -> Package | None:
        name, version = fields.get("Package", "").strip(), fields.get("Version", "").strip()
        if not name or not version:
            return None
        arch = fields.get("Architecture", "").strip() or None
        purl = package_url(
            kind="deb",
            namespace=distro.id if distro and distro.id else "debian",
            name=name,
            version=version,
            arch=arch,
            distro=distro.qualifier if distro else None,
        )
        return Package(
            name=name,
            version=version,
            ecosystem="deb",
            purl=purl,
            record=f"{database.path.lstrip('/')}: Package: {name}",
            sources=present(source_name(fields)),
            supplier=fields.get("Maintainer", "").strip() or None,
        )

    def _owned(
        self,
        index: FileIndex,
        tree: Tree,
        database: Found,
        fields: Mapping[str, str],
        ctx: CatalogContext,
    ) -> list[Owned]:
        listing = self._listing(tree, database, fields)
        if listing is None:
            return []
        text = read_text(index, listing, ctx, MAX_LIST_MIB)
        md5sums = listing.path.endswith(MD5SUMS)
        paths = [_listed_path(line, md5sums) for line in text.splitlines()]
        record = listing.path.lstrip("/")
        return [
            Owned(a, f"{record}: {a.path[len(database.root) :]}")
            for a in tree.owned(database, (p for p in paths if p))
        ]

    def _listing(self, tree: Tree, database: Found, fields: Mapping[str, str]) -> Artifact | None:
        name = fields.get("Package", "").strip()
        arch = fields.get("Architecture", "").strip()
        if database.artifact.path.startswith(database.root + STATUS_D + "/"):
            candidates = [database.artifact.path[len(database.root) :] + MD5SUMS]
        else:
            stems = [f"{INFO}{name}:{arch}", f"{INFO}{name}"]
            candidates = [s + ext for ext in (".list", MD5SUMS) for s in stems]
        for path in candidates:
            artifact = tree.get(database.artifact.parent, database.root + path)
            if artifact is not None and artifact.sha256:
                return artifact
        return None


def _listed_path(line: str, md5sums: bool) -> str:
    """The absolute path on one line of a `.list` (`/usr/bin/x`) or `.md5sums` (`<md5>  usr/…`)."""
    if md5sums:
        _, _, line = line.partition("  ")
        return "/" + line if line else ""
    return line if line.startswith("/") and line != "/." else ""
