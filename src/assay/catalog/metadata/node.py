"""NodeCataloger: npm packages from each installed package's `node_modules/[@scope/]<name>/
package.json` and from `package-lock.json` (npm's docs, "package-lock.json": lockfileVersion 2 and
3 `packages` keyed by install path; version 1 `dependencies`), including npm's hidden
`node_modules/.package-lock.json`."""

import json
import posixpath
from collections.abc import Iterator
from typing import Any

from packageurl import PackageURL

from assay.catalog.base import CatalogContext, Cataloger, Observation
from assay.catalog.metadata.common import Package, package_observations, read_text
from assay.inventory.index import FileIndex
from assay.model.artifact import Artifact, FileKind
from assay.model.problem import ProblemKind

MAX_MANIFEST_MIB = 8
MAX_LOCK_MIB = 64
MODULES = "node_modules"
LOCK_NAMES = ("package-lock.json", ".package-lock.json")


def is_installed_manifest(path: str) -> bool:
    """Whether `path` is `…/node_modules/<name>/package.json` or `…/@scope/<name>/package.json`."""
    parts = path.split("/")
    if len(parts) < 4 or parts[-1] != "package.json":
        return False
    if parts[-3] == MODULES:
        return not parts[-2].startswith((".", "@"))
    return len(parts) >= 5 and parts[-4] == MODULES and parts[-3].startswith("@")


def licences(manifest: dict[str, Any]) -> tuple[str, ...]:
    """`license` as a string or {type}, or the legacy `licenses` list."""
    value = manifest.get("license", manifest.get("licenses"))
    values = value if isinstance(value, list) else [value]
    found = []
    for item in values:
        text = item.get("type") if isinstance(item, dict) else item
        if isinstance(text, str) and text.strip():
            found.append(text.strip())
    return tuple(found)


def lock_entries(lock: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(install path, name, entry) of every installed package a lock file lists."""
    packages = lock.get("packages")
    if isinstance(packages, dict):
        for path, entry in packages.items():
            if path and isinstance(entry, dict) and not entry.get("link"):
                name = entry.get("name") or path.rpartition(f"{MODULES}/")[2]
                yield path, str(name), entry
        return
    yield from _v1_entries(lock.get("dependencies"), MODULES)


def _v1_entries(dependencies: object, prefix: str) -> Iterator[tuple[str, str, dict[str, Any]]]:
    if not isinstance(dependencies, dict):
        return
    for name, entry in dependencies.items():
        if isinstance(entry, dict):
            path = f"{prefix}/{name}"
            yield path, name, entry
            yield from _v1_entries(entry.get("dependencies"), f"{path}/{MODULES}")


class NodeCataloger(Cataloger):
    """JavaScript packages installed with npm (and tools that write npm's files)."""

    name = "node"
    description = "npm packages: node_modules/**/package.json and package-lock.json"

    def catalog(self, index: FileIndex, ctx: CatalogContext) -> list[Observation]:
        observations: list[Observation] = []
        for artifact in index.artifacts:
            if not artifact.sha256 or artifact.kind is FileKind.SYMLINK:
                continue
            if is_installed_manifest(artifact.path):
                observations.extend(self._manifest(index, artifact, ctx))
            elif posixpath.basename(artifact.path) in LOCK_NAMES:
                observations.extend(self._lock(index, artifact, ctx))
        return observations

    def _manifest(
        self, index: FileIndex, artifact: Artifact, ctx: CatalogContext
    ) -> list[Observation]:
        manifest = _json(index, artifact, ctx, MAX_MANIFEST_MIB)
        if manifest is None:
            return []
        name, version = manifest.get("name"), manifest.get("version")
        if not isinstance(name, str) or not isinstance(version, str) or not name or not version:
            ctx.problem(
                ProblemKind.CORRUPT, "package.json has no name or version", artifact.location
            )
            return []
        record = f"{artifact.path.lstrip('/')}: name {name}"
        return self._observe(name, version, licences(manifest), record, artifact)

    def _lock(self, index: FileIndex, artifact: Artifact, ctx: CatalogContext) -> list[Observation]:
        lock = _json(index, artifact, ctx, MAX_LOCK_MIB)
        if lock is None:
            return []
        try:
            entries = list(lock_entries(lock))
        except RecursionError:
            ctx.problem(ProblemKind.CORRUPT, "dependencies nested too deeply", artifact.location)
            return []
        observations: list[Observation] = []
        for path, name, entry in entries:
            version = entry.get("version")
            if not isinstance(version, str) or not version or ":" in version:
                continue
            record = f"{artifact.path.lstrip('/')}: {path}"
            observations.extend(self._observe(name, version, licences(entry), record, artifact))
        return observations

    def _observe(
        self, name: str, version: str, licenses: tuple[str, ...], record: str, artifact: Artifact
    ) -> list[Observation]:
        scope, _, bare = name.rpartition("/")
        purl = PackageURL(type="npm", namespace=scope or None, name=bare, version=version)
        package = Package(
            name=name,
            version=version,
            ecosystem="npm",
            purl=purl.to_string(),
            record=record,
            licenses=licenses,
        )
        return package_observations(package, self.name, artifact)


def _json(
    index: FileIndex, artifact: Artifact, ctx: CatalogContext, limit_mib: int
) -> dict[str, Any] | None:
    try:
        value = json.loads(read_text(index, artifact, ctx, limit_mib))
    except (ValueError, RecursionError) as err:
        ctx.problem(ProblemKind.CORRUPT, f"not valid JSON: {err}", artifact.location)
        return None
    if not isinstance(value, dict):
        ctx.problem(ProblemKind.CORRUPT, "not a JSON object", artifact.location)
        return None
    return value
