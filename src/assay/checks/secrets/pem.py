"""PEM blocks (RFC 7468, and the RFC 1421 headers of legacy encrypted keys) wherever they sit:
a file of their own, a C or JSON string with `\\n` escapes and quotes, or the strings of a
binary."""

import binascii
import re
from dataclasses import dataclass
from typing import Any

MAX_BLOCK = 256 * 1024
BEGIN = re.compile(rb"(-----|---- )BEGIN ([A-Z0-9 ]{1,48}?)( -----|-----| ----)")
NOT_BASE64 = re.compile(rb"[^A-Za-z0-9+/=]")
HEADER = re.compile(rb"^([A-Za-z][A-Za-z0-9-]*):\s*(.*)$")
PRINTABLE = bytes(range(0x20, 0x7F)) + b"\t\r\n"
LOOKS_ENCODED = re.compile(rb"(\\n|\s|[\"'])*[A-Za-z0-9+/]{48}")
QUOTING = b" \t\"',;\\"
CONCATENATION = re.compile(rb"^\+\s*(?=[\"'])|(?<=[\"'])\s*\+$")


@dataclass(frozen=True, slots=True)
class PemBlock:
    """One armoured block: its label, where it lies in the file, its RFC 1421 headers and the
    decoded payload."""

    label: str
    start: int
    end: int
    headers: tuple[tuple[str, str], ...]
    payload: bytes

    @property
    def header_line(self) -> str:
        """The block's public first line, e.g. `-----BEGIN RSA PRIVATE KEY-----`."""
        if self.label.startswith("SSH2 "):
            return f"---- BEGIN {self.label} ----"
        return f"-----BEGIN {self.label}-----"

    def header(self, name: str) -> str | None:
        """The value of an RFC 1421 header (`Proc-Type`), case-insensitively."""
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None


class PemError(ValueError):
    """The block has no END line or its base64 body does not decode."""


def _end_marker(opening: bytes, label: bytes) -> bytes:
    if opening == b"---- ":
        return b"---- END " + label + b" ----"
    return b"-----END " + label + b"-----"


def _lines(body: bytes) -> list[bytes]:
    """The body's logical lines, with C/JSON escapes, quotes and continuations removed."""
    text = body.replace(b"\\r", b"").replace(b"\\n", b"\n").replace(b"\r", b"")
    lines = []
    for raw in text.split(b"\n"):
        line = CONCATENATION.sub(b"", raw.strip()).strip(QUOTING)
        if line:
            lines.append(line)
    return lines


def _split(lines: list[bytes]) -> tuple[list[tuple[str, str]], bytes]:
    headers: list[tuple[str, str]] = []
    encoded: list[bytes] = []
    for line in lines:
        match = HEADER.match(line) if not encoded else None
        if match is not None:
            headers.append(
                (match.group(1).decode("ascii"), match.group(2).decode("ascii", "replace"))
            )
        elif headers and line.startswith((b" ", b"\t")):
            continue  # a folded header continuation line
        else:
            encoded.append(NOT_BASE64.sub(b"", line))
    return headers, b"".join(encoded)


def read_block(data: Any, start: int) -> PemBlock | None:
    """The PEM block whose BEGIN line starts at `start`; None when there is no block there (a
    marker string in a program, a BEGIN line without a body), PemError when a block is broken."""
    head = bytes(data[start : start + 64])
    opening = BEGIN.match(head)
    if opening is None:
        return None
    label = opening.group(2)
    body_start = start + opening.end()
    window = bytes(data[body_start : body_start + MAX_BLOCK])
    marker = _end_marker(opening.group(1), label)
    stop = window.find(marker)
    if stop < 0:
        if LOOKS_ENCODED.match(window):
            raise PemError(f"{label.decode()} block has no END line")
        return None
    body = window[:stop]
    if body.translate(None, PRINTABLE):
        return None  # BEGIN and END strings of a program with other bytes between
    lines = _lines(body)
    headers, encoded = _split(lines)
    if label == b"PGP PRIVATE KEY BLOCK":
        encoded = _without_pgp_checksum(lines)
    try:
        payload = binascii.a2b_base64(encoded + b"=" * (-len(encoded.rstrip(b"=")) % 4))
    except binascii.Error as err:
        raise PemError(f"{label.decode()} block: base64 does not decode ({err})") from None
    end = body_start + stop + len(marker)
    return PemBlock(label.decode("ascii"), start, end, tuple(headers), payload)


def _without_pgp_checksum(lines: list[bytes]) -> bytes:
    """An OpenPGP armour body (RFC 4880 §6.2): headers, a blank line, base64, `=CRC` line."""
    body = [line for line in lines if b":" not in line and not line.startswith(b"=")]
    return NOT_BASE64.sub(b"", b"".join(body))
