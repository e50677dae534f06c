"""Reading a vendor's SBOM — CycloneDX JSON (any 1.x) or SPDX 2.x JSON, told apart by content —
into the components it declares: name, version, purl and CPEs.

Hand-written on purpose: cyclonedx-python-lib's and spdx-tools' deserialisers build the whole
document model and refuse it for any nonconforming field (a licence expression, a date, an
unknown enum value), and vendor SBOMs are often loose in exactly those places; the comparison
needs four fields of each entry, which are read here and nothing else.
"""

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from packageurl import PackageURL

NOT_PRODUCTS = {"file", "data"}


class SbomFormatError(ValueError):
    """The file is not a CycloneDX or SPDX JSON document this reader can use."""


@dataclass(frozen=True, slots=True)
class DeclaredComponent:
    """One component a vendor's SBOM declares."""

    name: str
    version: str | None
    purl: PackageURL | None = None
    cpes: tuple[str, ...] = ()
    ref: str | None = None


@dataclass(frozen=True, slots=True)
class VendorSbom:
    """A vendor's SBOM: where it came from, its format and what it declares."""

    path: str
    format: str
    sha256: str
    components: tuple[DeclaredComponent, ...]


def read_vendor_sbom(path: Path) -> VendorSbom:
    """Read and recognise a vendor SBOM; `SbomFormatError` says in one line what is wrong."""
    try:
        data = path.read_bytes()
    except OSError as err:
        raise SbomFormatError(f"cannot read {path}: {err.strerror}") from err
    return parse_vendor_sbom(data, str(path))


def parse_vendor_sbom(data: bytes, path: str) -> VendorSbom:
    """The declared components of a CycloneDX or SPDX JSON document."""
    try:
        document = json.loads(data)
    except (UnicodeDecodeError, ValueError) as err:
        raise SbomFormatError(f"{path} is not JSON: {err}") from err
    if isinstance(document, dict) and document.get("bomFormat") == "CycloneDX":
        fmt, components = f"CycloneDX {document.get('specVersion', '?')}", _cyclonedx(document)
    elif isinstance(document, dict) and str(document.get("spdxVersion", "")).startswith("SPDX-2"):
        fmt, components = str(document["spdxVersion"]), _spdx(document)
    else:
        raise SbomFormatError(f"{path} is neither CycloneDX JSON nor SPDX 2 JSON")
    return VendorSbom(path, fmt, hashlib.sha256(data).hexdigest(), tuple(components))


def _cyclonedx(document: dict[str, Any]) -> list[DeclaredComponent]:
    found = []
    for index, entry in enumerate(_nested(_list(document, "components"))):
        if entry.get("type") in NOT_PRODUCTS:
            continue
        cpe = entry.get("cpe")
        found.append(
            DeclaredComponent(
                name=_name(entry, "name", index),
                version=_text(entry.get("version")),
                purl=_purl(entry.get("purl")),
                cpes=(cpe,) if isinstance(cpe, str) and cpe else (),
                ref=_text(entry.get("bom-ref")),
            )
        )
    return found


def _nested(entries: list[Any]) -> Iterator[dict[str, Any]]:
    for entry in entries:
        if not isinstance(entry, dict):
            raise SbomFormatError("a CycloneDX component is not a JSON object")
        yield entry
        yield from _nested(_list(entry, "components"))


def _spdx(document: dict[str, Any]) -> list[DeclaredComponent]:
    packages = _list(document, "packages")
    if not all(isinstance(p, dict) for p in packages):
        raise SbomFormatError("an SPDX package is not a JSON object")
    roots = _described(document)
    kept = [p for p in packages if p.get("SPDXID") not in roots] or packages
    return [_spdx_package(package, index) for index, package in enumerate(kept)]


def _spdx_package(package: dict[str, Any], index: int) -> DeclaredComponent:
    purl, cpes = None, []
    for ref in _list(package, "externalRefs"):
        kind = ref.get("referenceType") if isinstance(ref, dict) else None
        locator = _text(ref.get("referenceLocator")) if isinstance(ref, dict) else None
        if kind == "purl" and purl is None:
            purl = _purl(locator)
        elif kind in ("cpe23Type", "cpe22Type") and locator:
            cpes.append(locator)
    return DeclaredComponent(
        name=_name(package, "name", index),
        version=_text(package.get("versionInfo")),
        purl=purl,
        cpes=tuple(cpes),
        ref=_text(package.get("SPDXID")),
    )


def _described(document: dict[str, Any]) -> set[str]:
    """SPDX ids the document DESCRIBES: the product itself, not one of its components."""
    roots = {d for d in _list(document, "documentDescribes") if isinstance(d, str)}
    for rel in _list(document, "relationships"):
        if isinstance(rel, dict) and rel.get("relationshipType") == "DESCRIBES":
            roots.add(str(rel.get("relatedSpdxElement")))
    return roots


def _list(entry: dict[str, Any], key: str) -> list[Any]:
    value = entry.get(key, [])
    if not isinstance(value, list):
        raise SbomFormatError(f"'{key}' is not a list")
    return value


def _name(entry: dict[str, Any], key: str, index: int) -> str:
    name = _text(entry.get(key))
    if name is None:
        raise SbomFormatError(f"entry #{index + 1} has no {key}")
    return name


def _text(value: Any) -> str | None:
    return (value.strip() or None) if isinstance(value, str) else None


def _purl(value: Any) -> PackageURL | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return PackageURL.from_string(value)
    except ValueError:
        return None
