"""Stable keys that pair files, findings and rows of two releases' evaluation documents."""

import re
from typing import Any

SEPARATOR = " › "
CONTAINER_OFFSET = re.compile(r"@0x[0-9a-fA-F]+$")


class DiffInputError(ValueError):
    """A document is not an assay evaluation (or lacks a field the comparison needs)."""


def path_key(location: str) -> str | None:
    """The in-release place of a file: its chain without the input's own name, carved
    containers' offsets dropped (`squashfs@0x10000` → `squashfs`) so that a filesystem moved
    within the image still pairs; None for the input itself."""
    parts = location.split(SEPARATOR)
    if len(parts) < 2:
        return None
    return SEPARATOR.join(CONTAINER_OFFSET.sub("", part) for part in parts[1:])


def items(document: dict[str, Any], field: str) -> list[dict[str, Any]]:
    """A top-level list of objects, checked."""
    value = document.get(field, [])
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise DiffInputError(f"`{field}` is not a list of objects")
    return value


def text(item: dict[str, Any], field: str, where: str) -> str:
    """A required string field of an object."""
    value = item.get(field)
    if not isinstance(value, str):
        raise DiffInputError(f"{where}: `{field}` is missing or not a string")
    return value


def section(document: dict[str, Any], *names: str) -> dict[str, Any]:
    """A nested object (`facts` → `hardening`), empty when absent."""
    value: Any = document
    for name in names:
        value = value.get(name) if isinstance(value, dict) else None
    return value if isinstance(value, dict) else {}


def check_evaluation(document: Any, name: str) -> dict[str, Any]:
    """`document` if it is an assay evaluation document, else DiffInputError naming `name`."""
    if not isinstance(document, dict) or not str(document.get("schema", "")).endswith(
        "/schemas/evaluation"
    ):
        raise DiffInputError(f"{name}: not an assay evaluation document")
    if not isinstance(document.get("release"), dict):
        raise DiffInputError(f"{name}: `release` is missing")
    return document
