"""The census table (`assay/data/unsafe-functions.yaml`): function families, each member unsafe
or safe, every classification backed by named sources."""

from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from assay.model.census import FunctionClass, Safety
from assay.model.finding import Severity

TABLE_FILE = "unsafe-functions.yaml"


class CensusTableError(ValueError):
    """The table file is malformed."""


@dataclass(frozen=True, slots=True)
class Source:
    """A document that classifies functions (a standard, a banned list, a library manual)."""

    id: str
    title: str
    url: str


@dataclass(frozen=True, slots=True)
class Family:
    """A family of functions doing one job, split into unsafe and safe members."""

    id: str
    title: str
    severity: Severity
    severity_reason: str
    board_category: str | None
    unsafe: tuple[str, ...]
    safe: tuple[str, ...]


class FunctionTable:
    """Every listed function by name, the families in file order, and the sources."""

    def __init__(
        self,
        version: str,
        sources: tuple[Source, ...],
        families: tuple[Family, ...],
        functions: tuple[FunctionClass, ...],
    ) -> None:
        self.version = version
        self.sources = {s.id: s for s in sources}
        self.families = {f.id: f for f in families}
        self.functions = {f.name: f for f in functions}

    def classify(self, name: str) -> FunctionClass | None:
        """The listed function of this name (None if it is not in the census)."""
        return self.functions.get(name)


def load_table(path: Path | None = None) -> FunctionTable:
    """The table at `path`, or the one shipped with assay."""
    if path is None:
        return default_table()
    return parse_table(path.read_text(encoding="utf-8"), str(path))


@cache
def default_table() -> FunctionTable:
    """The table shipped in `assay/data/unsafe-functions.yaml`, parsed once per process."""
    text = resources.files("assay.data").joinpath(TABLE_FILE).read_text(encoding="utf-8")
    return parse_table(text, TABLE_FILE)


def parse_table(text: str, origin: str) -> FunctionTable:
    """Parse and validate the table's YAML text (CensusTableError names what is wrong)."""
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as err:
        raise CensusTableError(f"{origin}: not valid YAML: {err}") from err
    if not isinstance(document, dict):
        raise CensusTableError(f"{origin}: expected a mapping with `sources` and `families`")
    sources = tuple(_source(key, value, origin) for key, value in _mapping(document, "sources"))
    known = {s.id for s in sources}
    families: list[Family] = []
    functions: dict[str, FunctionClass] = {}
    for key, value in _mapping(document, "families"):
        family, members = _family(key, value, known, origin)
        families.append(family)
        for member in members:
            if member.name in functions:
                raise CensusTableError(f"{origin}: {member.name} is listed twice")
            functions[member.name] = member
    return FunctionTable(
        str(document.get("version", "")), sources, tuple(families), tuple(functions.values())
    )


def _mapping(document: dict[str, Any], key: str) -> list[tuple[str, Any]]:
    value = document.get(key)
    if not isinstance(value, dict) or not value:
        raise CensusTableError(f"`{key}` must be a non-empty mapping")
    return [(str(k), v) for k, v in value.items()]


def _source(key: str, value: Any, origin: str) -> Source:
    if not isinstance(value, dict) or not value.get("title") or not value.get("url"):
        raise CensusTableError(f"{origin}: source {key} needs a title and a url")
    return Source(key, str(value["title"]), str(value["url"]))


def _family(
    key: str, value: Any, known: set[str], origin: str
) -> tuple[Family, list[FunctionClass]]:
    if not isinstance(value, dict):
        raise CensusTableError(f"{origin}: family {key} must be a mapping")
    try:
        severity = Severity.from_label(str(value.get("severity", "")))
    except ValueError as err:
        raise CensusTableError(f"{origin}: family {key}: {err}") from err
    board = value.get("board_category")
    if board is not None and board not in known:
        raise CensusTableError(f"{origin}: family {key} cites unknown source {board}")
    members = [
        _member(name, sources, key, safety, known, origin)
        for safety in Safety
        for name, sources in (value.get(safety.value) or {}).items()
    ]
    if not any(m.safety is Safety.UNSAFE for m in members):
        raise CensusTableError(f"{origin}: family {key} has no unsafe member")
    family = Family(
        id=key,
        title=str(value.get("title", key)),
        severity=severity,
        severity_reason=" ".join(str(value.get("severity_reason", "")).split()),
        board_category=board,
        unsafe=tuple(m.name for m in members if m.safety is Safety.UNSAFE),
        safe=tuple(m.name for m in members if m.safety is Safety.SAFE),
    )
    return family, members


def _member(
    name: str, sources: Any, family: str, safety: Safety, known: set[str], origin: str
) -> FunctionClass:
    if not isinstance(sources, list) or not sources:
        raise CensusTableError(f"{origin}: {name} ({family}) needs at least one source")
    unknown = [s for s in sources if s not in known]
    if unknown:
        raise CensusTableError(f"{origin}: {name} ({family}) cites unknown source {unknown[0]}")
    return FunctionClass(str(name), family, safety, tuple(str(s) for s in sources))
