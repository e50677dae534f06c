"""VEX statements as assay reads them, and whether a statement's product names a component.

A product reference is a purl, a CPE, a component's bom-ref (assay's component id) or an assay
product key (`openssl`, `pypi:pillow`, optionally `openssl@1.0.2k`). Without a version it names
every version of the product, so a decision carries from one release to the next; with one, only
that version. Purls compare type, namespace and name case-insensitively, and the statement's
qualifiers must all be on the component's purl; CPEs compare vendor:product against the
component's CPEs and every vendor:product its product is filed under in vulnerability data.
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from packageurl import PackageURL

from assay.model.component import Component
from assay.model.vulnerability import Triage
from assay.vuln.aliases import product_names
from assay.vuln.cpe import Logical, literal, parse_cpe


class VexError(Exception):
    """A VEX file that cannot be read; the message is one line naming the file and the problem."""


EPOCH = datetime.min.replace(tzinfo=UTC)


class RefKind(StrEnum):
    """What a product reference names a product by."""

    PURL = "purl"
    CPE = "cpe"
    KEY = "key"
    COMPONENT = "component"


@dataclass(frozen=True, slots=True)
class ProductRef:
    """One product named by a statement. `name` is `type/namespace/name` of a purl,
    `vendor:product` of a CPE, the product key or the component id; `version` restricts it."""

    kind: RefKind
    name: str
    version: str | None = None
    qualifiers: tuple[tuple[str, str], ...] = ()

    def label(self) -> str:
        """The reference as a person reads it."""
        return f"{self.kind.value} {self.name}" + (f"@{self.version}" if self.version else "")


@dataclass(frozen=True, slots=True)
class VexStatement:
    """One decision: a vulnerability (and its aliases), the products it names, the triage, and
    where it sorts among the decisions (`order`: timestamp, file number, position in the file)."""

    vulnerability: str
    aliases: tuple[str, ...]
    products: tuple[ProductRef, ...]
    triage: Triage
    order: tuple[datetime, int, int]

    @property
    def names(self) -> tuple[str, ...]:
        """Every id the vulnerability is known by, upper-cased."""
        return tuple(dict.fromkeys(n.upper() for n in (self.vulnerability, *self.aliases)))


@dataclass(frozen=True, slots=True)
class VexFile:
    """What one VEX file held: its format, its statements, and what of it could not be used."""

    path: str
    format: str
    statements: tuple[VexStatement, ...]
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Target:
    """What a component can be named by, normalised for comparison with product references."""

    component_id: str | None
    product: str
    version: str
    purl: PackageURL | None
    cpe_names: frozenset[str]

    def matches(self, ref: ProductRef) -> bool:
        """Whether the reference names this component (and its version, if it gives one)."""
        if ref.kind is RefKind.COMPONENT:
            return ref.name == self.component_id
        if ref.kind is RefKind.KEY:
            if ref.version is None and ref.name == self.component_id:
                return True
            return ref.name == self.product.lower() and _same_version(ref.version, self.version)
        if ref.kind is RefKind.CPE:
            return ref.name in self.cpe_names and _same_version(ref.version, self.version)
        return self._matches_purl(ref)

    def _matches_purl(self, ref: ProductRef) -> bool:
        if self.purl is None or ref.name != purl_name(self.purl):
            return False
        own = {k.lower(): str(v) for k, v in (self.purl.qualifiers or {}).items()}
        if any(own.get(key) != value for key, value in ref.qualifiers):
            return False
        return _same_version(ref.version, self.purl.version or self.version)


def target_for(component: Component | None, product: str, version: str) -> Target:
    """The names of a component (or, without one, of a product key and version)."""
    if component is None:
        return Target(None, product, version, None, frozenset())
    cpes = {c.vendor_product for c in map(parse_cpe, component.cpes) if c is not None}
    cpes.update(product_names(component.product).cpe)
    return Target(
        component.id,
        component.product,
        component.version,
        _purl_or_none(effective_purl(component)),
        frozenset(n.lower() for n in cpes if n),
    )


def effective_purl(component: Component) -> str | None:
    """The component's purl; for a product without one, `pkg:generic/<product key>@<version>`
    (product keys with an ecosystem prefix, such as `pypi:pillow`, always come with a purl)."""
    return component.purl or generic_purl(component.product, component.version)


def generic_purl(product: str, version: str) -> str | None:
    """`pkg:generic/<product key>@<version>`, or None for a key with an ecosystem prefix."""
    if ":" in product or "/" in product:
        return None
    return PackageURL(type="generic", name=product, version=version).to_string()


def versionless_purl(purl: str) -> str:
    """The purl without version, qualifiers and subpath: it names every version of the package."""
    parsed = PackageURL.from_string(purl)
    return PackageURL(type=parsed.type, namespace=parsed.namespace, name=parsed.name).to_string()


def purl_name(purl: PackageURL) -> str:
    """`type/namespace/name`, lower-cased: what identifies a package across versions."""
    return "/".join(p for p in (purl.type, purl.namespace, purl.name) if p).lower()


def ref_for(text: str) -> ProductRef | None:
    """A product reference from an identifier: a purl, a CPE, or an assay product key (or
    component id). Other IRIs (`https://…`, `urn:…`) name nothing assay can see: None.
    ValueError for a malformed purl or CPE."""
    text = text.strip()
    lowered = text.lower()
    if lowered.startswith("pkg:"):
        return purl_ref(text)
    if lowered.startswith("cpe:"):
        return cpe_ref(text)
    if not text or "://" in text or lowered.startswith("urn:"):
        return None
    return key_ref(text)


def purl_ref(text: str) -> ProductRef:
    """A product reference from a purl; ValueError if it is not one."""
    parsed = PackageURL.from_string(text)
    qualifiers = tuple(sorted((k.lower(), str(v)) for k, v in (parsed.qualifiers or {}).items()))
    return ProductRef(RefKind.PURL, purl_name(parsed), parsed.version or None, qualifiers)


def cpe_ref(text: str) -> ProductRef | None:
    """A product reference from a CPE 2.3 string or 2.2 URI; None if vendor or product is not
    a plain value (nothing to compare)."""
    cpe = parse_cpe(text)
    if cpe is None:
        raise ValueError(f"not a CPE: {text!r}")
    if cpe.vendor_product is None:
        return None
    version = None if isinstance(cpe.version, Logical) else literal(cpe.version)
    return ProductRef(RefKind.CPE, cpe.vendor_product.lower(), version)


def key_ref(text: str) -> ProductRef:
    """A product reference from an assay product key, optionally `key@version`."""
    key, _, version = text.strip().partition("@")
    return ProductRef(RefKind.KEY, key.lower(), version or None)


def parse_time(value: object) -> datetime | None:
    """An RFC 3339 timestamp (or a date) as an aware datetime; None when absent, ValueError when
    it is not one. Fractions beyond microseconds are cut, a time without offset is UTC."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError(f"not a timestamp: {value!r}")
    moment = datetime.fromisoformat(value.strip())
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _same_version(wanted: str | None, actual: str) -> bool:
    return wanted is None or wanted.lower() == actual.lower()


def _purl_or_none(text: str | None) -> PackageURL | None:
    if not text:
        return None
    try:
        return PackageURL.from_string(text)
    except ValueError:
        return None
