"""Root file systems inside a release: every container (or the input folder) holding an `/etc`,
possibly below a top folder (`/rootfs/etc`), viewed as a tree where symlinks are followed inside
that root — the way the device would see it — and config files are read with a size bound."""

import bisect
import fnmatch
import logging
import posixpath
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

from assay.checks.base import CheckContext
from assay.inventory.index import FileIndex
from assay.model.artifact import CHAIN_SEPARATOR, Artifact, FileKind
from assay.model.ids import display_path
from assay.model.problem import ProblemKind

log = logging.getLogger(__name__)

MAX_CONFIG_BYTES = 1024 * 1024
MAX_LINK_HOPS = 40
ROOT_MARKERS = ("/bin/", "/sbin/", "/usr/", "/lib/")
BINARY_PROBE = 8192


@dataclass(slots=True)
class RootFs:
    """One root file system: in-root path (`/etc/inittab`) → artifact, symlinks included."""

    label: str
    container: str | None
    prefix: str
    files: dict[str, Artifact]
    children: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))

    def __post_init__(self) -> None:
        for path in sorted(self.files):
            self.children[posixpath.dirname(path)].append(path)

    def release_path(self, path: str) -> str:
        """The path as it is inside its container (with the top folder, if any)."""
        return self.prefix + path

    def canonical(self, path: str) -> str | None:
        """The path with every symlink in it followed inside this root; None for a loop."""
        parts = [p for p in path.split("/") if p]
        parts.reverse()
        resolved: list[str] = []
        hops = 0
        while parts:
            part = parts.pop()
            if part in (".", ""):
                continue
            if part == "..":
                if resolved:
                    resolved.pop()
                continue
            found = self.files.get("/" + "/".join([*resolved, part]))
            if found is not None and found.kind is FileKind.SYMLINK and found.link_target:
                hops += 1
                if hops > MAX_LINK_HOPS:
                    return None
                if found.link_target.startswith("/"):
                    resolved = []
                parts.extend(reversed([p for p in found.link_target.split("/") if p]))
                continue
            resolved.append(part)
        return "/" + "/".join(resolved)

    def file(self, path: str) -> Artifact | None:
        """The regular file at `path` after following symlinks."""
        real = self.canonical(path)
        found = self.files.get(real) if real is not None else None
        return found if found is not None and found.kind is not FileKind.SYMLINK else None

    def entry(self, path: str) -> Artifact | None:
        """What is at `path` itself: links in its directories are followed, a symlink at the
        end is not (lstat)."""
        directory, name = posixpath.split(path)
        real = self.canonical(directory) if directory != "/" else "/"
        return self.files.get(posixpath.join(real, name)) if real is not None else None

    def listdir(self, directory: str) -> list[str]:
        """Paths of the entries directly in a directory (the directory's own links followed)."""
        real = self.canonical(directory)
        return list(self.children.get(real or directory, ()))

    def glob(self, directory: str, pattern: str = "*") -> Iterator[str]:
        """Entries of `directory` whose name matches a shell pattern (`S??*`)."""
        for path in self.listdir(directory):
            if fnmatch.fnmatchcase(posixpath.basename(path), pattern):
                yield path


CONTROL_BYTES = bytes(range(0, 9)) + bytes(range(14, 32))


def _binary(head: bytes) -> bool:
    """NUL bytes, or more than one byte in ten a control character: not a config file."""
    if b"\x00" in head:
        return True
    controls = len(head) - len(head.translate(None, CONTROL_BYTES))
    return controls * 10 > len(head)


def _has_marker(paths: list[str], prefix: str) -> bool:
    for marker in ROOT_MARKERS:
        start = prefix + marker
        index = bisect.bisect_left(paths, start)
        if index < len(paths) and paths[index].startswith(start):
            return True
    return False


def _prefixes(paths: list[str]) -> list[str]:
    found = set()
    for path in paths:
        index = path.find("/etc/")
        if index == 0:
            found.add("")
        elif index > 0 and path[:index] not in found and _has_marker(paths, path[:index]):
            found.add(path[:index])
    return sorted(found)


def _label(index: FileIndex, container: str | None, sample: Artifact) -> str:
    parent = index.get(container) if container is not None else None
    return parent.location if parent is not None else sample.chain[0]


def find_roots(index: FileIndex) -> list[RootFs]:
    """Every root file system in the release, in a stable order."""
    groups: dict[str | None, list[Artifact]] = defaultdict(list)
    for artifact in index.artifacts:
        if len(artifact.chain) > 1:
            groups[artifact.parent].append(artifact)
    roots = []
    for container, members in groups.items():
        paths = sorted(a.path for a in members)
        for prefix in _prefixes(paths):
            files = {
                a.path[len(prefix) :]: a
                for a in members
                if a.path.startswith(prefix + "/") and a.path != prefix
            }
            label = _label(index, container, members[0])
            name = label + (f"{CHAIN_SEPARATOR}{prefix}" if prefix else "")
            roots.append(RootFs(name, container, prefix, files))
    roots.sort(key=lambda r: r.label)
    return roots


class TextReader:
    """Reads config files as text, at most MAX_CONFIG_BYTES each; binary or unreadable files
    are recorded as problems once and read as None."""

    def __init__(self, index: FileIndex, ctx: CheckContext, limit: int = MAX_CONFIG_BYTES):
        self.index = index
        self.ctx = ctx
        self.limit = limit
        self.cache: dict[str, str | None] = {}

    def text(self, artifact: Artifact) -> str | None:
        """The file's text (cut at the bound, at a line end), or None."""
        if artifact.id not in self.cache:
            self.cache[artifact.id] = self._read(artifact)
        return self.cache[artifact.id]

    def _read(self, artifact: Artifact) -> str | None:
        location = display_path(artifact.location)
        try:
            data = self.index.read_bytes(artifact, self.limit + 1)
        except OSError as err:
            self.ctx.problem(ProblemKind.UNREADABLE, f"cannot read: {err}", location)
            return None
        if _binary(data[:BINARY_PROBE]):
            self.ctx.problem(
                ProblemKind.CORRUPT, "expected a text file, found binary data", location
            )
            return None
        if len(data) > self.limit:
            data = data[: data.rfind(b"\n", 0, self.limit) + 1 or self.limit]
            message = f"only the first {len(data)} of {artifact.size} bytes were read"
            self.ctx.problem(ProblemKind.LIMIT_BYTES, message, location)
        return data.decode("utf-8", "replace")
