"""PythonCataloger: installed Python distributions from their core metadata (the Python
Packaging User Guide's "Core metadata specifications": `*.dist-info/METADATA`,
`*.egg-info/PKG-INFO` or a single-file `*.egg-info`), read with `packaging.metadata`, with the
files each owns from the dist-info `RECORD` (or egg-info `installed-files.txt`)."""

import csv
import posixpath
from dataclasses import dataclass

from packageurl import PackageURL
from packaging.metadata import RawMetadata, parse_email
from packaging.utils import canonicalize_name

from assay.catalog.base import CatalogContext, Cataloger, Observation
from assay.catalog.metadata.common import Owned, Package, Tree, package_observations, read_text
from assay.inventory.index import FileIndex
from assay.model.artifact import Artifact, FileKind
from assay.model.problem import ProblemKind

MAX_METADATA_MIB = 4
MAX_RECORD_MIB = 16
MAX_LICENSE_TEXT = 200
LICENSE_CLASSIFIER = "License :: "


@dataclass(frozen=True, slots=True)
class Distribution:
    """A metadata file, the folder it describes (dist-info, egg-info) and the file listing."""

    metadata: Artifact
    folder: str
    listing: str | None

    @property
    def site(self) -> str:
        """The folder the distribution is installed in (site-packages)."""
        return posixpath.dirname(self.folder)


def distributions(index: FileIndex) -> list[Distribution]:
    """Every installed distribution's metadata file in the index."""
    found = []
    for artifact in index.artifacts:
        path = artifact.path
        if not artifact.sha256 or artifact.kind is FileKind.SYMLINK:
            continue
        folder = posixpath.dirname(path)
        if path.endswith(".dist-info/METADATA"):
            found.append(Distribution(artifact, folder, folder + "/RECORD"))
        elif path.endswith(".egg-info/PKG-INFO"):
            found.append(Distribution(artifact, folder, folder + "/installed-files.txt"))
        elif path.endswith(".egg-info") and artifact.kind is FileKind.TEXT:
            found.append(Distribution(artifact, path, None))
    return found


def licences(raw: RawMetadata) -> tuple[str, ...]:
    """License-Expression, a short License field, or the License classifiers' last parts."""
    if raw.get("license_expression"):
        return (raw["license_expression"],)
    text = (raw.get("license") or "").strip()
    if text and "\n" not in text and len(text) <= MAX_LICENSE_TEXT and text != "UNKNOWN":
        return (text,)
    classifiers = raw.get("classifiers") or []
    return tuple(c.rsplit(" :: ", 1)[-1] for c in classifiers if c.startswith(LICENSE_CLASSIFIER))


class PythonCataloger(Cataloger):
    """Python packages installed with pip, setuptools or a distribution's python3-* packages."""

    name = "python"
    description = "Python distributions: *.dist-info/METADATA, *.egg-info, RECORD file lists"

    def catalog(self, index: FileIndex, ctx: CatalogContext) -> list[Observation]:
        tree = Tree(index)
        observations: list[Observation] = []
        for distribution in distributions(index):
            observations.extend(self._distribution(index, tree, distribution, ctx))
        return observations

    def _distribution(
        self, index: FileIndex, tree: Tree, distribution: Distribution, ctx: CatalogContext
    ) -> list[Observation]:
        metadata = distribution.metadata
        raw, _ = parse_email(read_text(index, metadata, ctx, MAX_METADATA_MIB))
        name, version = (raw.get("name") or "").strip(), (raw.get("version") or "").strip()
        if not name or not version:
            ctx.problem(ProblemKind.CORRUPT, "no Name or Version field", metadata.location)
            return []
        normalised = canonicalize_name(name)
        package = Package(
            name=normalised,
            version=version,
            ecosystem="pypi",
            purl=PackageURL(type="pypi", name=normalised, version=version).to_string(),
            record=f"{metadata.path.lstrip('/')}: Name: {name}",
            licenses=licences(raw),
        )
        owned = self._owned(index, tree, distribution, ctx)
        return package_observations(package, self.name, metadata, owned)

    def _owned(
        self, index: FileIndex, tree: Tree, distribution: Distribution, ctx: CatalogContext
    ) -> list[Owned]:
        container = distribution.metadata.parent
        listing = tree.get(container, distribution.listing) if distribution.listing else None
        if listing is None or not listing.sha256:
            return []
        text = read_text(index, listing, ctx, MAX_RECORD_MIB)
        is_record = listing.path.endswith("/RECORD")
        base = distribution.site if is_record else distribution.folder
        try:
            rows = (
                [row[0] for row in csv.reader(text.splitlines()) if row]
                if is_record
                else [line.strip() for line in text.splitlines() if line.strip()]
            )
        except csv.Error as err:
            ctx.problem(ProblemKind.CORRUPT, f"unreadable file list: {err}", listing.location)
            return []
        owned = []
        record = listing.path.lstrip("/")
        for relative in rows:
            path = posixpath.normpath(posixpath.join(base, relative))
            artifact = tree.get(container, path)
            if artifact is not None:
                owned.append(Owned(artifact, f"{record}: {relative}"))
        return owned
