"""Bounds-checked readers for the two binary encodings keys come in: the SSH wire format
(RFC 4251 §5: uint32, string, mpint) and DER tag-length headers (X.690 §8.1)."""

from typing import Any

MAX_DER = 1 << 20


class WireError(ValueError):
    """The bytes end early or a length is impossible."""


class SshReader:
    """Reads SSH wire-format fields in order from a byte string."""

    def __init__(self, data: bytes, offset: int = 0) -> None:
        self.data = data
        self.offset = offset

    def u32(self) -> int:
        """A big-endian uint32."""
        end = self.offset + 4
        if end > len(self.data):
            raise WireError("truncated uint32")
        value = int.from_bytes(self.data[self.offset : end], "big")
        self.offset = end
        return value

    def string(self, limit: int = 1 << 16) -> bytes:
        """A length-prefixed string of at most `limit` bytes."""
        size = self.u32()
        end = self.offset + size
        if size > limit or end > len(self.data):
            raise WireError("string length out of range")
        value = self.data[self.offset : end]
        self.offset = end
        return value

    def mpint(self) -> int:
        """A non-negative multiple-precision integer."""
        raw = self.string(limit=2048)
        if raw and raw[0] & 0x80:
            raise WireError("negative mpint")
        return int.from_bytes(raw, "big")

    def text(self, limit: int = 64) -> str:
        """A short ASCII string (an algorithm or cipher name)."""
        raw = self.string(limit)
        if not raw.isascii():
            raise WireError("name is not ASCII")
        return raw.decode("ascii")


def der_extent(data: Any, start: int) -> int:
    """The total size (header + content) of the DER element at `start`; BER indefinite length
    (0x80) is followed to its end-of-contents marker. WireError when it cannot be read."""
    if start + 2 > len(data):
        raise WireError("truncated DER header")
    first = int(data[start + 1])
    if first < 0x80:
        return 2 + first
    if first == 0x80:
        return _indefinite_extent(data, start)
    count = first & 0x7F
    if count > 3 or start + 2 + count > len(data):
        raise WireError("DER length out of range")
    size = int.from_bytes(bytes(data[start + 2 : start + 2 + count]), "big")
    total = 2 + count + size
    if total > MAX_DER or start + total > len(data):
        raise WireError("DER element runs past the data")
    return total


def _indefinite_extent(data: Any, start: int) -> int:
    """Size of an indefinite-length BER element: children until a 00 00 marker."""
    cursor = start + 2
    for _ in range(4096):
        if cursor + 2 > len(data):
            break
        if not data[cursor] and not data[cursor + 1]:
            return cursor + 2 - start
        cursor += der_extent(data, cursor)
        if cursor - start > MAX_DER:
            break
    raise WireError("unterminated indefinite-length element")
