"""Problems: what the evaluation could not do or refused to do, recorded as data."""

from dataclasses import dataclass
from enum import StrEnum


class ProblemKind(StrEnum):
    """Why a problem was recorded."""

    PATH_ESCAPE = "path-escape"
    LINK_ESCAPE = "link-escape"
    LINK_IN_PATH = "link-in-path"
    SPECIAL_FILE = "special-file"
    DUPLICATE_MEMBER = "duplicate-member"
    LIMIT_BYTES = "limit-bytes"
    LIMIT_FILES = "limit-files"
    LIMIT_DEPTH = "limit-depth"
    LIMIT_RATIO = "limit-ratio"
    LIMIT_TIME = "limit-time"
    CORRUPT = "corrupt"
    TOOL_MISSING = "tool-missing"
    TOOL_FAILED = "tool-failed"
    UNREADABLE = "unreadable"
    INVALID_NAME = "invalid-name"
    NAME_CONFLICT = "name-conflict"


class ProblemLevel(StrEnum):
    """`warning`: hostile content was contained; `error`: part of the release was not evaluated."""

    WARNING = "warning"
    ERROR = "error"


LIMIT_KINDS = frozenset(
    {
        ProblemKind.LIMIT_BYTES,
        ProblemKind.LIMIT_FILES,
        ProblemKind.LIMIT_DEPTH,
        ProblemKind.LIMIT_RATIO,
        ProblemKind.LIMIT_TIME,
    }
)


@dataclass(frozen=True, slots=True)
class Problem:
    """One recorded problem, located at an artifact and, where known, a member inside it."""

    kind: ProblemKind
    level: ProblemLevel
    message: str
    location: str
    artifact: str | None = None
    member: str | None = None
    stage: str = "unpack"
    extractor: str | None = None
