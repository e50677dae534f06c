"""Versions encoded as one integer (`150005` is PostgreSQL 15.5, `0x010204` libwebp 1.2.4): named
place-value encodings and their decoder.

An encoding is `decimal-W1-…-Wn` or `bytes-W1-…-Wn`: the number's decimal digits (or its bytes)
are cut into fields from the right, W1 … Wn digits (bytes) wide from the left, and whatever is left
above them is the first field (the major version):

    decimal-2-2     10505     → 1.5.5      (zstd, lz4, libpng, libxslt)
    decimal-3-3     3040001   → 3.40.1     (SQLite)
    decimal-2-1     2140      → 2.14.0     (lcms2; with trim_zero: 2.14)
    decimal-4       150005    → 15.5       (PostgreSQL 10 and later)
    bytes-1-1       0x010204  → 1.2.4      (libwebp, libuv)
    bytes-1         0x0112    → 1.18       (libiconv)

`fields` keeps only the first fields (libevent's last byte is a release status, not part of the
version); `trim_zero` drops a last field that is 0 when more than two fields remain."""

import re
from dataclasses import dataclass

ENCODING = re.compile(r"(decimal|bytes)((?:-[1-9])+)")


class EncodingError(ValueError):
    """An encoding name that is not `decimal-…` or `bytes-…` with widths 1-9."""


@dataclass(frozen=True, slots=True)
class Encoding:
    """How one integer holds a version."""

    name: str
    fields: int | None = None
    trim_zero: bool = False
    minimum: int = 1
    maximum: int | None = None

    def __post_init__(self) -> None:
        if not ENCODING.fullmatch(self.name):
            raise EncodingError(f"unknown version encoding {self.name!r}")
        if self.fields is not None and not 1 <= self.fields <= len(self.widths) + 1:
            raise EncodingError(f"{self.name}: fields must be 1-{len(self.widths) + 1}")

    @property
    def widths(self) -> tuple[int, ...]:
        """Widths of the fields after the first, most significant first."""
        match = ENCODING.fullmatch(self.name)
        assert match is not None
        return tuple(int(w) for w in match.group(2).strip("-").split("-"))

    def holds(self, value: int) -> bool:
        """True when `value` is in the range this encoding is meant for."""
        return value >= self.minimum and (self.maximum is None or value <= self.maximum)

    def decode(self, value: int) -> str | None:
        """The version `value` encodes, or None when it is out of range."""
        if not self.holds(value):
            return None
        base = 10 if self.name.startswith("decimal") else 256
        parts: list[int] = []
        rest = value
        for width in reversed(self.widths):
            rest, field = divmod(rest, base**width)
            parts.insert(0, field)
        parts.insert(0, rest)
        if self.fields is not None:
            parts = parts[: self.fields]
        if self.trim_zero and len(parts) > 2 and parts[-1] == 0:
            parts.pop()
        return ".".join(str(part) for part in parts)
