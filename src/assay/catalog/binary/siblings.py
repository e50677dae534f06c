"""Versions for a product's own files that carry no version text: the nearest identified file of
the same product in the same container lends its version (`scp` beside OpenSSH's `ssh`).

Nearest means the same folder or a neighbouring one (`/usr/bin/scp` and `/usr/sbin/sshd`,
`/usr/bin/sqlite3` and `/usr/lib/libsqlite3.so.0`): folders that differ at most in their last
component. A file further away is left unidentified rather than guessed."""

import posixpath
import re
from collections import defaultdict
from collections.abc import Iterable
from fnmatch import translate

from assay.catalog.base import Observation
from assay.catalog.binary.engine import plain_name
from assay.catalog.binary.rules import Rule
from assay.inventory.index import FileIndex
from assay.model.artifact import Artifact, FileKind
from assay.model.component import Confidence, Evidence

DONOR_METHODS = ("version-string", "version-symbol", "file-name")


def infer_from_siblings(
    index: FileIndex, rules: Iterable[Rule], observations: list[Observation]
) -> list[Observation]:
    """One low-confidence observation per unidentified file named like a product's own files,
    when the product's identified files nearest to it (longest shared directory, same container)
    agree on one version."""
    donors = _donors(index, observations)
    seen = {(o.evidence.artifact, o.product) for o in observations}
    inferred: list[Observation] = []
    for rule in rules:
        product_donors = donors.get(rule.product)
        if not product_donors or not rule.files:
            continue
        names = re.compile("|".join(translate(glob) for glob in rule.files))
        for artifact in index.artifacts:
            if artifact.kind is not FileKind.ELF or (artifact.id, rule.product) in seen:
                continue
            if not names.match(plain_name(posixpath.basename(artifact.path))):
                continue
            donor = _nearest(artifact, product_donors)
            if donor is not None:
                inferred.append(_observation(rule, artifact, donor))
    return inferred


def _donors(
    index: FileIndex, observations: list[Observation]
) -> dict[str, list[tuple[Artifact, Observation]]]:
    """Per product, the files identified from their own bytes or names (not embedded copies)."""
    donors: dict[str, list[tuple[Artifact, Observation]]] = defaultdict(list)
    for observation in observations:
        evidence = observation.evidence
        if evidence.method not in DONOR_METHODS or evidence.embedded:
            continue
        artifact = index.get(evidence.artifact)
        if artifact is not None:
            donors[observation.product].append((artifact, observation))
    return donors


def _nearest(
    artifact: Artifact, donors: list[tuple[Artifact, Observation]]
) -> tuple[Artifact, Observation] | None:
    folder = posixpath.dirname(artifact.path).split("/")
    best: list[tuple[Artifact, Observation]] = []
    best_depth = -1
    for donor, observation in donors:
        if donor.parent != artifact.parent:
            continue
        donor_folder = posixpath.dirname(donor.path).split("/")
        depth = _shared_depth(folder, donor_folder)
        if depth < min(len(folder), len(donor_folder)) - 1:
            continue
        if depth > best_depth:
            best, best_depth = [(donor, observation)], depth
        elif depth == best_depth:
            best.append((donor, observation))
    if len({observation.version for _, observation in best}) != 1:
        return None
    return min(best, key=lambda pair: pair[0].path)


def _shared_depth(left: list[str], right: list[str]) -> int:
    depth = 0
    for a, b in zip(left, right, strict=False):
        if a != b:
            break
        depth += 1
    return depth


def _observation(
    rule: Rule, artifact: Artifact, donor: tuple[Artifact, Observation]
) -> Observation:
    donor_artifact, donor_observation = donor
    version = donor_observation.version
    matched = f"named like {rule.name}'s files; version {version} from {donor_artifact.path}"
    return inferred_observation(rule, artifact, version, "sibling", matched)


def inferred_observation(
    rule: Rule, artifact: Artifact, version: str, method: str, matched: str
) -> Observation:
    """A low-confidence observation of a file whose version another file lends."""
    return Observation(
        product=rule.product,
        name=rule.name,
        version=version,
        type=rule.type,
        found_by="binary",
        confidence=Confidence.LOW,
        evidence=Evidence(
            artifact=artifact.id, location=artifact.location, method=method, matched=matched
        ),
        purl=rule.purl_for(version),
        cpes=rule.cpes_for(version),
        supplier=rule.supplier,
    )
