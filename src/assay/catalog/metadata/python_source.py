"""PythonSourceCataloger: Python packages installed without their dist-info (firmware builds often
drop it), named by their top-level import folder and versioned by a literal `__version__` in the
package's own source; the package's compiled extension modules are its files."""

import posixpath
import re
from functools import cache
from importlib import resources

import yaml
from packageurl import PackageURL
from packaging.utils import canonicalize_name

from assay.catalog.base import CatalogContext, Cataloger, Observation
from assay.catalog.metadata.common import Tree, read_text
from assay.inventory.index import FileIndex
from assay.model.artifact import Artifact, FileKind
from assay.model.component import ComponentType, Confidence, Evidence

VERSION_FILES = ("__init__.py", "_version.py", "__about__.py", "version.py", "__version__.py")
VERSION_LINE = re.compile(
    r"""^__version__\s*(?::\s*str\s*)?=\s*(?P<q>["'])(?P<version>[0-9][0-9A-Za-z.+!-]{0,40})(?P=q)""",
    re.MULTILINE,
)
METADATA_SUFFIXES = (".dist-info", ".egg-info")
MAX_SOURCE_MIB = 1


@cache
def import_names() -> dict[str, str]:
    """Import name → distribution name, where they differ (assay/data/python-import-names.yaml)."""
    text = resources.files("assay.data").joinpath("python-import-names.yaml").read_text("utf-8")
    table = yaml.safe_load(text) or {}
    return {str(k): str(v) for k, v in table.items()}


class PythonSourceCataloger(Cataloger):
    """Top-level Python packages without metadata, versioned from their source."""

    name = "python-source"
    description = "Python packages without dist-info: __version__ in the package's own source"

    def catalog(self, index: FileIndex, ctx: CatalogContext) -> list[Observation]:
        tree = Tree(index)
        described = _described_sites(index)
        observations: list[Observation] = []
        for init in index.artifacts:
            if posixpath.basename(init.path) != "__init__.py" or not init.sha256:
                continue
            folder = posixpath.dirname(init.path)
            site, import_name = posixpath.split(folder)
            if tree.get(init.parent, site + "/__init__.py") is not None:
                continue  # a sub-package: its top-level package names the distribution
            distribution = canonicalize_name(import_names().get(import_name, import_name))
            if (init.parent, site, distribution) in described:
                continue
            found = self._version(index, tree, init, folder, ctx)
            if found is not None:
                observations.extend(_observations(index, init, folder, distribution, *found))
        return observations

    def _version(
        self, index: FileIndex, tree: Tree, init: Artifact, folder: str, ctx: CatalogContext
    ) -> tuple[Artifact, str, int] | None:
        for name in VERSION_FILES:
            source = tree.get(init.parent, f"{folder}/{name}")
            if source is None or source.kind is FileKind.SYMLINK or not source.sha256:
                continue
            text = read_text(index, source, ctx, MAX_SOURCE_MIB)
            match = VERSION_LINE.search(text)
            if match:
                return source, match.group("version"), text.count("\n", 0, match.start()) + 1
        return None


def _described_sites(index: FileIndex) -> set[tuple[str | None, str, str]]:
    """(container, site folder, distribution) of every dist-info/egg-info present: those
    packages are the metadata cataloger's."""
    described: set[tuple[str | None, str, str]] = set()
    for artifact in index.artifacts:
        folder = posixpath.dirname(artifact.path)
        if folder.endswith(METADATA_SUFFIXES):
            site, name = posixpath.split(folder)
            distribution = canonicalize_name(name.rsplit(".", 1)[0].split("-", 1)[0])
            described.add((artifact.parent, site, distribution))
    return described


def _observations(
    index: FileIndex,
    init: Artifact,
    folder: str,
    distribution: str,
    source: Artifact,
    version: str,
    line: int,
) -> list[Observation]:
    purl = PackageURL(type="pypi", name=distribution, version=version).to_string()
    record = Evidence(
        source.id,
        source.location,
        "source-version",
        record=f"line {line}: __version__ = {version!r}",
    )
    modules = [
        Evidence(a.id, a.location, "package-file", record=f"extension module of {distribution}")
        for a in index.children(init.parent)
        if a.kind is FileKind.ELF and a.path.startswith(folder + "/")
    ]
    return [
        Observation(
            product=f"pypi:{distribution}",
            name=distribution,
            version=version,
            type=ComponentType.LIBRARY,
            found_by=PythonSourceCataloger.name,
            confidence=Confidence.MEDIUM,
            evidence=evidence,
            purl=purl,
            ecosystem="pypi",
        )
        for evidence in (record, *modules)
    ]
