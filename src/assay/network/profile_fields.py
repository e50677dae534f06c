"""Typed reading of one mapping of a profile file, with errors naming the file, the record and
the field."""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import TypeVar

from assay.network.errors import NetworkInputError

E = TypeVar("E", bound=StrEnum)
_URL = re.compile(r"https?://[^\s/]+\.[^\s]+")


@dataclass(frozen=True, slots=True)
class Fields:
    """The keys of one mapping (a rule, a source, the profile itself) and where it sits:
    `where` is e.g. "uk.yaml: rule 'core'" and starts every error message."""

    data: Mapping[str, object]
    where: str

    def error(self, name: str, problem: str) -> NetworkInputError:
        """A one-line error about field `name`."""
        return NetworkInputError(f"{self.where}: field '{name}': {problem}")

    def has(self, name: str) -> bool:
        """True when the key is present (even with an empty value)."""
        return name in self.data

    def refuse_unknown(self, known: Iterable[str]) -> None:
        """Raise on the first key not in `known` (a typo must not silently drop a rule's part)."""
        allowed = set(known)
        for key in self.data:
            if key not in allowed:
                raise self.error(str(key), "unknown key")

    def text(self, name: str) -> str:
        """A required non-empty string."""
        value = self.data.get(name)
        if value is None:
            raise self.error(name, "required")
        if not isinstance(value, str) or not value.strip():
            raise self.error(name, f"must be a non-empty text, not {value!r}")
        return value.strip()

    def optional_text(self, name: str) -> str | None:
        """A non-empty string, or None when the key is absent."""
        return self.text(name) if self.data.get(name) is not None else None

    def url(self, name: str) -> str:
        """A required http(s) URL."""
        value = self.text(name)
        if not _URL.fullmatch(value):
            raise self.error(name, f"must be an http(s) URL, not {value!r}")
        return value

    def day(self, name: str) -> date | None:
        """A calendar date written YYYY-MM-DD, or None when absent."""
        value = self.data.get(name)
        if value is None:
            return None
        text = str(value).strip()
        try:
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
                raise ValueError(text)
            return date.fromisoformat(text)
        except ValueError:
            raise self.error(name, f"not a date (YYYY-MM-DD): {text!r}") from None

    def names(self, name: str) -> tuple[str, ...]:
        """A list of non-empty strings (a single string is a list of one); () when absent."""
        value = self.data.get(name)
        if value is None:
            return ()
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list):
            raise self.error(name, f"must be a list of names, not {value!r}")
        found: list[str] = []
        for item in items:
            if not isinstance(item, str) or not item.strip():
                raise self.error(name, f"must be a list of names; {item!r} is not one")
            found.append(item.strip())
        return tuple(found)

    def choices(self, name: str, enum: type[E]) -> tuple[E, ...]:
        """A list of values of `enum` (case-insensitive)."""
        values: list[E] = []
        for item in self.names(name):
            try:
                values.append(enum(item.lower()))
            except ValueError:
                known = ", ".join(member.value for member in enum)
                raise self.error(name, f"unknown value {item!r} (one of: {known})") from None
        return tuple(values)

    def number(self, name: str, low: float, high: float) -> float | None:
        """A number between low and high inclusive, or None when absent."""
        value = self.data.get(name)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.error(name, f"must be a number, not {value!r}")
        if not low <= value <= high:
            raise self.error(name, f"must be between {low:g} and {high:g}, not {value:g}")
        return float(value)

    def integer(self, name: str, low: int) -> int | None:
        """A whole number at least `low`, or None when absent."""
        value = self.data.get(name)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.error(name, f"must be a whole number, not {value!r}")
        if value < low:
            raise self.error(name, f"must be at least {low}, not {value}")
        return value

    def mapping(self, name: str) -> Mapping[str, object]:
        """A mapping with text keys; {} when absent."""
        value = self.data.get(name)
        if value is None:
            return {}
        if not isinstance(value, dict) or not all(isinstance(key, str) for key in value):
            raise self.error(name, "must be a mapping of names to entries")
        return value

    def sub(self, value: object, where: str) -> "Fields":
        """The Fields of a nested mapping `value`, found at `where`."""
        if not isinstance(value, dict):
            raise NetworkInputError(f"{where}: must be a mapping of fields, not {value!r}")
        return Fields({str(key): item for key, item in value.items()}, where)
