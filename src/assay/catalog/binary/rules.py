"""The identification rules: products as data (one YAML file), validated on load."""

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from assay.catalog.binary.version_encodings import Encoding, EncodingError
from assay.model.component import ComponentType

RULES_FILE = "binary-rules.yaml"
VERSION_GROUP = "version"


class RulesError(Exception):
    """The rules file is malformed; the message names the rule and the field."""


@dataclass(frozen=True, slots=True)
class VersionSymbol:
    """A symbol whose value is the version as one integer: a function returning it as a constant
    (`PQlibVersion`) or a read-only datum holding it (`_libiconv_version`)."""

    symbol: str
    kind: str
    encoding: Encoding


@dataclass(frozen=True, slots=True)
class Rule:
    """One product: how to recognise it in bytes and how to name it."""

    product: str
    name: str
    type: ComponentType
    version_patterns: tuple[re.Pattern[bytes], ...]
    contains: tuple[bytes, ...] = ()
    require_contains: bool = False
    files: tuple[str, ...] = ()
    file_versions: tuple[re.Pattern[str], ...] = ()
    require_name: bool = False
    cpes: tuple[str, ...] = ()
    purl: str | None = None
    supplier: str | None = None
    version_replace: tuple[tuple[str, str], ...] = ()
    eol: tuple[tuple[str, str], ...] = ()
    eol_source: str | None = None
    version_symbols: tuple[VersionSymbol, ...] = ()

    def version_from_name(self, file_name: str) -> str | None:
        """The version a file name carries where the project's library names follow its release
        (`liblzma.so.5.4.1` is XZ Utils 5.4.1), or None."""
        for pattern in self.file_versions:
            match = pattern.fullmatch(file_name)
            if match:
                return self.normalise(match.group(VERSION_GROUP))
        return None

    def normalise(self, raw: str) -> str:
        """The version as products publish it (e.g. `1_0_2k` → `1.0.2k`)."""
        for old, new in self.version_replace:
            raw = raw.replace(old, new)
        return raw

    def cpes_for(self, version: str) -> tuple[str, ...]:
        """The CPE 2.3 names for a version."""
        return tuple(c.replace("{version}", _cpe_escape(version)) for c in self.cpes)

    def purl_for(self, version: str) -> str | None:
        """The package URL for a version."""
        return self.purl.replace("{version}", version) if self.purl else None

    def eol_for(self, version: str) -> str | None:
        """The end-of-life date of the release line `version` belongs to, if known."""
        for line, date in self.eol:
            if version == line or version.startswith(line + ".") or _same_line(version, line):
                return date
        return None


def _same_line(version: str, line: str) -> bool:
    """`1.0.2k` belongs to the line `1.0.2`; `2019.78` to `2019`."""
    return version.startswith(line) and not version[len(line) : len(line) + 1].isdigit()


def _cpe_escape(version: str) -> str:
    return re.sub(r"([^A-Za-z0-9._-])", r"\\\1", version)


def _compile(rule: str, pattern: str) -> re.Pattern[bytes]:
    try:
        compiled = re.compile(pattern.encode(), re.DOTALL)
    except re.error as err:
        raise RulesError(f"rule {rule}: version pattern {pattern!r}: {err}") from err
    if VERSION_GROUP not in compiled.groupindex:
        raise RulesError(f"rule {rule}: version pattern {pattern!r} has no (?P<version>…) group")
    return compiled


def _name_pattern(rule: str, pattern: str) -> re.Pattern[str]:
    try:
        compiled = re.compile(pattern)
    except re.error as err:
        raise RulesError(f"rule {rule}: file_version pattern {pattern!r}: {err}") from err
    if VERSION_GROUP not in compiled.groupindex:
        raise RulesError(f"rule {rule}: file_version pattern {pattern!r} has no version group")
    return compiled


def _strings(rule: str, entry: dict[str, Any], key: str) -> tuple[str, ...]:
    value = entry.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise RulesError(f"rule {rule}: {key} must be a list of strings")
    return tuple(value)


SYMBOL_KINDS = ("function", "data")


def _version_symbol(rule: str, entry: object) -> VersionSymbol:
    if not isinstance(entry, dict):
        raise RulesError(f"rule {rule}: version_symbols entries must be mappings")
    symbol, kind = entry.get("symbol"), entry.get("kind", "function")
    if not isinstance(symbol, str) or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", symbol):
        raise RulesError(f"rule {rule}: version_symbols: {symbol!r} is not a symbol name")
    if kind not in SYMBOL_KINDS:
        raise RulesError(f"rule {rule}: version_symbols {symbol}: kind must be function or data")
    try:
        encoding = Encoding(
            name=str(entry.get("encoding")),
            fields=entry.get("fields"),
            trim_zero=bool(entry.get("trim_zero", False)),
            minimum=int(entry.get("min", 1)),
            maximum=entry.get("max"),
        )
    except (EncodingError, TypeError, ValueError) as err:
        raise RulesError(f"rule {rule}: version_symbols {symbol}: {err}") from err
    return VersionSymbol(symbol=symbol, kind=kind, encoding=encoding)


def parse_rule(entry: dict[str, Any]) -> Rule:
    """One rule from its YAML mapping, or RulesError naming what is wrong."""
    product = entry.get("product")
    if not isinstance(product, str) or not re.fullmatch(r"[a-z0-9][a-z0-9_.+-]*", product):
        raise RulesError(f"rule {product!r}: product must be a lower-case key")
    try:
        kind = ComponentType(entry.get("type", "library"))
    except ValueError as err:
        raise RulesError(f"rule {product}: type: {err}") from err
    patterns = _strings(product, entry, "version_patterns")
    symbols = entry.get("version_symbols") or []
    if not isinstance(symbols, list):
        raise RulesError(f"rule {product}: version_symbols must be a list")
    if not patterns and not entry.get("file_version") and not symbols:
        raise RulesError(
            f"rule {product}: none of version_patterns, file_version, version_symbols is given"
        )
    eol = entry.get("eol", {}) or {}
    if not isinstance(eol, dict):
        raise RulesError(f"rule {product}: eol must map release lines to dates")
    return Rule(
        product=product,
        name=str(entry.get("name", product)),
        type=kind,
        version_patterns=tuple(_compile(product, p) for p in patterns),
        contains=tuple(s.encode() for s in _strings(product, entry, "contains")),
        require_contains=bool(entry.get("require_contains", False)),
        files=_strings(product, entry, "files"),
        file_versions=tuple(
            _name_pattern(product, p) for p in _strings(product, entry, "file_version")
        ),
        require_name=bool(entry.get("require_name", False)),
        cpes=_strings(product, entry, "cpe"),
        purl=entry.get("purl"),
        supplier=entry.get("supplier"),
        version_replace=tuple(
            (str(a), str(b)) for a, b in (entry.get("version_replace") or {}).items()
        ),
        eol=tuple(sorted(((str(k), str(v)) for k, v in eol.items()), key=lambda kv: -len(kv[0]))),
        eol_source=entry.get("eol_source"),
        version_symbols=tuple(_version_symbol(product, s) for s in symbols),
    )


def load_rules(path: Path | None = None) -> tuple[Rule, ...]:
    """Rules from `path`, or the rules shipped with assay."""
    if path is None:
        return default_rules()
    return _parse(path.read_text(encoding="utf-8"), str(path))


@cache
def default_rules() -> tuple[Rule, ...]:
    """The rules shipped in `assay/data/binary-rules.yaml`, parsed once per process."""
    text = resources.files("assay.data").joinpath(RULES_FILE).read_text(encoding="utf-8")
    return _parse(text, RULES_FILE)


def _parse(text: str, source: str) -> tuple[Rule, ...]:
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as err:
        raise RulesError(f"{source}: not valid YAML: {err}") from err
    entries = document.get("rules") if isinstance(document, dict) else None
    if not isinstance(entries, list):
        raise RulesError(f"{source}: expected a mapping with a `rules` list")
    rules = tuple(parse_rule(e) for e in entries)
    seen: set[str] = set()
    for rule in rules:
        if rule.product in seen:
            raise RulesError(f"{source}: product {rule.product} is defined twice")
        seen.add(rule.product)
    return rules
