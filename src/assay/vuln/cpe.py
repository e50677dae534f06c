"""CPE names (NISTIR 7695 naming, NISTIR 7696 matching): parse CPE 2.3 formatted strings and
2.2 URIs, compare a match criteria with a component's CPE attribute by attribute.

A value is ANY (`*`), NA (`-`), a literal (escapes such as `\\:` `\\.` `\\/` removed) or a
literal with unquoted `*`/`?` wildcards. A criteria attribute matches a target when it is ANY,
equal to it (case-insensitive), or its wildcard pattern matches it; NA matches only NA. Versions are
not compared here: `configurations` compares them under the product's version scheme.
"""

import re
from dataclasses import dataclass, fields
from enum import Enum
from functools import lru_cache
from urllib.parse import unquote

ATTRIBUTES = (
    "part",
    "vendor",
    "product",
    "version",
    "update",
    "edition",
    "language",
    "sw_edition",
    "target_sw",
    "target_hw",
    "other",
)
PREFIX_23 = "cpe:2.3:"
PREFIX_22 = "cpe:/"
NEEDS_QUOTING = re.compile(r"([^A-Za-z0-9._-])")


class Logical(Enum):
    """The logical values of a CPE attribute."""

    ANY = "*"
    NA = "-"


@dataclass(frozen=True, slots=True)
class Wildcard:
    """A literal with unquoted `*` (any run) or `?` (one character) wildcards."""

    text: str
    pattern: re.Pattern[str]

    def matches(self, value: str) -> bool:
        """Whether the literal `value` fits the pattern."""
        return self.pattern.fullmatch(value.lower()) is not None


Value = Logical | str | Wildcard


@dataclass(frozen=True, slots=True)
class Cpe:
    """The eleven attributes of a CPE name; literals are unescaped and lower-cased."""

    part: Value
    vendor: Value
    product: Value
    version: Value
    update: Value
    edition: Value
    language: Value
    sw_edition: Value
    target_sw: Value
    target_hw: Value
    other: Value

    @property
    def vendor_product(self) -> str | None:
        """`vendor:product` when both are plain literals (the key vulnerability data is filed
        under), else None."""
        if isinstance(self.vendor, str) and isinstance(self.product, str):
            return f"{self.vendor}:{self.product}"
        return None

    def formatted(self) -> str:
        """The CPE 2.3 formatted string of this name."""
        return PREFIX_23 + ":".join(_bind(getattr(self, a)) for a in ATTRIBUTES)


@lru_cache(maxsize=65536)
def parse_cpe(text: str) -> Cpe | None:
    """The CPE a 2.3 formatted string or a 2.2 URI names, or None if `text` is neither."""
    if text.startswith(PREFIX_23):
        values = _split_formatted(text[len(PREFIX_23) :])
    elif text.startswith(PREFIX_22):
        values = [_uri_value(v) for v in text[len(PREFIX_22) :].split(":")]
    else:
        return None
    if values is None or not 1 <= len(values) <= len(ATTRIBUTES):
        return None
    values += [Logical.ANY] * (len(ATTRIBUTES) - len(values))
    return Cpe(*values)


def attribute_matches(criteria: Value, target: Value, *, unknown_target_matches: bool) -> bool:
    """Whether a criteria attribute value covers a target value. With `unknown_target_matches`, a
    target left ANY (not known) is taken to be compatible with any criteria value."""
    if criteria is Logical.ANY:
        return True
    if target is Logical.ANY:
        return unknown_target_matches
    if criteria is Logical.NA or target is Logical.NA:
        return criteria is target
    literal = target.text if isinstance(target, Wildcard) else target
    if isinstance(criteria, Wildcard):
        return criteria.matches(literal)
    return criteria == literal


def names_match(criteria: Cpe, target: Cpe, *, compare_version: bool = False) -> bool:
    """Whether `criteria` covers `target` in every attribute (the version and update only when
    `compare_version`). Part, vendor and product must be known on both sides; other target
    attributes left ANY count as compatible (a component's target_sw is rarely known)."""
    for attribute in fields(Cpe):
        name = attribute.name
        if name in ("version", "update") and not compare_version:
            continue
        strict = name in ("part", "vendor", "product")
        if not attribute_matches(
            getattr(criteria, name), getattr(target, name), unknown_target_matches=not strict
        ):
            return False
    return True


def cpe_name(part: str, vendor: str, product: str, version: str = "*") -> str:
    """A CPE 2.3 formatted string for a literal vendor, product and version (`*` for ANY)."""
    bound = "*" if version == "*" else escape(version)
    return f"{PREFIX_23}{part}:{escape(vendor)}:{escape(product)}:{bound}:*:*:*:*:*:*:*"


def escape(value: str) -> str:
    """A literal quoted for a CPE 2.3 formatted string (`9.2p1` stays, `a:b` → `a\\:b`)."""
    return NEEDS_QUOTING.sub(r"\\\1", value)


def literal(value: Value) -> str | None:
    """The text of a literal value, or None for ANY/NA."""
    if isinstance(value, Logical):
        return None
    return value.text if isinstance(value, Wildcard) else value


def _split_formatted(body: str) -> list[Value] | None:
    values: list[Value] = []
    chars: list[str] = []
    quoted: list[bool] = []
    index = 0
    while index < len(body):
        char = body[index]
        if char == "\\":
            if index + 1 >= len(body):
                return None
            chars.append(body[index + 1])
            quoted.append(True)
            index += 2
            continue
        if char == ":":
            values.append(_formatted_value(chars, quoted))
            chars, quoted = [], []
        else:
            chars.append(char)
            quoted.append(False)
        index += 1
    values.append(_formatted_value(chars, quoted))
    return values


def _formatted_value(chars: list[str], quoted: list[bool]) -> Value:
    text = "".join(chars)
    if not any(quoted):
        if text in ("*", ""):
            return Logical.ANY
        if text == "-":
            return Logical.NA
    wildcards = [c in "*?" and not q for c, q in zip(chars, quoted, strict=True)]
    if not any(wildcards):
        return text.lower()
    pattern = "".join(
        (".*" if c == "*" else ".") if w else re.escape(c.lower())
        for c, w in zip(chars, wildcards, strict=True)
    )
    return Wildcard(text.lower(), re.compile(pattern))


def _uri_value(raw: str) -> Value:
    if raw in ("", "*"):
        return Logical.ANY
    if raw == "-":
        return Logical.NA
    return unquote(raw).lower()


def _bind(value: Value) -> str:
    if isinstance(value, Logical):
        return value.value
    if isinstance(value, Wildcard):
        return value.text
    return escape(value)
