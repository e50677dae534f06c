"""Versions for a product's own files that carry no version text, from the files they link with:
a program named like the product's files that loads the product's identified library
(`/usr/bin/sqlite3` → `libsqlite3.so.0`), or a library of the product loaded by the product's
identified program (`libjq.so.1` ← `jq`), takes that file's version when every such link agrees.

Links are DT_NEEDED names resolved in the same container to ELF files of the same machine
(through symbolic links); a name that resolves to files of different versions gives nothing."""

import posixpath
import re
from collections import defaultdict
from collections.abc import Iterable
from fnmatch import translate

from assay.catalog.base import Observation
from assay.catalog.binary.engine import plain_name
from assay.catalog.binary.references import LinkGraph
from assay.catalog.binary.rules import Rule
from assay.catalog.binary.siblings import DONOR_METHODS, inferred_observation
from assay.inventory.index import FileIndex
from assay.model.artifact import Artifact, FileKind

MAX_SYMLINK_HOPS = 8


class _Resolver:
    """DT_NEEDED names to the ELF files they load, per container and machine."""

    def __init__(self, index: FileIndex) -> None:
        self.by_name: dict[tuple[str | None, str], list[Artifact]] = defaultdict(list)
        self.by_path: dict[tuple[str | None, str], Artifact] = {}
        for artifact in index.artifacts:
            if artifact.kind in (FileKind.ELF, FileKind.SYMLINK):
                self.by_name[(artifact.parent, posixpath.basename(artifact.path))].append(artifact)
                self.by_path[(artifact.parent, artifact.path)] = artifact

    def resolve(self, user: Artifact, name: str) -> list[Artifact]:
        """The ELF files of the user's machine that a DT_NEEDED `name` can load."""
        found = []
        for candidate in self.by_name.get((user.parent, name), []):
            target = self._follow(candidate)
            if (
                target is not None
                and target.elf is not None
                and user.elf is not None
                and (target.elf.machine, target.elf.bits) == (user.elf.machine, user.elf.bits)
            ):
                found.append(target)
        return found

    def _follow(self, artifact: Artifact) -> Artifact | None:
        for _ in range(MAX_SYMLINK_HOPS):
            if artifact.kind is FileKind.ELF:
                return artifact
            if artifact.link_target is None:
                return None
            folder = posixpath.dirname(artifact.path)
            path = posixpath.normpath(posixpath.join(folder, artifact.link_target))
            following = self.by_path.get((artifact.parent, path))
            if following is None:
                return None
            artifact = following
        return None


def infer_from_links(
    index: FileIndex, rules: Iterable[Rule], observations: list[Observation], graph: LinkGraph
) -> list[Observation]:
    """One low-confidence observation per unidentified file named like a product's own files
    whose links to the product's identified files agree on one version."""
    resolver = _Resolver(index)
    identified: dict[str, dict[str, str]] = defaultdict(dict)  # artifact id → product → version
    seen = {(o.evidence.artifact, o.product) for o in observations}
    for observation in observations:
        evidence = observation.evidence
        if evidence.method in DONOR_METHODS and not evidence.embedded and observation.version:
            versions = identified[evidence.artifact]
            if versions.get(observation.product, observation.version) != observation.version:
                versions[observation.product] = ""  # two versions in one file: not a donor
            else:
                versions[observation.product] = observation.version
    inferred = []
    for rule in rules:
        donors = [index.get(a) for a, products in identified.items() if products.get(rule.product)]
        if not rule.files or not donors:
            continue
        names = re.compile("|".join(translate(glob) for glob in rule.files))
        loaded_by = _loaded_by(resolver, graph, [d for d in donors if d is not None])
        for artifact in index.artifacts:
            if artifact.kind is not FileKind.ELF or (artifact.id, rule.product) in seen:
                continue
            if not names.match(plain_name(posixpath.basename(artifact.path))):
                continue
            links = [
                (library, "loads")
                for name in graph.needed(artifact)
                for library in resolver.resolve(artifact, name)
            ] + [(user, "is loaded by") for user in loaded_by.get(artifact.id, [])]
            found = _agreed_version(identified, rule.product, links)
            if found is not None:
                inferred.append(_observation(rule, artifact, *found))
    return inferred


def _agreed_version(
    identified: dict[str, dict[str, str]], product: str, links: list[tuple[Artifact, str]]
) -> tuple[str, str] | None:
    """The one version the linked identified files give (and the first link), or None."""
    versions: dict[str, str] = {}
    for other, how in links:
        version = identified.get(other.id, {}).get(product)
        if version:
            versions.setdefault(version, f"{how} {other.path}")
    return next(iter(versions.items())) if len(versions) == 1 else None


def _loaded_by(
    resolver: _Resolver, graph: LinkGraph, donors: list[Artifact]
) -> dict[str, list[Artifact]]:
    """For each library an identified file loads, the identified files that load it."""
    users: dict[str, list[Artifact]] = defaultdict(list)
    for donor in donors:
        for name in graph.needed(donor):
            for library in resolver.resolve(donor, name):
                users[library.id].append(donor)
    return users


def _observation(rule: Rule, artifact: Artifact, version: str, link: str) -> Observation:
    matched = f"named like {rule.name}'s files; {link} (version {version})"
    return inferred_observation(rule, artifact, version, "linked", matched)
