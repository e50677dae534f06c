"""The fields of an inventory row: their names, and turning one row into a validated Element."""

import difflib
import math
from collections.abc import Callable
from datetime import date
from typing import TypeVar

from assay.network.errors import NetworkInputError
from assay.network.functions import NetworkFunction, lookup, suggest
from assay.network.model import Element, Layer, Origin, SiteClass
from assay.network.vocabulary import CUSTOM_PREFIX, normalise_network_type, normalise_site_class

FIELDS: tuple[str, ...] = (
    "id",
    "operator",
    "network_type",
    "function",
    "layer",
    "vendor",
    "product",
    "release",
    "install_date",
    "site",
    "site_class",
    "region",
    "traffic_share",
    "connections",
)

_FIELD_ALIASES: dict[str, str] = {
    "element_id": "id",
    "network_function": "function",
    "version": "release",
    "software_release": "release",
    "traffic_share_percent": "traffic_share",
    "customer_connections": "connections",
}


def field_name(column: str) -> str | None:
    """The field a column header (or YAML key) names; None for a user's own `x-` column.
    Headers compare case-insensitively, with spaces and '-' read as '_'. Raises ValueError
    for an unknown column, suggesting the closest field."""
    text = column.strip().lstrip("\ufeff")
    if text.casefold().startswith(CUSTOM_PREFIX):
        return None
    key = text.casefold().replace(" ", "_").replace("-", "_")
    if key in FIELDS:
        return key
    if key in _FIELD_ALIASES:
        return _FIELD_ALIASES[key]
    matches = difflib.get_close_matches(key, FIELDS, n=1, cutoff=0.6)
    hint = f" (did you mean {matches[0]}?)" if matches else ""
    raise ValueError(f"unknown column '{text}'{hint}; prefix your own columns with 'x-'")


def _text(value: object) -> str | None:
    """A text cell: None when empty. YAML numbers are refused where they lose their spelling."""
    if type(value) is str:
        return value.strip() or None
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        raise ValueError(f"YAML read this as the number {value!r}; quote it to keep it as text")
    raise ValueError(f"expected text, got {type(value).__name__} {value!r}")


def _required(value: object) -> str:
    text = _text(value)
    if text is None:
        raise ValueError("required, but empty")
    return text


def _date(value: object) -> date | None:
    if isinstance(value, date):
        if type(value) is not date:
            raise ValueError(f"expected a date YYYY-MM-DD, got a date and time {value}")
        return value
    text = _text(value)
    if text is None:
        return None
    if len(text) != 10 or text[4] != "-" or text[7] != "-":
        raise ValueError(f"malformed date '{text}', expected YYYY-MM-DD")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"malformed date '{text}', expected YYYY-MM-DD") from None


def _percent(value: object) -> float | None:
    if isinstance(value, bool):
        raise ValueError(f"expected a percentage 0–100, got {value!r}")
    if isinstance(value, int | float):
        share = float(value)
    else:
        text = _text(value)
        if text is None:
            return None
        try:
            share = float(text.removesuffix("%").strip())
        except ValueError:
            raise ValueError(f"expected a percentage 0–100, got '{text}'") from None
    if not math.isfinite(share) or share < 0 or share > 100:
        raise ValueError(f"share {value} is outside 0–100 %")
    return share


def _count(value: object) -> int | None:
    if isinstance(value, bool | float):
        raise ValueError(f"expected a whole number ≥ 0, got {value!r}")
    if isinstance(value, int):
        count = value
    else:
        text = _text(value)
        if text is None:
            return None
        if not text.lstrip("-").isdigit():
            raise ValueError(f"expected a whole number ≥ 0, got '{text}'")
        count = int(text)
    if count < 0:
        raise ValueError(f"negative count {count}")
    return count


def _site_class(value: object) -> SiteClass:
    return normalise_site_class(_text(value) or "")


def _network_type(value: object) -> str:
    return normalise_network_type(_required(value))


def _function(text: str) -> NetworkFunction | str:
    """The known function, or the text of a user's own `x-` function."""
    known = lookup(text)
    if known is not None:
        return known
    if text.casefold().startswith(CUSTOM_PREFIX):
        return text
    close = suggest(text)
    hint = f" (did you mean {close}?)" if close else ""
    raise ValueError(f"unknown network function '{text}'{hint}")


def _layer(value: object) -> Layer | None:
    text = _text(value)
    if text is None:
        return None
    try:
        return Layer(text.casefold())
    except ValueError:
        known = ", ".join(layer.value for layer in Layer)
        raise ValueError(f"unknown layer '{text}'; known: {known}") from None


T = TypeVar("T")
_Pair = tuple[str, Layer]


def _memo(memo: dict[object, T], convert: Callable[[object], T], raw: object) -> T:
    """`convert(raw)`, remembered: inventories repeat their vendors, releases and dates."""
    try:
        return memo[raw]
    except KeyError:
        value = memo[raw] = convert(raw)
        return value


class ElementParser:
    """Turns the rows of one file into Elements, remembering the cell values it has converted."""

    def __init__(self, file: str) -> None:
        self.file = file
        self._texts: dict[object, str | None] = {}
        self._required: dict[object, str] = {}
        self._network_types: dict[object, str] = {}
        self._functions: dict[object, _Pair] = {}
        self._dates: dict[object, date | None] = {}
        self._site_classes: dict[object, SiteClass] = {}

    def parse(self, record: dict[str, object], row: int) -> Element:
        """The Element of one row; NetworkInputError naming file, row and field when invalid."""
        get = record.get
        texts, required = self._texts, self._required
        name = "id"
        try:
            element_id = _required(get("id"))
            name = "operator"
            operator = _memo(required, _required, get("operator"))
            name = "network_type"
            network_type = _memo(self._network_types, _network_type, get("network_type"))
            name = "function"
            function, layer = self._function_layer(get("function"), get("layer"))
            name = "vendor"
            vendor = _memo(required, _required, get("vendor"))
            name = "product"
            product = _memo(texts, _text, get("product"))
            name = "release"
            release = _memo(texts, _text, get("release"))
            name = "install_date"
            installed = _memo(self._dates, _date, get("install_date"))
            name = "site"
            site = _required(get("site"))
            name = "site_class"
            site_class = _memo(self._site_classes, _site_class, get("site_class"))
            name = "region"
            region = _memo(texts, _text, get("region"))
            name = "traffic_share"
            traffic = _percent(get("traffic_share"))
            name = "connections"
            connections = _count(get("connections"))
        except _LayerError as error:
            raise NetworkInputError(f"{self.file}:{row}: field 'layer': {error}") from None
        except ValueError as error:
            raise NetworkInputError(f"{self.file}:{row}: field '{name}': {error}") from None
        return Element(
            id=element_id,
            operator=operator,
            network_type=network_type,
            function=function,
            layer=layer,
            vendor=vendor,
            product=product,
            release=release,
            install_date=installed,
            site=site,
            site_class=site_class,
            region=region,
            traffic_share=traffic,
            connections=connections,
            origin=Origin(self.file, row),
        )

    def _function_layer(self, function: object, layer: object) -> _Pair:
        try:
            return self._functions[function, layer]
        except KeyError:
            pair = self._functions[function, layer] = _function_and_layer(function, layer)
            return pair


class _LayerError(ValueError):
    """A problem with the layer column (the function itself was fine)."""


def _function_and_layer(raw_function: object, raw_layer: object) -> _Pair:
    """The canonical function name and its layer, checked against a stated layer."""
    function = _function(_required(raw_function))
    try:
        stated = _layer(raw_layer)
    except ValueError as error:
        raise _LayerError(str(error)) from None
    if isinstance(function, str):
        if stated is None:
            raise _LayerError(f"required for a function of your own ('{function}')")
        return function, stated
    if stated is not None and stated is not function.layer:
        raise _LayerError(
            f"layer '{stated}' contradicts function {function.name}, which is {function.layer}"
        )
    return function.name, function.layer
