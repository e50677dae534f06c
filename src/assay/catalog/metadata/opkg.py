"""OpkgCataloger: OpenWrt (and Yocto) packages from opkg's database — the status file's
deb-control(5) paragraphs in /usr/lib/opkg/status (or /var/lib/opkg/status), completed by each
package's info/<package>.control, with the files it owns from info/<package>.list."""

import posixpath
from collections.abc import Mapping
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
    find_in,
    package_observations,
    package_url,
    present,
    read_text,
)
from assay.catalog.metadata.dpkg import installed, paragraphs
from assay.inventory.index import FileIndex
from assay.model.artifact import Artifact
from assay.model.problem import ProblemKind

DATABASE_DIRS = ("/usr/lib/opkg", "/var/lib/opkg")
MAX_DATABASE_MIB = 64
MAX_FILE_MIB = 16


@dataclass(slots=True)
class OpkgDatabase:
    """One opkg directory: its status file and its packages' control files."""

    found: Found
    base: str
    status: Artifact | None = None
    controls: dict[str, Artifact] = field(default_factory=dict)


def source_names(fields: Mapping[str, str]) -> tuple[str, ...]:
    """The source package: `SourceName`, and the last part of `Source: package/libs/openssl`."""
    named = fields.get("SourceName", "").strip()
    source = fields.get("Source", "").strip().rstrip("/")
    return present(named, posixpath.basename(source))


class OpkgCataloger(Cataloger):
    """OpenWrt packages, and which package owns which file."""

    name = "opkg"
    description = "OpenWrt packages in /usr/lib/opkg/status and info/*.control, files from *.list"

    def catalog(self, index: FileIndex, ctx: CatalogContext) -> list[Observation]:
        tree = Tree(index)
        observations: list[Observation] = []
        for database in _databases(index):
            observations.extend(self._database(index, tree, database, ctx))
        return observations

    def _database(
        self, index: FileIndex, tree: Tree, database: OpkgDatabase, ctx: CatalogContext
    ) -> list[Observation]:
        entries: dict[str, tuple[dict[str, str], Artifact]] = {}
        for name, control in sorted(database.controls.items()):
            for fields in paragraphs(read_text(index, control, ctx, MAX_FILE_MIB)):
                entries[name] = (dict(fields), control)
        if database.status is not None:
            text = read_text(index, database.status, ctx, MAX_DATABASE_MIB)
            for fields in paragraphs(text):
                name = fields.get("Package", "").strip()
                known = entries.get(name, ({}, database.status))[0]
                entries[name] = ({**known, **fields}, database.status)
        distro = distro_of(index, tree, database.found)
        observations: list[Observation] = []
        for name, (fields, record) in entries.items():
            if not installed(fields):
                continue
            package = self._package(name, fields, record, distro)
            if package is None:
                message = f"package {name!r} has no Package or Version field"
                ctx.problem(ProblemKind.CORRUPT, message, record.location)
                continue
            owned = self._owned(index, tree, database, name, ctx)
            observations.extend(package_observations(package, self.name, record, owned))
        return observations

    def _package(
        self, name: str, fields: Mapping[str, str], record: Artifact, distro: Distro | None
    ) -> Package | None:
        version = fields.get("Version", "").strip()
        if not name or not version:
            return None
        purl = package_url(
            kind="opkg",
            namespace=distro.id if distro and distro.id else "openwrt",
            name=name,
            version=version,
            arch=fields.get("Architecture", "").strip() or None,
            distro=distro.qualifier if distro else None,
        )
        licence = fields.get("License", "").strip()
        return Package(
            name=name,
            version=version,
            ecosystem="opkg",
            purl=purl,
            record=f"{record.path.lstrip('/')}: Package: {name}",
            sources=source_names(fields),
            cpe=fields.get("CPE-ID", "").strip() or None,
            supplier=fields.get("Maintainer", "").strip() or None,
            licenses=(licence,) if licence else (),
        )

    def _owned(
        self, index: FileIndex, tree: Tree, database: OpkgDatabase, name: str, ctx: CatalogContext
    ) -> list[Owned]:
        listing = tree.get(database.found.artifact.parent, f"{database.base}/info/{name}.list")
        if listing is None or not listing.sha256:
            return []
        text = read_text(index, listing, ctx, MAX_FILE_MIB)
        paths = [line.split("\t")[0] for line in text.splitlines() if line.startswith("/")]
        record = listing.path.lstrip("/")
        root = database.found.root
        return [
            Owned(a, f"{record}: {a.path[len(root) :]}") for a in tree.owned(database.found, paths)
        ]


def _databases(index: FileIndex) -> list[OpkgDatabase]:
    """Every opkg directory with a status file or control files, keyed by container and path."""
    databases: dict[tuple[str | None, str], OpkgDatabase] = {}
    for directory in DATABASE_DIRS:
        for found in find(index, directory + "/status"):
            base = found.root + directory
            key = (found.artifact.parent, base)
            databases.setdefault(key, OpkgDatabase(found, base)).status = found.artifact
        for found in find_in(index, directory + "/info", ".control"):
            base = found.root + directory
            key = (found.artifact.parent, base)
            name = posixpath.basename(found.artifact.path)[: -len(".control")]
            databases.setdefault(key, OpkgDatabase(found, base)).controls[name] = found.artifact
    return list(databases.values())
