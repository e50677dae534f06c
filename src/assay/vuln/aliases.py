"""The vendor:product names each assay product is filed under in vulnerability data
(assay/data/vuln-aliases.yaml, plus the product's own CPE names from binary-rules.yaml)."""

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

from assay.catalog.binary.rules import default_rules
from assay.vuln.cpe import parse_cpe

ALIASES_FILE = "vuln-aliases.yaml"
SPACES = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class ProductNames:
    """A product's names: NVD CPE `vendor:product` pairs (the table's first, then the rules'),
    and the normalised CVE 5 `vendor:product` names CNAs use (the CPE names included)."""

    product: str
    cpe: tuple[str, ...]
    cve5: frozenset[str]


def normalise_name(vendor: str, product: str) -> str:
    """A vendor:product to compare case- and spacing-insensitively (`ISC:BIND 9` → `isc:bind_9`)."""
    return f"{_normalise(vendor)}:{_normalise(product)}"


def _normalise(text: str) -> str:
    return SPACES.sub("_", text.strip().lower())


@cache
def alias_table() -> dict[str, ProductNames]:
    """Every product's names: the shipped table merged with the identification rules' CPEs."""
    text = resources.files("assay.data").joinpath(ALIASES_FILE).read_text(encoding="utf-8")
    entries: dict[str, dict[str, Any]] = yaml.safe_load(text)["products"]
    rule_names = _rule_names()
    table: dict[str, ProductNames] = {}
    for product in sorted(set(entries) | set(rule_names)):
        entry = entries.get(product, {})
        cpe = tuple(dict.fromkeys([*entry.get("nvd", ()), *rule_names.get(product, ())]))
        cna = {normalise_name(*n.split(":", 1)) for n in entry.get("cve5", ())}
        cna |= {normalise_name(*n.split(":", 1)) for n in cpe}
        table[product] = ProductNames(product, cpe, frozenset(cna))
    return table


def product_names(product: str) -> ProductNames:
    """The names of a product; a product without an entry has none."""
    return alias_table().get(product) or ProductNames(product, (), frozenset())


@cache
def products_for_name(vendor_product: str) -> tuple[str, ...]:
    """The products filed under an NVD vendor:product (usually one)."""
    wanted = vendor_product.lower()
    return tuple(p for p, names in alias_table().items() if wanted in names.cpe)


def _rule_names() -> dict[str, tuple[str, ...]]:
    names: dict[str, tuple[str, ...]] = {}
    for rule in default_rules():
        pairs = []
        for template in rule.cpes:
            cpe = parse_cpe(template.replace("{version}", "*"))
            if cpe is not None and cpe.vendor_product:
                pairs.append(cpe.vendor_product)
        names[rule.product] = tuple(pairs)
    return names
