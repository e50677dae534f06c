"""The confined file system: every write of an extraction goes through here and stays in one root.

Member names are cleaned lexically (absolute paths made relative, `..` that would climb out
refused); no write passes through a symlink (every existing path component is checked with lstat);
symlinks are created only when their target resolves inside the root, absolute targets being
re-rooted at the container's root; hard links may only point at files already inside the root;
device nodes, FIFOs and sockets are never created; setuid/setgid/sticky bits are dropped on disk but
the original mode is kept for the inventory. Bytes, files, expansion ratio and time are charged to
the scan's budget on every write.
"""

import os
import posixpath
import shutil
import stat
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import BinaryIO

from assay.extract.limits import Budget, Deadline, LimitExceeded, RatioGuard
from assay.model.problem import ProblemKind, ProblemLevel

CHUNK = 1024 * 1024
SPECIAL_BITS = stat.S_ISUID | stat.S_ISGID | stat.S_ISVTX
ProblemSink = Callable[[ProblemKind, ProblemLevel, str, str | None], None]


def _text(name: str | bytes) -> str:
    return os.fsdecode(name) if isinstance(name, bytes) else name


class SafeFS:
    """Writes of one extraction, confined to `root`; problems go to `report`."""

    def __init__(
        self,
        root: Path,
        budget: Budget,
        ratio: RatioGuard,
        deadline: Deadline,
        report: ProblemSink,
    ) -> None:
        self.root = root
        self.budget = budget
        self.ratio = ratio
        self.deadline = deadline
        self.report = report
        self.modes: dict[str, int] = {}
        self.link_targets: dict[str, str] = {}
        root.mkdir(parents=True, exist_ok=True)

    # -- names -------------------------------------------------------------------------------

    def clean(self, name: str | bytes, quiet: bool = False) -> str | None:
        """Turn an archive member name into a relative path inside the root, or None if hostile
        (reported unless `quiet`)."""
        text = _text(name)
        if "\x00" in text:
            self.report(ProblemKind.INVALID_NAME, ProblemLevel.WARNING, "NUL byte in name", text)
            return None
        parts: list[str] = []
        for part in text.split("/"):
            if part in ("", "."):
                continue
            if part == "..":
                if not parts:
                    if quiet:
                        return None
                    self.report(
                        ProblemKind.PATH_ESCAPE,
                        ProblemLevel.WARNING,
                        "member name climbs out of the extraction root; not written",
                        text,
                    )
                    return None
                parts.pop()
                continue
            parts.append(part)
        if not parts:
            return None
        return "/".join(parts)

    def path_of(self, rel: str) -> Path:
        """The on-disk path of a cleaned relative name."""
        return self.root / rel

    # -- directories ---------------------------------------------------------------------------

    def _ensure_dirs(self, rel_dir: str, member: str) -> Path | None:
        """Create the directories of `rel_dir` one by one, refusing any existing non-directory."""
        current = self.root
        if not rel_dir:
            return current
        for part in rel_dir.split("/"):
            current = current / part
            try:
                info = os.lstat(current)
            except FileNotFoundError:
                self.budget.charge_file()
                try:
                    os.mkdir(current, 0o755)
                except OSError as err:
                    self.report(
                        ProblemKind.INVALID_NAME,
                        ProblemLevel.WARNING,
                        f"cannot create: {err}",
                        member,
                    )
                    return None
                continue
            except OSError as err:
                self.report(
                    ProblemKind.INVALID_NAME, ProblemLevel.WARNING, f"cannot create: {err}", member
                )
                return None
            if stat.S_ISLNK(info.st_mode):
                self.report(
                    ProblemKind.LINK_IN_PATH,
                    ProblemLevel.WARNING,
                    "path passes through a symlink; not written",
                    member,
                )
                return None
            if not stat.S_ISDIR(info.st_mode):
                self.report(
                    ProblemKind.NAME_CONFLICT,
                    ProblemLevel.WARNING,
                    "a path component is an existing file; not written",
                    member,
                )
                return None
        return current

    def mkdir(self, name: str | bytes, mode: int = 0o755) -> Path | None:
        """Create a directory (and its parents) for a member name."""
        rel = self.clean(name)
        if rel is None:
            return self.root
        path = self._ensure_dirs(rel, rel)
        if path is not None:
            self.modes[rel] = stat.S_IFDIR | (mode & 0o7777)
        return path

    # -- files ---------------------------------------------------------------------------------

    def _prepare_file(self, name: str | bytes) -> tuple[str, Path] | None:
        rel = self.clean(name)
        if rel is None:
            return None
        parent = self._ensure_dirs(posixpath.dirname(rel), rel)
        if parent is None:
            return None
        target = parent / posixpath.basename(rel)
        try:
            info = os.lstat(target)
        except FileNotFoundError:
            return rel, target
        except OSError as err:
            self.report(
                ProblemKind.INVALID_NAME, ProblemLevel.WARNING, f"cannot create: {err}", rel
            )
            return None
        if stat.S_ISREG(info.st_mode):
            os.unlink(target)
            return rel, target
        if stat.S_ISLNK(info.st_mode):
            os.unlink(target)
            self.link_targets.pop(rel, None)
            return rel, target
        self.report(
            ProblemKind.NAME_CONFLICT,
            ProblemLevel.WARNING,
            "a directory of the same name exists; not written",
            rel,
        )
        return None

    def _charge(self, amount: int) -> None:
        self.budget.charge_bytes(amount)
        self.ratio.charge(amount)
        self.deadline.check()

    def _record_mode(self, rel: str, mode: int) -> int:
        self.modes[rel] = stat.S_IFREG | (mode & 0o7777)
        return (mode & 0o777 & ~0o022) | 0o600

    def write(
        self,
        name: str | bytes,
        content: bytes | memoryview | Iterable[bytes] | BinaryIO,
        mode: int = 0o644,
    ) -> Path | None:
        """Write a regular file from bytes, an iterable of chunks or a readable stream."""
        prepared = self._prepare_file(name)
        if prepared is None:
            return None
        rel, target = prepared
        self.budget.charge_file()
        disk_mode = self._record_mode(rel, mode)
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
        try:
            fd = os.open(target, flags, disk_mode)
        except OSError as err:
            self.report(
                ProblemKind.INVALID_NAME, ProblemLevel.WARNING, f"cannot create: {err}", rel
            )
            return None
        try:
            with os.fdopen(fd, "wb") as out:
                for chunk in _chunks(content):
                    self._charge(len(chunk))
                    out.write(chunk)
        except LimitExceeded:
            target.unlink(missing_ok=True)
            self.modes.pop(rel, None)
            raise
        return target

    def symlink(self, name: str | bytes, target: str | bytes) -> None:
        """Create a symlink whose target stays inside the root; absolute targets are re-rooted."""
        rel = self.clean(name)
        if rel is None:
            return
        link_text = _text(target)
        resolved = self._resolve_link(rel, link_text)
        if resolved is None:
            self.report(
                ProblemKind.LINK_ESCAPE,
                ProblemLevel.WARNING,
                f"symlink target {link_text!r} leads out of the extraction root; not created",
                rel,
            )
            return
        prepared = self._prepare_file(rel)
        if prepared is None:
            return
        _, path = prepared
        self.budget.charge_file()
        start = posixpath.dirname(rel) or "."
        relative = posixpath.relpath(resolved, start) if resolved else posixpath.relpath(".", start)
        try:
            os.symlink(relative, path)
        except OSError as err:
            self.report(
                ProblemKind.INVALID_NAME, ProblemLevel.WARNING, f"cannot create: {err}", rel
            )
            return
        self.link_targets[rel] = link_text

    def _resolve_link(self, rel: str, target: str) -> str | None:
        """The root-relative path a link points at, or None when it climbs out of the root."""
        base = "" if target.startswith("/") else posixpath.dirname(rel)
        parts: list[str] = [p for p in base.split("/") if p]
        for part in target.split("/"):
            if part in ("", "."):
                continue
            if part == "..":
                if not parts:
                    return None
                parts.pop()
            else:
                parts.append(part)
        return "/".join(parts)

    def hardlink(self, name: str | bytes, existing: str | bytes) -> Path | None:
        """Create a hard link to a regular file already written inside the root."""
        source_rel = self.clean(existing, quiet=True)
        if source_rel is None:
            self.report(
                ProblemKind.LINK_ESCAPE,
                ProblemLevel.WARNING,
                f"hard link to {_text(existing)!r} points out of the extraction root; not created",
                _text(name),
            )
            return None
        source = self.root / source_rel
        if not self._is_inside_regular(source_rel):
            self.report(
                ProblemKind.LINK_ESCAPE,
                ProblemLevel.WARNING,
                f"hard link target {source_rel!r} is not a file inside the root; not created",
                _text(name),
            )
            return None
        prepared = self._prepare_file(name)
        if prepared is None:
            return None
        rel, target = prepared
        if target == source:
            return target
        self.budget.charge_file()
        try:
            os.link(source, target)
        except OSError as err:
            self.report(
                ProblemKind.INVALID_NAME, ProblemLevel.WARNING, f"cannot create: {err}", rel
            )
            return None
        self.modes[rel] = self.modes.get(source_rel, stat.S_IFREG | 0o644)
        return target

    def _is_inside_regular(self, rel: str) -> bool:
        current = self.root
        for part in rel.split("/"):
            current = current / part
            try:
                info = os.lstat(current)
            except OSError:
                return False
            if stat.S_ISLNK(info.st_mode):
                return False
        return stat.S_ISREG(info.st_mode)

    def special(self, name: str | bytes, what: str) -> None:
        """Record a device node, FIFO or socket member, which is never created."""
        self.report(
            ProblemKind.SPECIAL_FILE,
            ProblemLevel.WARNING,
            f"{what} not created",
            self.clean(name) or _text(name),
        )

    # -- trees made by external tools ----------------------------------------------------------

    def import_tree(self, staging: Path, prefix: str = "") -> None:
        """Move a tree an external tool wrote into a scratch folder into the root, checking each
        entry as if it were an archive member."""
        for entry in sorted(os.scandir(staging), key=lambda e: e.name):
            self.deadline.check()
            rel = f"{prefix}/{entry.name}" if prefix else entry.name
            info = entry.stat(follow_symlinks=False)
            if stat.S_ISDIR(info.st_mode):
                if self.mkdir(rel, info.st_mode) is not None:
                    self.import_tree(Path(entry.path), rel)
            elif stat.S_ISLNK(info.st_mode):
                self.symlink(rel, os.readlink(entry.path))
            elif stat.S_ISREG(info.st_mode):
                self._move_in(rel, Path(entry.path), info)
            else:
                self.special(rel, special_name(info.st_mode))

    def _move_in(self, rel: str, source: Path, info: os.stat_result) -> None:
        prepared = self._prepare_file(rel)
        if prepared is None:
            return
        clean_rel, target = prepared
        self.budget.charge_file()
        self._charge(info.st_size)
        disk_mode = self._record_mode(clean_rel, info.st_mode)
        try:
            os.rename(source, target)
        except OSError:
            shutil.copyfile(source, target, follow_symlinks=False)
        os.chmod(target, disk_mode)


def _chunks(content: bytes | memoryview | Iterable[bytes] | BinaryIO) -> Iterable[bytes]:
    if isinstance(content, bytes | bytearray | memoryview):
        view = memoryview(content)
        for start in range(0, len(view), CHUNK):
            yield bytes(view[start : start + CHUNK])
        return
    read = getattr(content, "read", None)
    if read is not None:
        while chunk := read(CHUNK):
            yield chunk
        return
    yield from content


SPECIAL_KINDS = {
    stat.S_IFCHR: "character device",
    stat.S_IFBLK: "block device",
    stat.S_IFIFO: "FIFO",
    stat.S_IFSOCK: "socket",
}


def special_name(mode: int) -> str:
    """What a non-regular, non-directory, non-link file mode is, in words."""
    return SPECIAL_KINDS.get(stat.S_IFMT(mode), f"file of type 0o{stat.S_IFMT(mode):o}")


__all__ = ["LimitExceeded", "ProblemSink", "SafeFS"]
