"""The taxonomy of network functions: canonical names, aliases and the layer each sits in."""

import difflib
from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml

from assay.network.model import Layer
from assay.network.vocabulary import KNOWN_NETWORK_TYPES

FUNCTIONS_FILE = "network-functions.yaml"
_SEPARATORS = str.maketrans("", "", " -_/.")


@dataclass(frozen=True, slots=True)
class NetworkFunction:
    """One network function. `ncsc_core`: security-critical "core" in the UK NCSC 2020 sense
    although its layer is not core (management, virtualisation, SDN control)."""

    name: str
    layer: Layer
    aliases: tuple[str, ...]
    network_types: tuple[str, ...]
    description: str
    ncsc_core: bool = False

    @property
    def is_ncsc_core(self) -> bool:
        """Core in the NCSC 2020 sense: the core layer or a security-critical management role."""
        return self.layer is Layer.CORE or self.ncsc_core


def name_key(name: str) -> str:
    """The form names are compared in: case-folded, without spaces, '-', '_', '/' and '.'."""
    return name.casefold().translate(_SEPARATORS)


@dataclass(frozen=True, slots=True)
class _Taxonomy:
    functions: tuple[NetworkFunction, ...]
    by_key: dict[str, NetworkFunction]


def _parse_function(entry: object) -> NetworkFunction:
    if not isinstance(entry, dict):
        raise ValueError(f"{FUNCTIONS_FILE}: each function must be a mapping, got {entry!r}")
    name = str(entry["name"])
    types = tuple(str(t) for t in entry.get("network_types", ()))
    unknown = [t for t in types if t not in KNOWN_NETWORK_TYPES]
    if unknown:
        raise ValueError(f"{FUNCTIONS_FILE}: {name}: unknown network types {unknown}")
    return NetworkFunction(
        name=name,
        layer=Layer(entry["layer"]),
        aliases=tuple(str(a) for a in entry.get("aliases", ())),
        network_types=types,
        description=str(entry["description"]),
        ncsc_core=bool(entry.get("ncsc_core", False)),
    )


def _index(functions: tuple[NetworkFunction, ...]) -> dict[str, NetworkFunction]:
    by_key: dict[str, NetworkFunction] = {}
    for function in functions:
        for spelling in (function.name, *function.aliases):
            key = name_key(spelling)
            taken = by_key.get(key)
            if taken is not None and taken is not function:
                raise ValueError(
                    f"{FUNCTIONS_FILE}: '{spelling}' names both {taken.name} and {function.name}"
                )
            by_key[key] = function
    return by_key


@cache
def _taxonomy() -> _Taxonomy:
    text = resources.files("assay.data").joinpath(FUNCTIONS_FILE).read_text(encoding="utf-8")
    document = yaml.safe_load(text)
    functions = tuple(_parse_function(entry) for entry in document["functions"])
    return _Taxonomy(functions, _index(functions))


def all_functions() -> tuple[NetworkFunction, ...]:
    """Every known network function, in the order of the taxonomy file."""
    return _taxonomy().functions


def lookup(name: str) -> NetworkFunction | None:
    """The function a name or alias denotes (case- and separator-insensitive), or None."""
    return _taxonomy().by_key.get(name_key(name))


def suggest(name: str) -> str | None:
    """The canonical name of the known function closest to an unknown `name`, or None."""
    by_key = _taxonomy().by_key
    matches = difflib.get_close_matches(name_key(name), list(by_key), n=1, cutoff=0.6)
    return by_key[matches[0]].name if matches else None
