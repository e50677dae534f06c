"""FileIndex: the unpacked release as catalogers see it — artifacts, their bytes on disk, and
lookups by in-container path and by container."""

import fnmatch
import mmap
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from assay.model.artifact import Artifact, FileKind


class FileIndex:
    """Read-only view of the unpacked files; only the pipeline creates it."""

    def __init__(self, artifacts: Iterable[Artifact], disk: Mapping[str, Path]) -> None:
        self.artifacts = tuple(artifacts)
        self._disk = dict(disk)
        self._by_id = {a.id: a for a in self.artifacts}
        self._by_path: dict[str, list[Artifact]] = defaultdict(list)
        self._children: dict[str | None, list[Artifact]] = defaultdict(list)
        for artifact in self.artifacts:
            self._by_path[artifact.path].append(artifact)
            self._children[artifact.parent].append(artifact)

    def get(self, artifact_id: str) -> Artifact | None:
        """The artifact with this id."""
        return self._by_id.get(artifact_id)

    def unique_files(self, *kinds: FileKind) -> Iterator[Artifact]:
        """Regular files that are not duplicates of an earlier one, of the given kinds (all if
        none given)."""
        for artifact in self.artifacts:
            if artifact.duplicate_of is not None or not artifact.sha256:
                continue
            if kinds and artifact.kind not in kinds:
                continue
            yield artifact

    def at(self, path: str) -> list[Artifact]:
        """Artifacts whose in-container path is exactly `path`, in every container."""
        return list(self._by_path.get(path, ()))

    def glob(self, pattern: str) -> list[Artifact]:
        """Artifacts whose in-container path matches a shell pattern (`/var/lib/dpkg/info/*`)."""
        return [a for a in self.artifacts if fnmatch.fnmatchcase(a.path, pattern)]

    def children(self, container_id: str | None) -> list[Artifact]:
        """Artifacts unpacked directly out of a container."""
        return list(self._children.get(container_id, ()))

    def siblings(self, artifact: Artifact, path: str) -> Artifact | None:
        """The artifact at `path` in the same container as `artifact`."""
        for candidate in self._children.get(artifact.parent, ()):
            if candidate.path == path:
                return candidate
        return None

    def path_of(self, artifact: Artifact) -> Path | None:
        """Where the artifact's bytes are on disk (None once the workspace is gone)."""
        origin = self._by_id.get(artifact.duplicate_of) if artifact.duplicate_of else None
        return self._disk.get(artifact.id) or (self._disk.get(origin.id) if origin else None)

    def read_bytes(self, artifact: Artifact, limit: int = 16 * 1024 * 1024) -> bytes:
        """Up to `limit` bytes of a file."""
        path = self.path_of(artifact)
        if path is None or not artifact.sha256:
            return b""
        with open(path, "rb") as handle:
            return handle.read(limit)

    def read_text(self, artifact: Artifact, limit: int = 16 * 1024 * 1024) -> str:
        """A file decoded as UTF-8 with replacement characters."""
        return self.read_bytes(artifact, limit).decode("utf-8", "replace")

    @contextmanager
    def mapped(self, artifact: Artifact) -> Iterator[mmap.mmap | bytes]:
        """The file's bytes, memory-mapped (empty bytes for an empty or missing file)."""
        path = self.path_of(artifact)
        if path is None or artifact.size == 0:
            yield b""
            return
        with (
            open(path, "rb") as handle,
            mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data,
        ):
            yield data
