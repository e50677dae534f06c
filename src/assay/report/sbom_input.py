"""What the SBOM writers need besides the Evaluation: the files that are evidence of components,
and their SHA-1 (mandatory for every file in SPDX 2.3), taken while the unpacked bytes exist."""

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from assay.inventory.index import FileIndex
from assay.model.artifact import Artifact
from assay.model.component import Component
from assay.model.evaluation import Evaluation

READ_CHUNK = 1024 * 1024


def evidence_artifact_ids(components: Iterable[Component]) -> set[str]:
    """Ids of every artifact that is evidence of at least one component."""
    return {artifact_id for component in components for artifact_id in component.artifacts}


def evidence_files(evaluation: Evaluation) -> list[Artifact]:
    """The regular files that are evidence of a component, sorted by location."""
    wanted = evidence_artifact_ids(evaluation.components)
    files = [a for a in evaluation.artifacts if a.id in wanted and a.sha256]
    return sorted(files, key=lambda a: (a.location, a.id))


@dataclass(slots=True)
class FileHashes:
    """An after-identify hook for the Evaluator: records the SHA-1 of the evidence files only, so
    a scan that writes no SPDX document (or finds no component) reads no file a second time."""

    sha1: dict[str, str] = field(default_factory=dict)

    def __call__(self, index: FileIndex, components: Sequence[Component]) -> None:
        for artifact_id in sorted(evidence_artifact_ids(components)):
            artifact = index.get(artifact_id)
            path = index.path_of(artifact) if artifact is not None else None
            if artifact is None or path is None or not artifact.sha256:
                continue
            digest = hashlib.sha1(usedforsecurity=False)
            with open(path, "rb") as handle:
                while chunk := handle.read(READ_CHUNK):
                    digest.update(chunk)
            self.sha1[artifact_id] = digest.hexdigest()
