"""An independent evaluator of NVD 2.0 CPE `configurations` for one product version, written
apart from `assay.vuln` (test code only) to check the matcher against.

Deliberately simple. Versions are tuples of numbers and lower-case letter runs (`1.0.2k` →
(1, 0, 2, "k"), `7.4p1` → (7, 4, "p", 1)), compared element by element; a longer tuple is newer
unless the extra elements are all zeros (`2.0` = `2.0.0`). Whatever that rule cannot order is
`Ambiguous`, never guessed: a number against letters at the same place (`9.0p1` against
`9.0.1`), a pre-release word (`rc`, `beta`, `b1`, …) where it would decide, characters outside
`[0-9a-z._-]`, an update of no known kind on the component's own version. A release never
equals a pre-release; a version with `*`/`?` is a shell-style pattern. Tests pick component
versions that never hit an ambiguity.

A component is (vendor:product names, version, update). The update is what NVD writes in the
CPE `update` field: OpenSSH and sudo patch levels (`7.4p1` is version 7.4, update p1); OpenSSL
letters are part of the version (`1.0.2k`). A criteria with version V and update `*` covers the
component when V equals its version or its version with the update (CPE name matching: ANY
covers every value); update `-` (NA) only the version without an update. The part and the
attributes after the update (edition, target_sw, …) are not known for a component: not compared.

Configurations, after the matcher's documented policy (assay/vuln/configurations.py), in
three-valued logic (True, False, None for unknown):
- a configuration concerns the component only if one of its `vulnerable: true` entries names it;
- an entry naming the component is true when its version is covered;
- in an OR node that holds such an entry, entries of other products are alternatives: false;
- every other entry is a platform condition; no platform is known, so it is unknown;
- nodes combine their entries with their operator, configurations their nodes with theirs
  (OR when absent); `negate` inverts (unknown stays unknown).
A configuration yields a match when it is not false and a satisfied, vulnerable entry naming the
component sits in a node that is neither negated nor false (the configuration itself not
negated); the match is conditional when the configuration is only unknown (it depends on the
platform). A record matches when a configuration does; conditionally when all that do are.
"""

import fnmatch
import gzip
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BOUND_KEYS = (
    "versionStartIncluding",
    "versionStartExcluding",
    "versionEndIncluding",
    "versionEndExcluding",
)
SIMPLE_VERSION = re.compile(r"[0-9][0-9a-z._-]*")
PIECES = re.compile(r"[0-9]+|[a-z]+")
PRE_RELEASE_WORDS = frozenset({"alpha", "beta", "rc", "pre", "dev", "test", "snapshot"})
PATCH_UPDATE = re.compile(r"(?:p|patch|pl)([0-9]+)")
PRE_RELEASE_UPDATE = re.compile(r"alpha|beta|rc|pre|dev|test|[ab][0-9]")
PRE_RELEASE = "<pre-release>"
CPE_FIELDS = 13  # "cpe", "2.3", part, vendor, product, version, update, and six more
Truth = bool | None


class Ambiguous(Exception):
    """The oracle's simple rules cannot decide (the test version set must avoid this)."""


@dataclass(frozen=True, slots=True)
class Component:
    """What the oracle judges: vendor:product names, version, and CPE update (or None)."""

    names: frozenset[str]
    version: str
    update: str | None = None

    @property
    def full_version(self) -> str:
        """The version with its update (`7.4` + `p1` → `7.4p1`)."""
        return self.version + (self.update or "")


@dataclass(frozen=True, slots=True)
class Verdict:
    """A record matched, and whether only conditionally (on an unknown platform)."""

    cve: str
    conditional: bool


def load_records(*paths: Path) -> Iterator[dict[str, Any]]:
    """The records of assay's JSON Lines (gzip) vulnerability files."""
    for path in paths:
        with gzip.open(path, "rt", encoding="utf-8") as lines:
            yield from (json.loads(line) for line in lines if line.strip())


# --- versions ---------------------------------------------------------------------------------


def version_key(text: str) -> tuple[int | str, ...]:
    """The version as a tuple of numbers and letter runs; a pre-release word is kept as
    `PRE_RELEASE` (it cannot be ordered against anything but an earlier difference)."""
    lowered = text.strip().lower()
    if not SIMPLE_VERSION.fullmatch(lowered):
        raise Ambiguous(f"version {text!r} is not a plain dotted version")
    pieces = PIECES.findall(lowered)
    key: list[int | str] = []
    for index, piece in enumerate(pieces):
        followed_by_number = index + 1 < len(pieces) and pieces[index + 1].isdigit()
        if piece in PRE_RELEASE_WORDS or (piece in ("a", "b") and followed_by_number):
            key.append(PRE_RELEASE)
        else:
            key.append(int(piece) if piece.isdigit() else piece)
    return tuple(key)


def compare(left: str, right: str) -> int:
    """-1, 0 or 1 as `left` is older than, equal to or newer than `right`."""
    a, b = version_key(left), version_key(right)
    for x, y in zip(a, b, strict=False):
        if PRE_RELEASE in (x, y) or type(x) is not type(y):
            raise Ambiguous(f"cannot order {left!r} and {right!r}")
        if x != y:
            return -1 if x < y else 1  # type: ignore[operator]
    rest = a[len(b) :] or b[len(a) :]
    if all(item == 0 for item in rest):
        return 0
    if PRE_RELEASE in rest:
        raise Ambiguous(f"cannot order {left!r} and {right!r}")
    return 1 if len(a) > len(b) else -1


# --- CPE criteria -----------------------------------------------------------------------------


def split_criteria(criteria: str) -> list[str]:
    """The 13 colon-separated fields of a CPE 2.3 string, escapes removed."""
    fields, current, escaped = [], [], False
    for char in criteria:
        if escaped:
            current.append(char)
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == ":":
            fields.append("".join(current))
            current = []
        else:
            current.append(char)
    fields.append("".join(current))
    if len(fields) != CPE_FIELDS or fields[:2] != ["cpe", "2.3"]:
        raise Ambiguous(f"not a CPE 2.3 name: {criteria!r}")
    return fields


def entry_name(entry: dict[str, Any]) -> str:
    """The vendor:product an entry names, lower-cased."""
    fields = split_criteria(str(entry["criteria"]))
    return f"{fields[3]}:{fields[4]}".lower()


def covers(entry: dict[str, Any], component: Component) -> bool:
    """Whether the entry's version (exact, or its bounds) covers the component's version."""
    fields = split_criteria(str(entry["criteria"]))
    version, update = fields[5].lower(), fields[6].lower()
    if update != "*" and ("*" in update or "?" in update):
        raise Ambiguous(f"wildcard update in {entry['criteria']}")
    if version != "*" and ("*" in version or "?" in version):
        # a pattern (`4.*`): `*` any run of characters, `?` one character
        return fnmatch.fnmatchcase(component.version, version)
    if version == "-":
        return False  # NA: the product without a version; our components have one
    if version in ("*", ""):
        return _within_bounds(entry, component, update)
    return _exact(version, update, component)


def _exact(version: str, update: str, component: Component) -> bool:
    if not SIMPLE_VERSION.fullmatch(version) or PRE_RELEASE in version_key(version):
        return False  # not a release (libpng `beta1`, jq `1.6rc2`): equals none of ours
    if update in ("*", ""):
        return any(compare(version, v) == 0 for v in (component.version, component.full_version))
    if update == "-":
        return component.update is None and compare(version, component.version) == 0
    if PRE_RELEASE_UPDATE.search(update):
        return False  # a pre-release: never one of our (released) component versions
    if not _post_release_update(update) and all(
        compare(version, v) != 0 for v in (component.version, component.full_version)
    ):
        return False  # an update of no known kind (`0.9.8h:bogus`) on another version
    return compare(version + _post_release(update), component.full_version) == 0


def _post_release_update(update: str) -> bool:
    return PATCH_UPDATE.fullmatch(update) is not None or re.fullmatch(r"[a-z]", update) is not None


def _post_release(update: str) -> str:
    """An update that names a later release: `patch1`/`p1` → `p1`, a letter stays."""
    patch = PATCH_UPDATE.fullmatch(update)
    if patch:
        return f"p{patch[1]}"
    if re.fullmatch(r"[a-z]", update):
        return update
    raise Ambiguous(f"update {update!r} is neither a patch level nor a letter release")


def _within_bounds(entry: dict[str, Any], component: Component, update: str) -> bool:
    bounds = {k: str(entry[k]) for k in BOUND_KEYS if entry.get(k)}
    if update == "-" and component.update is not None:
        return False  # NA: only versions without an update
    if update not in ("*", "", "-"):
        bounds = _bounds_with_update(bounds, update)
    version = component.full_version
    checks = {
        "versionStartIncluding": (0, 1),
        "versionStartExcluding": (1,),
        "versionEndIncluding": (-1, 0),
        "versionEndExcluding": (-1,),
    }
    return all(compare(version, bound) in checks[key] for key, bound in bounds.items())


def _bounds_with_update(bounds: dict[str, str], update: str) -> dict[str, str]:
    """`*:p2` up to 7.2 means up to 7.2p2; `*:rc3` up to 2.73 means up to 2.73rc3, which for a
    released version is: before 2.73. Only end bounds occur with an update in NVD data."""
    if set(bounds) != {"versionEndIncluding"}:
        raise Ambiguous(f"bounds {bounds} with update {update!r}")
    end = bounds["versionEndIncluding"]
    if PRE_RELEASE_UPDATE.search(update):
        return {"versionEndExcluding": end}
    return {"versionEndIncluding": end + _post_release(update)}


# --- configurations ---------------------------------------------------------------------------


def _any(values: list[Truth]) -> Truth:
    if any(v is True for v in values):
        return True
    return None if any(v is None for v in values) else False


def _all(values: list[Truth]) -> Truth:
    if not values or any(v is False for v in values):
        return False
    return None if any(v is None for v in values) else True


def _not(value: Truth) -> Truth:
    return None if value is None else not value


def _combine(operator: str | None, values: list[Truth]) -> Truth:
    return _all(values) if str(operator or "OR").upper() == "AND" else _any(values)


def _node(node: dict[str, Any], component: Component) -> tuple[Truth, bool]:
    """A node's truth, and whether a vulnerable entry naming the component is satisfied in it."""
    entries = node.get("cpeMatch", [])
    mine = [entry_name(e) in component.names for e in entries]
    is_or = str(node.get("operator") or "OR").upper() != "AND"
    values: list[Truth] = []
    witnessed = False
    for entry, about_component in zip(entries, mine, strict=True):
        if about_component:
            inside = covers(entry, component)
            values.append(inside)
            witnessed = witnessed or (inside and bool(entry.get("vulnerable")))
        elif any(mine) and is_or:
            values.append(False)
        else:
            values.append(None)
    value = _combine(node.get("operator"), values)
    if node.get("negate"):
        return _not(value), False
    return value, witnessed and value is not False


def configuration(config: dict[str, Any], component: Component) -> Truth | None:
    """True (a match), None (a conditional match), or False (no match) for one configuration."""
    nodes = config.get("nodes", [])
    vulnerable = {
        entry_name(e) for n in nodes for e in n.get("cpeMatch", []) if e.get("vulnerable")
    }
    if vulnerable.isdisjoint(component.names):
        return False
    results = [_node(n, component) for n in nodes]
    value = _combine(config.get("operator"), [v for v, _ in results])
    if config.get("negate"):
        return False  # whatever it is, no entry of the component is what makes it true
    if value is False or not any(w for _, w in results):
        return False
    return value


def assess(record: dict[str, Any], component: Component) -> Verdict | None:
    """The record's verdict for the component from its configurations only, None if none
    matches."""
    outcomes = [configuration(c, component) for c in record.get("configurations") or []]
    if True in outcomes:
        return Verdict(str(record["id"]), conditional=False)
    if None in outcomes:
        return Verdict(str(record["id"]), conditional=True)
    return None


def matches(records: Iterable[dict[str, Any]], component: Component) -> dict[str, Verdict]:
    """Every record that matches the component through its configurations, by CVE id."""
    found = (assess(r, component) for r in records if r.get("configurations"))
    return {v.cve: v for v in found if v is not None}
