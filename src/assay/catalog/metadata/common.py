"""Shared helpers of the metadata catalogers: database files found by path, the files of one
container by path, bounded reads, the distribution a root file system belongs to, and sightings of
distribution packages with the files each one owns."""

import posixpath
import shlex
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from packageurl import PackageURL

from assay.catalog.base import CatalogContext, Observation
from assay.catalog.metadata.products import DISTRO_ECOSYSTEMS, product_table, upstream_version
from assay.inventory.index import FileIndex
from assay.model.artifact import Artifact, FileKind
from assay.model.component import ComponentType, Confidence, Evidence
from assay.model.problem import ProblemKind, ProblemLevel

MIB = 1024 * 1024
MAX_LINK_HOPS = 8
OS_RELEASE_PATHS = ("/etc/os-release", "/usr/lib/os-release")


@dataclass(frozen=True, slots=True)
class Found:
    """A metadata file and the root of the file system it belongs to: the part of its path
    before the well-known location (`""` for `/`, `/rootfs` for a tar with a top folder)."""

    artifact: Artifact
    root: str


def find(index: FileIndex, *locations: str) -> list[Found]:
    """Regular files at any of the well-known `locations` (absolute paths), under any root."""
    found = []
    for artifact in index.artifacts:
        if artifact.kind is FileKind.SYMLINK or not artifact.sha256:
            continue
        for location in locations:
            if artifact.path.endswith(location):
                found.append(Found(artifact, artifact.path[: -len(location)]))
                break
    return found


def find_in(index: FileIndex, directory: str, suffix: str = "") -> list[Found]:
    """Regular files directly inside the well-known `directory` whose names end with `suffix`."""
    found = []
    for artifact in index.artifacts:
        if artifact.kind is FileKind.SYMLINK or not artifact.path.endswith(suffix):
            continue
        parent = posixpath.dirname(artifact.path)
        if parent.endswith(directory) and artifact.sha256:
            found.append(Found(artifact, parent[: -len(directory)]))
    return found


class Tree:
    """Each container's files by path, built once per container on first use."""

    def __init__(self, index: FileIndex) -> None:
        self.index = index
        self._paths: dict[str | None, dict[str, Artifact]] = {}

    def get(self, container: str | None, path: str) -> Artifact | None:
        """The artifact at `path` in `container`."""
        paths = self._paths.get(container)
        if paths is None:
            paths = {a.path: a for a in self.index.children(container)}
            self._paths[container] = paths
        return paths.get(path)

    def resolve(self, found: Found, path: str) -> Artifact | None:
        """The regular file at `path` (absolute, inside `found`'s root), following symlinks."""
        container = found.artifact.parent
        current = found.root + path
        for _ in range(MAX_LINK_HOPS):
            artifact = self.get(container, current)
            if artifact is None or artifact.kind is not FileKind.SYMLINK:
                return artifact
            target = artifact.link_target or ""
            if target.startswith("/"):
                current = found.root + posixpath.normpath(target)
            else:
                current = posixpath.normpath(posixpath.join(posixpath.dirname(current), target))
        return None

    def owned(self, found: Found, paths: Iterable[str]) -> Iterator[Artifact]:
        """Artifacts of `found`'s file system at the given absolute paths (missing ones skipped)."""
        for path in paths:
            artifact = self.get(found.artifact.parent, found.root + path)
            if artifact is not None:
                yield artifact


def package_url(
    kind: str, namespace: str | None, name: str, version: str, **qualifiers: str | None
) -> str:
    """A package URL (packageurl-python), leaving out qualifiers without a value."""
    kept = {k: v for k, v in qualifiers.items() if v}
    return PackageURL(kind, namespace, name, version, kept or None).to_string()


def read_text(index: FileIndex, artifact: Artifact, ctx: CatalogContext, limit_mib: int) -> str:
    """The file as text, at most `limit_mib` MiB of it; a longer file is recorded as a problem."""
    limit = limit_mib * MIB
    try:
        data = index.read_bytes(artifact, limit + 1)
    except OSError as err:
        ctx.problem(ProblemKind.UNREADABLE, f"cannot read: {err}", artifact.location)
        return ""
    if len(data) > limit:
        message = f"larger than {limit_mib} MiB; only the first {limit_mib} MiB were read"
        ctx.problem(ProblemKind.LIMIT_BYTES, message, artifact.location, ProblemLevel.ERROR)
        data = data[:limit]
    return data.decode("utf-8", "replace")


def parse_env(text: str) -> dict[str, str]:
    """KEY=value lines with shell quoting (os-release(5), /etc/openwrt_release)."""
    values: dict[str, str] = {}
    for line in text.splitlines():
        key, sep, raw = line.strip().partition("=")
        if not sep or not key.replace("_", "").isalnum():
            continue
        try:
            words = shlex.split(raw, comments=True)
        except ValueError:
            words = [raw.strip("\"'")]
        values[key] = " ".join(words)
    return values


@dataclass(frozen=True, slots=True)
class Distro:
    """The distribution of a root file system, from its os-release file."""

    id: str
    version_id: str

    @property
    def qualifier(self) -> str | None:
        """The purl `distro` qualifier (`debian-12`)."""
        return f"{self.id}-{self.version_id}" if self.id and self.version_id else None


def distro_of(index: FileIndex, tree: Tree, found: Found) -> Distro | None:
    """The distribution `found`'s file system says it is, if it has an os-release file."""
    for path in OS_RELEASE_PATHS:
        artifact = tree.resolve(found, path)
        if artifact is not None and artifact.sha256:
            values = parse_env(index.read_text(artifact, 64 * 1024))
            return Distro(values.get("ID", "").lower(), values.get("VERSION_ID", ""))
    return None


def present(*values: str | None) -> tuple[str, ...]:
    """The values that are not empty, in order."""
    return tuple(v for v in values if v)


@dataclass(frozen=True, slots=True)
class Package:
    """One installed package as its database records it: `sources` are the names of the source
    package it was built from, `cpe` the CPE name the package itself declares (OpenWrt CPE-ID)."""

    name: str
    version: str
    ecosystem: str
    purl: str | None
    record: str
    sources: tuple[str, ...] = ()
    supplier: str | None = None
    licenses: tuple[str, ...] = ()
    cpe: str | None = None


@dataclass(frozen=True, slots=True)
class Owned:
    """A file a package owns: the artifact and the database record that says so."""

    artifact: Artifact
    record: str


def package_observations(
    package: Package,
    found_by: str,
    database: Artifact,
    owned: Iterable[Owned] = (),
    how: Evidence | None = None,
) -> list[Observation]:
    """The sighting of a package in its database (or, with `how`, the given evidence), then one
    per file it owns that was found. See `_product` for the product key."""
    product, cpes = _product(package)
    kind = ComponentType.LIBRARY
    if product == "linux_kernel":
        kind = ComponentType.OPERATING_SYSTEM
    elif package.ecosystem in DISTRO_ECOSYSTEMS and not package.name.startswith("lib"):
        kind = ComponentType.APPLICATION

    def sighting(evidence: Evidence) -> Observation:
        return Observation(
            product=product,
            name=package.name,
            version=package.version,
            type=kind,
            found_by=found_by,
            confidence=Confidence.HIGH,
            evidence=evidence,
            purl=package.purl,
            cpes=cpes,
            supplier=package.supplier,
            licenses=package.licenses,
            ecosystem=package.ecosystem,
        )

    record = how or Evidence(database.id, database.location, "package-db", record=package.record)
    files = [
        Evidence(o.artifact.id, o.artifact.location, "package-file", record=o.record) for o in owned
    ]
    return [sighting(record), *(sighting(e) for e in files)]


def _product(package: Package) -> tuple[str, tuple[str, ...]]:
    """The product key and CPE names of a package. A distribution package whose source (or own
    name) ships a product of the vulnerability data is that product (Debian `libssl3` from source
    `openssl` → product `openssl`), with the product's CPE for the upstream version; any other
    distribution package is its own product (its name). Language packages are keyed
    `<ecosystem>:<name>` (`npm:redis`), so that a client library never takes the key of the
    server it talks to."""
    if package.ecosystem not in DISTRO_ECOSYSTEMS:
        return f"{package.ecosystem}:{package.name}", ()
    table = product_table()
    mapped = table.product(*package.sources, package.name) or table.product_for_cpe(package.cpe)
    if mapped is None:
        return package.name.lower(), ()
    return mapped, table.cpes_for(mapped, upstream_version(package.ecosystem, package.version))


def elf_copies_containing(
    index: FileIndex, marker: bytes, ctx: CatalogContext
) -> list[list[Artifact]]:
    """ELF files whose bytes contain `marker`, each as the list of its copies (same content),
    so that a binary is parsed once and every location is evidence."""
    copies: dict[str, list[Artifact]] = {}
    for artifact in index.artifacts:
        if artifact.kind is FileKind.ELF and artifact.sha256:
            copies.setdefault(artifact.sha256, []).append(artifact)
    matching = []
    for group in copies.values():
        try:
            with index.mapped(group[0]) as data:
                present = data.find(marker) >= 0
        except OSError as err:
            ctx.problem(ProblemKind.UNREADABLE, f"cannot read: {err}", group[0].location)
            continue
        if present:
            matching.append(group)
    return matching
