"""A plan of element swaps (YAML or CSV), validated against the inventory it changes, and the
inventory as it stands once the swaps up to a date are done."""

import csv
import difflib
import io
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from assay.network.errors import NetworkInputError
from assay.network.model import Element, Inventory, Origin
from assay.network.vendors import vendor_words

FIELDS = ("element", "date", "vendor", "release", "product", "remove")
TRUE_WORDS = {"true", "yes", "1", "y"}
FALSE_WORDS = {"false", "no", "0", "n", ""}


class _PlanLoader(yaml.SafeLoader):
    """Safe YAML with dates left as text, so that a bad date is reported with its row."""


_PlanLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass(frozen=True, slots=True)
class Swap:
    """One planned change: on `date`, the element moves to `vendor` (and release, product), or
    is decommissioned when `remove`."""

    element: str
    date: date
    vendor: str | None
    release: str | None
    product: str | None
    remove: bool
    origin: Origin


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _date(value: Any, where: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise NetworkInputError(
            f"{where}: field 'date': not a date {str(value)!r} (use YYYY-MM-DD)"
        ) from None


def _remove(value: Any, where: str) -> bool:
    if isinstance(value, bool):
        return value
    word = "" if value is None else str(value).strip().casefold()
    if word in TRUE_WORDS | FALSE_WORDS:
        return word in TRUE_WORDS
    raise NetworkInputError(f"{where}: field 'remove': not true or false: {value!r}")


def _unknown_fields(row: dict[str, Any], where: str) -> None:
    for name in row:
        if str(name) not in FIELDS:
            close = difflib.get_close_matches(str(name), FIELDS, n=1)
            hint = f" (did you mean {close[0]}?)" if close else ""
            raise NetworkInputError(f"{where}: field '{name}': unknown field{hint}")


def parse_swap(row: dict[str, Any], origin: Origin, known: dict[str, Element]) -> Swap:
    """One plan row, validated: the element exists, the date parses, a vendor unless removed."""
    where = str(origin)
    _unknown_fields(row, where)
    element = _text(row.get("element"))
    if element is None:
        raise NetworkInputError(f"{where}: field 'element': missing")
    if element not in known:
        raise NetworkInputError(f"{where}: field 'element': no element '{element}' in inventory")
    if _text(row.get("date")) is None and not isinstance(row.get("date"), date):
        raise NetworkInputError(f"{where}: field 'date': missing")
    remove = _remove(row.get("remove"), where)
    vendor = _text(row.get("vendor"))
    if vendor is None and not remove:
        raise NetworkInputError(f"{where}: field 'vendor': missing (or set remove: true)")
    return Swap(
        element=element,
        date=_date(row.get("date"), where),
        vendor=vendor,
        release=_text(row.get("release")),
        product=_text(row.get("product")),
        remove=remove,
        origin=origin,
    )


def _yaml_rows(text: str, name: str) -> list[tuple[int, Any]]:
    try:
        node = yaml.compose(text, Loader=_PlanLoader)
        data = yaml.load(text, Loader=_PlanLoader)
    except yaml.YAMLError as err:
        raise NetworkInputError(f"{name}: not valid YAML: {str(err).splitlines()[0]}") from None
    if isinstance(data, dict) and set(data) == {"swaps"}:
        data = data["swaps"]
        node = node.value[0][1] if isinstance(node, yaml.MappingNode) else node
    if data is None:
        return []
    if not isinstance(data, list) or not isinstance(node, yaml.SequenceNode):
        raise NetworkInputError(f"{name}: a plan is a list of swaps (or 'swaps:' with one)")
    return [(item.start_mark.line + 1, row) for item, row in zip(node.value, data, strict=True)]


def _csv_rows(text: str) -> list[tuple[int, Any]]:
    reader = csv.DictReader(io.StringIO(text))
    return [
        (reader.line_num, {k: v for k, v in row.items() if k is not None})
        for row in reader
        if any((value or "").strip() for value in row.values() if isinstance(value, str))
    ]


def load_plan(path: Path, inventory: Inventory) -> tuple[Swap, ...]:
    """The swaps of a plan file, in date order; NetworkInputError naming file, row and field."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as err:
        raise NetworkInputError(f"{path.name}: cannot read the plan: {err}") from None
    is_csv = path.suffix.casefold() == ".csv"
    rows = _csv_rows(text) if is_csv else _yaml_rows(text, path.name)
    known = {element.id: element for element in inventory.elements}
    swaps: list[Swap] = []
    seen: set[tuple[str, date]] = set()
    for line, row in rows:
        origin = Origin(path.name, line)
        if not isinstance(row, dict):
            raise NetworkInputError(f"{origin}: a swap is a mapping of {', '.join(FIELDS)}")
        swap = parse_swap(row, origin, known)
        if (swap.element, swap.date) in seen:
            raise NetworkInputError(
                f"{origin}: field 'element': '{swap.element}' already has a swap on {swap.date}"
            )
        seen.add((swap.element, swap.date))
        swaps.append(swap)
    return tuple(sorted(swaps, key=lambda swap: swap.date))


def _swapped(element: Element, swap: Swap) -> Element:
    assert swap.vendor is not None
    if vendor_words(swap.vendor) == vendor_words(element.vendor):
        return replace(
            element,
            vendor=swap.vendor,
            release=swap.release or element.release,
            product=swap.product or element.product,
        )
    return replace(
        element,
        vendor=swap.vendor,
        release=swap.release,
        product=swap.product,
        install_date=swap.date,
    )


def apply_swaps(elements: tuple[Element, ...], swaps: tuple[Swap, ...]) -> list[Element]:
    """The elements once the swaps are done (in date order); removed elements are gone. A swap
    to another vendor is a new install on its date; one within the vendor is an upgrade."""
    current = {element.id: element for element in elements}
    for swap in sorted(swaps, key=lambda swap: swap.date):
        element = current.get(swap.element)
        if element is None:
            continue
        if swap.remove:
            del current[swap.element]
        else:
            current[swap.element] = _swapped(element, swap)
    return list(current.values())
