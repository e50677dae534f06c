"""Declared versus found: a vendor SBOM's components compared with the components assay found.

A declared entry is the same product as a found component when their purls agree on type,
namespace and name (qualifiers ignored), else when their names agree once normalised, else when a
CPE product agrees. Versions agree when equal once normalised, or when the declared version is a
distribution version of the found one (`1:1.1.1n-0+deb11u4` declares `1.1.1n`).

Exact matches are paired first, so a declared version is only compared with found versions that
no other declared entry claimed: declaring 1.1.1w and 1.1.1v when 1.1.1w and 1.0.2k were found
gives one match, one version mismatch (1.1.1v declared, 1.0.2k found) and nothing undeclared.
"""

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache

from packageurl import PackageURL

from assay.catalog.vendor_sbom import DeclaredComponent, VendorSbom
from assay.model.component import Component


@dataclass(frozen=True, slots=True)
class Match:
    """A declared entry and the found component(s) of the same product and version (every found
    version when the entry declares none)."""

    declared: DeclaredComponent
    components: tuple[Component, ...]
    by: str


@dataclass(frozen=True, slots=True)
class Comparison:
    """The vendor SBOM against the components found in the release."""

    source: VendorSbom
    matched: tuple[Match, ...]
    version_mismatch: tuple[Match, ...]
    missing: tuple[DeclaredComponent, ...]
    undeclared: tuple[Component, ...]


def compare(source: VendorSbom, found: Sequence[Component]) -> Comparison:
    """Pair each declared entry with what was found; the rest is missing or undeclared."""
    candidates = [_candidates(d, found) for d in source.components]
    exact: dict[int, Match] = {}
    for index, declared in enumerate(source.components):
        by, same_product = candidates[index]
        wanted = declared_version(declared)
        same = [c for c in same_product if wanted is None or _same_version(wanted, c.version)]
        if same:
            exact[index] = Match(declared, tuple(same), by)
    claimed = {c.id for m in exact.values() for c in m.components}
    mismatched: list[Match] = []
    missing: list[DeclaredComponent] = []
    for index, declared in enumerate(source.components):
        by, same_product = candidates[index]
        others = tuple(c for c in same_product if c.id not in claimed)
        if index in exact:
            continue
        if others:
            mismatched.append(Match(declared, others, by))
        else:
            missing.append(declared)
    accounted = claimed | {c.id for m in mismatched for c in m.components}
    return Comparison(
        source=source,
        matched=tuple(exact.values()),
        version_mismatch=tuple(mismatched),
        missing=tuple(missing),
        undeclared=tuple(c for c in found if c.id not in accounted),
    )


def _candidates(
    declared: DeclaredComponent, found: Sequence[Component]
) -> tuple[str, list[Component]]:
    """The found components of the same product, and which identifier said so."""
    tests: tuple[tuple[str, Callable[[DeclaredComponent, Component], bool]], ...] = (
        ("purl", _same_purl),
        ("name", _same_name),
        ("cpe", _same_cpe_product),
    )
    for by, same in tests:
        hits = [c for c in found if same(declared, c)]
        if hits:
            return by, hits
    return "", []


def _same_purl(declared: DeclaredComponent, component: Component) -> bool:
    if declared.purl is None or component.purl is None:
        return False
    key = (declared.purl.type, declared.purl.namespace or "", declared.purl.name.lower())
    return key == _purl_key(component.purl)


@cache
def _purl_key(purl: str) -> tuple[str, str, str] | None:
    """Type, namespace and name of a purl; qualifiers, subpath and version ignored."""
    try:
        parsed = PackageURL.from_string(purl)
    except ValueError:
        return None
    return parsed.type, parsed.namespace or "", parsed.name.lower()


def _same_name(declared: DeclaredComponent, component: Component) -> bool:
    return normalise_name(declared.name) in {
        normalise_name(component.name),
        normalise_name(component.product),
    }


def _same_cpe_product(declared: DeclaredComponent, component: Component) -> bool:
    products = {cpe_field(c, "product") for c in component.cpes} - {None}
    return any(cpe_field(c, "product") in products for c in declared.cpes)


def _same_version(declared: str, found: str) -> bool:
    return normalise_version(found) in (normalise_version(declared), upstream_version(declared))


def declared_version(declared: DeclaredComponent) -> str | None:
    """The version an entry declares: its version field, else its purl's, else its CPE's."""
    if declared.version:
        return declared.version
    if declared.purl is not None and declared.purl.version:
        return str(declared.purl.version)
    versions = [cpe_field(c, "version") for c in declared.cpes]
    return next((v for v in versions if v), None)


def normalise_name(name: str) -> str:
    """Lower case, letters and digits only: `OpenSSL`, `open-ssl` and `openssl` agree."""
    return re.sub(r"[^a-z0-9]", "", name.lower())


def normalise_version(version: str) -> str:
    """Lower case without a leading `v`."""
    text = version.strip().lower()
    return text[1:] if text.startswith("v") and text[1:2].isdigit() else text


def upstream_version(version: str) -> str:
    """A distribution version without epoch and revision: `1:1.1.1n-0+deb11u4` → `1.1.1n`."""
    text = normalise_version(version)
    text = re.sub(r"^[0-9]+:", "", text)
    return text.rsplit("-", 1)[0] if "-" in text else text


def cpe_field(cpe: str, field: str) -> str | None:
    """The vendor, product or version of a CPE 2.3 or 2.2 name (None when absent or `*`)."""
    if cpe.startswith("cpe:2.3:"):
        parts = cpe.split(":")[3:]
    elif cpe.startswith("cpe:/"):
        parts = cpe[5:].split(":")[1:]
    else:
        return None
    index = {"vendor": 0, "product": 1, "version": 2}[field]
    value = parts[index] if len(parts) > index else ""
    return value.lower() if value not in ("", "*", "-") else None
