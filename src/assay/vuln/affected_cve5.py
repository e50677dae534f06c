"""CVE JSON 5 `affected` entries: is a version affected, unaffected, or not said?

Follows the CVE 5 schema's version algorithm: an entry's `versions` items are exact versions
(`version` alone) or ranges (`version` up to `lessThan` / `lessThanOrEqual`, `*` for no end,
`3.16.*` for the end of a branch), each with a `status` and optional `changes`; a version in no
item takes the entry's `defaultStatus`. Where the data bends the schema:
- a range whose start equals its end (`8.4.0` lessThan `8.4.0`, curl's HackerOne records) means
  every version below the end; where such ranges nest, the narrowest (lowest end) decides;
- OpenSSL's text items (`Fixed in OpenSSL 1.1.1d (Affected 1.1.1-1.1.1c)`) are read as ranges;
- items whose versionType cannot be compared with an upstream version (git commits, rpm/deb
  package versions) are skipped; when the version then falls to a defaultStatus those items
  contradict, the entry says nothing;
- kernel ranges are read per stable branch: an affected range ending on the version's branch
  decides, ranges ending on other branches do not apply to it.
Entries of the CNA decide first; ADP entries (CISA-ADP enrichment) only when the CNA's say nothing.
"""

import re
from dataclasses import dataclass, field
from typing import Any

from assay.vuln.aliases import ProductNames, normalise_name
from assay.vuln.cpe import parse_cpe
from assay.vuln.match_result import SILENT, Decision, Status
from assay.vuln.source import CveRecord
from assay.vuln.versions import Scheme, compare, kernel_branch, parse

NOT_UPSTREAM_TYPES = frozenset({"git", "rpm", "deb", "dpkg", "apk", "commit"})
OPENSSL_TEXT = re.compile(r"Fixed in OpenSSL (?P<fixed>\S+) \(Affected (?P<affected>[^)]+)\)")
STATUSES = {"affected": Status.AFFECTED, "unaffected": Status.UNAFFECTED}


@dataclass(frozen=True, slots=True)
class Item:
    """One versions item as an interval: `low` (None: no start), `high` (None: exact version at
    `low`), `inclusive` end, `branch_end` (a `3.16.*` end), status, changes and fix."""

    low: str | None
    high: str | None
    inclusive: bool
    status: str
    changes: tuple[tuple[str, str], ...] = ()
    fixed: str | None = None
    exact: bool = False


@dataclass(frozen=True, slots=True)
class Entry:
    """One `affected` entry, parsed once: its names (normalised vendor:product, or the package
    name of an entry without them, and its CPEs' vendor:product), whether an ADP wrote it, its
    default status, its comparable items and the statuses of the items it had to skip."""

    raw: dict[str, Any] = field(compare=False, repr=False)
    name: str | None
    package: str | None
    cpe_names: frozenset[str]
    adp: bool
    default: str
    items: tuple[Item, ...]
    skipped: frozenset[str]

    def names_product(self, names: ProductNames, packages: frozenset[str]) -> bool:
        """Whether the entry is about the product (by CNA name, package name or CPE)."""
        if self.name is not None and self.name in names.cve5:
            return True
        if self.package is not None and self.package in packages:
            return True
        return not self.cpe_names.isdisjoint(names.cpe)


def parse_entries(record: CveRecord) -> tuple[Entry, ...]:
    """The record's CVE 5 `affected` entries."""
    return tuple(_parse_entry(e) for e in record.get("cve5_affected", ()))


def _parse_entry(raw: dict[str, Any]) -> Entry:
    vendor, product = raw.get("vendor"), raw.get("product")
    name = normalise_name(str(vendor), str(product)) if vendor and product else None
    package = str(raw.get("packageName", "")).lower() if name is None else None
    cpes = (parse_cpe(str(t)) for t in raw.get("cpes", ()))
    cpe_names = frozenset(c.vendor_product for c in cpes if c is not None and c.vendor_product)
    items: list[Item] = []
    skipped: set[str] = set()
    for version in raw.get("versions", ()):
        if str(version.get("versionType", "")).lower() in NOT_UPSTREAM_TYPES:
            skipped.add(str(version.get("status")))
        else:
            items.extend(_items(version))
    adp = str(raw.get("provider", "")).upper().endswith("ADP")
    default = str(raw.get("defaultStatus") or "unknown")
    return Entry(
        raw, name, package or None, cpe_names, adp, default, tuple(items), frozenset(skipped)
    )


def decide(
    entries: tuple[Entry, ...],
    names: ProductNames,
    version: str,
    scheme: Scheme,
    packages: frozenset[str],
) -> Decision:
    """What the CVE 5 entries for this product say about `version`."""
    mine = [e for e in entries if e.names_product(names, packages)]
    for tier in ([e for e in mine if not e.adp], [e for e in mine if e.adp]):
        decisions = [_entry(e, version, scheme) for e in tier]
        for status in (Status.AFFECTED, Status.UNAFFECTED, Status.UNDECIDED):
            found = next((d for d in decisions if d.status is status), None)
            if found is not None:
                return found
    return SILENT


def _entry(parsed: Entry, version: str, scheme: Scheme) -> Decision:
    entry, items, skipped, default = parsed.raw, parsed.items, parsed.skipped, parsed.default
    if parse(version, scheme) is None:
        return _undecided(entry, f"version {version!r} cannot be parsed ({scheme.value})")
    inside: list[Item] = []
    for item in items:
        where = _contains(item, version, scheme)
        if where is None:
            return _undecided(entry, f"{version!r} cannot be compared with {_show(item)}")
        if where and item.exact:
            return _status(entry, item, version, scheme)
        if where:
            inside.append(item)
    inside = _branch_filter(items, inside, version, scheme)
    if inside:
        return _status(entry, _narrowest(inside, scheme), version, scheme)
    if _fixed_on_branch(items, version, scheme):
        return Decision(Status.UNAFFECTED, why=_about(entry))
    if skipped - {default}:
        return SILENT
    status = STATUSES.get(default)
    if status is None:
        return SILENT
    sentence = f"version {version} is in no listed range; the default status is {default}"
    return Decision(status, f"{_who(entry)}: {sentence}", {**_about(entry), "default": default})


def _items(raw: dict[str, Any]) -> list[Item]:
    status = str(raw.get("status", "unknown"))
    text = str(raw.get("version", "")).strip()
    changes = tuple(
        (str(c.get("at")), str(c.get("status"))) for c in raw.get("changes", ()) if c.get("at")
    )
    match = OPENSSL_TEXT.search(text)
    if match:
        return _openssl_text(match, status)
    less, less_equal = raw.get("lessThan"), raw.get("lessThanOrEqual")
    if less is None and less_equal is None:
        if text in ("*", ""):
            return [Item(None, "*", True, status, changes)]
        return [Item(text, None, True, status, changes, exact=True)]
    high = str(less if less is not None else less_equal).strip()
    low = None if text in ("0", "*", "", high) else text
    return [
        Item(low, high, less is None, status, changes, fixed=high if less is not None else None)
    ]


def _openssl_text(match: re.Match[str], status: str) -> list[Item]:
    items = []
    for part in match["affected"].split(","):
        bounds = re.split(r"-(?=[0-9])", part.strip(), maxsplit=1)
        if len(bounds) == 2:
            items.append(Item(bounds[0], bounds[1], True, status, fixed=match["fixed"]))
        else:
            items.append(Item(bounds[0], None, True, status, fixed=match["fixed"], exact=True))
    return items


def _contains(item: Item, version: str, scheme: Scheme) -> bool | None:
    """Whether the item covers `version`; None if a bound cannot be compared."""
    if item.exact:
        order = compare(version, item.low or "", scheme)
        return None if order is None else order == 0
    if item.low is not None:
        order = compare(version, item.low, scheme)
        if order is None:
            return None
        if order < 0:
            return False
    return _below_end(item, version, scheme)


def _below_end(item: Item, version: str, scheme: Scheme) -> bool | None:
    high = item.high or "*"
    if high == "*":
        return True
    if high.endswith(".*"):
        prefix = high[:-2]
        order = compare(version, prefix, scheme)
        if order is None:
            return None
        return order <= 0 or version.startswith(prefix + ".")
    order = compare(version, high, scheme)
    if order is None:
        return None
    return order < 0 or (item.inclusive and order == 0)


def _branch_filter(
    items: tuple[Item, ...], inside: list[Item], version: str, scheme: Scheme
) -> list[Item]:
    """For the kernel, affected ranges ending on other stable branches do not apply to a version
    whose own branch has an affected range."""
    if scheme is not Scheme.KERNEL:
        return inside
    branch = kernel_branch(version)
    if not any(_affected_on(i, branch) for i in items):
        return inside
    return [i for i in inside if i.status != "affected" or _affected_on(i, branch)]


def _fixed_on_branch(items: tuple[Item, ...], version: str, scheme: Scheme) -> bool:
    if scheme is not Scheme.KERNEL:
        return False
    branch = kernel_branch(version)
    return any(_affected_on(i, branch) for i in items)


def _affected_on(item: Item, branch: tuple[int, ...] | None) -> bool:
    return (
        item.status == "affected"
        and item.high not in (None, "*")
        and branch is not None
        and kernel_branch(str(item.high)) == branch
    )


def _narrowest(inside: list[Item], scheme: Scheme) -> Item:
    best = inside[0]
    for item in inside[1:]:
        if best.high in (None, "*") or _ends_before(item, str(best.high), scheme):
            best = item
    return best


def _ends_before(item: Item, high: str, scheme: Scheme) -> bool:
    return item.high not in (None, "*") and compare(str(item.high), high, scheme) == -1


def _status(entry: dict[str, Any], item: Item, version: str, scheme: Scheme) -> Decision:
    status, fixed = item.status, item.fixed
    here = parse(version, scheme)
    changes = [(parse(at, scheme), at, changed) for at, changed in item.changes]
    for at_version, at, changed in sorted(
        ((v, a, c) for v, a, c in changes if v is not None), key=lambda change: change[0]
    ):
        if here is not None and here >= at_version:
            status = changed
        elif changed == "unaffected" and fixed is None:
            fixed = at
    verdict = STATUSES.get(status)
    if verdict is None:
        return SILENT
    sentence = f"{_who(entry)}: {version} is {status} ({_show(item)})"
    why = {**_about(entry), "item": _show(item)}
    return Decision(verdict, sentence, why, fixed=fixed if verdict is Status.AFFECTED else None)


def _undecided(entry: dict[str, Any], reason: str) -> Decision:
    return Decision(Status.UNDECIDED, f"{_who(entry)}: {reason}", _about(entry))


def _about(entry: dict[str, Any]) -> dict[str, Any]:
    """Which entry decided: its names, provider and default status."""
    keys = ("vendor", "product", "packageName", "provider", "defaultStatus")
    return {"cve5": {k: entry[k] for k in keys if entry.get(k)}}


def _who(entry: dict[str, Any]) -> str:
    name = " ".join(str(entry[k]) for k in ("vendor", "product") if entry.get(k))
    name = name or str(entry.get("packageName", "?"))
    return f"CVE 5 {name} ({entry.get('provider', 'cna')})"


def _show(item: Item) -> str:
    if item.exact:
        return f"= {item.low}"
    low = f"[{item.low}" if item.low else "(*"
    high = item.high or "*"
    return f"{low}, {high}{']' if item.inclusive or high == '*' else ')'}"
