"""Loading an inventory of network elements from YAML or CSV, validated row by row."""

import _csv
import csv
import io
from collections.abc import Iterator
from pathlib import Path

import yaml

from assay.network.errors import NetworkInputError
from assay.network.fields import ElementParser, field_name
from assay.network.model import Element, Inventory

MAX_BYTES = 200 * 1024 * 1024
MAX_ROWS = 2_000_000
YAML_DEFAULTS = ("operator", "network_type")
_YAML_SUFFIXES = {".yaml", ".yml"}
_CSV_SUFFIXES = {".csv", ".tsv", ".txt"}
_SNIFF_BYTES = 4096

_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_inventory(path: Path) -> Inventory:
    """The inventory in `path` (YAML or CSV, by extension, else by content); NetworkInputError
    naming file, row and field for the first problem found."""
    name = path.name
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            head = handle.read(_SNIFF_BYTES)
    except OSError as error:
        raise NetworkInputError(f"{name}: cannot read the inventory: {error.strerror}") from None
    if size > MAX_BYTES:
        raise NetworkInputError(
            f"{name}: inventory of {size / 1e6:.0f} MB is over the {MAX_BYTES // 2**20} MB limit"
        )
    try:
        yaml_file = _is_yaml(path, head)
        elements = _load_yaml(path, name) if yaml_file else _load_csv(path, name, head)
    except UnicodeDecodeError as error:
        raise NetworkInputError(f"{name}: not UTF-8 text ({error.reason})") from None
    _refuse_duplicates(elements, name)
    return Inventory(source=str(path), elements=tuple(elements))


def _is_yaml(path: Path, head: bytes) -> bool:
    suffix = path.suffix.casefold()
    if suffix in _YAML_SUFFIXES or suffix in _CSV_SUFFIXES:
        return suffix in _YAML_SUFFIXES
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff")
    for line in text.splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            return stripped.startswith(("---", "{")) or (":" in stripped and "," not in stripped)
    return False


def _refuse_duplicates(elements: list[Element], name: str) -> None:
    first_row: dict[str, int] = {}
    for element in elements:
        row = first_row.setdefault(element.id, element.origin.row)
        if row != element.origin.row:
            raise NetworkInputError(
                f"{name}:{element.origin.row}: field 'id': duplicate element id "
                f"'{element.id}' (first at row {row})"
            )


def _too_many_rows(name: str) -> NetworkInputError:
    return NetworkInputError(f"{name}: more than {MAX_ROWS:,} elements; split the inventory")


def _delimiter(head: bytes) -> str:
    first_line = head.decode("utf-8", errors="replace").split("\n", 1)[0]
    return max((",", ";", "\t"), key=first_line.count)


def _csv_columns(header: list[str], name: str) -> list[tuple[int, str]]:
    columns: list[tuple[int, str]] = []
    seen: dict[str, str] = {}
    for index, title in enumerate(header):
        try:
            field = field_name(title)
        except ValueError as error:
            raise NetworkInputError(f"{name}:1: {error}") from None
        if field is None:
            continue
        if field in seen:
            raise NetworkInputError(
                f"{name}:1: columns '{seen[field]}' and '{title}' both give field '{field}'"
            )
        seen[field] = title
        columns.append((index, field))
    if "function" not in seen and "id" not in seen:
        raise NetworkInputError(f"{name}:1: no header row naming the fields (id, function, …)")
    return columns


def _csv_rows(reader: _csv.Reader, width: int, name: str) -> Iterator[tuple[int, list[str]]]:
    """(first line, cells) of each non-blank record, checked for its number of cells."""
    line = reader.line_num
    for cells in reader:
        start, line = line + 1, reader.line_num
        if (not cells or len(cells) != width or not cells[0]) and not "".join(cells).strip():
            continue
        if len(cells) != width:
            raise NetworkInputError(
                f"{name}:{start}: row has {len(cells)} cells, the header has {width}"
            )
        yield start, cells


def _load_csv(path: Path, name: str, head: bytes) -> list[Element]:
    parser = ElementParser(name)
    elements: list[Element] = []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle, delimiter=_delimiter(head))
        try:
            header = next(reader, None)
            if header is None:
                raise NetworkInputError(f"{name}: empty file, expected a header row")
            columns = _csv_columns(header, name)
            for row, cells in _csv_rows(reader, len(header), name):
                if len(elements) == MAX_ROWS:
                    raise _too_many_rows(name)
                record: dict[str, object] = {field: cells[i] for i, field in columns}
                elements.append(parser.parse(record, row))
        except csv.Error as error:
            raise NetworkInputError(f"{name}:{reader.line_num}: malformed CSV: {error}") from None
    return elements


def _yaml_document(path: Path, name: str) -> tuple[dict[object, object], list[int]]:
    """The top-level mapping and the 1-based line of each item of its `elements` list."""
    text = path.read_text(encoding="utf-8-sig")
    loader = _Loader(io.StringIO(text))
    try:
        node = loader.get_single_node()
        document = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"{name}:{mark.line + 1}" if mark is not None else name
        problem = getattr(error, "problem", None) or str(error)
        raise NetworkInputError(f"{where}: invalid YAML: {problem}") from None
    finally:
        loader.dispose()
    if (
        node is None
        or not isinstance(document, dict)
        or not isinstance(document.get("elements"), list)
    ):
        raise NetworkInputError(f"{name}: expected a mapping with an 'elements:' list")
    lines = [1] * len(document["elements"])
    for key, value in node.value:
        if key.value == "elements" and isinstance(value, yaml.SequenceNode):
            lines = [item.start_mark.line + 1 for item in value.value]
    return document, lines


def _yaml_defaults(document: dict[object, object], name: str) -> dict[str, object]:
    defaults: dict[str, object] = {}
    for key, value in document.items():
        if key == "elements" or str(key).casefold().startswith("x-"):
            continue
        if key not in YAML_DEFAULTS:
            allowed = ", ".join(("elements", *YAML_DEFAULTS))
            raise NetworkInputError(f"{name}: unknown top-level key '{key}'; allowed: {allowed}")
        defaults[str(key)] = value
    return defaults


def _yaml_record(item: object, defaults: dict[str, object], where: str) -> dict[str, object]:
    if not isinstance(item, dict):
        raise NetworkInputError(f"{where}: each element must be a mapping of fields")
    record = dict(defaults)
    for key, value in item.items():
        try:
            field = field_name(str(key))
        except ValueError as error:
            raise NetworkInputError(f"{where}: {error}") from None
        if field is not None:
            record[field] = value if value is not None else defaults.get(field)
    return record


def _load_yaml(path: Path, name: str) -> list[Element]:
    document, lines = _yaml_document(path, name)
    items = document["elements"]
    assert isinstance(items, list)
    if len(items) > MAX_ROWS:
        raise _too_many_rows(name)
    defaults = _yaml_defaults(document, name)
    parser = ElementParser(name)
    return [
        parser.parse(_yaml_record(item, defaults, f"{name}:{line}"), line)
        for item, line in zip(items, lines, strict=True)
    ]
