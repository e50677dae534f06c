"""The copies report: per product, its versions, and every copy of each version and where it sits
— the shape of the oversight board's table of OpenSSL copies."""

from collections import defaultdict
from dataclasses import dataclass

from assay.model.component import Component

# evidence that is a record about a package (its database entry, its version source), not a copy
RECORD_METHODS = frozenset({"package-db", "source-version", "os-release"})


@dataclass(frozen=True, slots=True)
class VersionCopies:
    """One version of a product and the files holding a copy of it."""

    version: str
    locations: tuple[str, ...]
    embedded: int
    eol: str | None


@dataclass(frozen=True, slots=True)
class ProductCopies:
    """All versions of one product found in the release."""

    product: str
    name: str
    versions: tuple[VersionCopies, ...]

    @property
    def copies(self) -> int:
        """Copies of the product across all versions."""
        return sum(len(v.locations) for v in self.versions)


def copies_report(components: list[Component]) -> list[ProductCopies]:
    """Products sorted by name; versions sorted; copies counted by distinct file location."""
    by_product: dict[str, list[Component]] = defaultdict(list)
    for component in components:
        by_product[component.product].append(component)
    report = []
    for product, group in sorted(by_product.items()):
        versions = []
        for component in sorted(group, key=lambda c: c.version):
            in_files = [e for e in component.evidence if e.method not in RECORD_METHODS]
            located = in_files or list(component.evidence)
            locations = tuple(dict.fromkeys(e.location for e in located))
            embedded = len({e.location for e in component.evidence if e.embedded})
            versions.append(VersionCopies(component.version, locations, embedded, component.eol))
        report.append(ProductCopies(product, group[0].name, tuple(versions)))
    return report
