"""Redaction: the one place that decides how a secret is shown in findings, facts and problems."""

import hashlib
from dataclasses import dataclass

REDACTED = "[redacted]"
ELLIPSIS = "…"
HASH_PREFIX = 12
MAX_SHOWN = 2


def _visible(value: str) -> int:
    """How many leading characters of a password may be shown: none for short values, at most
    two, and never more than a quarter of the value."""
    return min(MAX_SHOWN, len(value) // 4)


@dataclass(frozen=True, slots=True)
class Redactor:
    """Renders secrets for reports; with `unredacted` every value is shown as found."""

    unredacted: bool = False

    def value(self, secret: str) -> str:
        """A password or credential value: `pa…[redacted]`."""
        if self.unredacted:
            return secret
        return secret[: _visible(secret)] + ELLIPSIS + REDACTED

    def token(self, secret: str, public_prefix: str) -> str:
        """A token whose format prefix is public (`ghp_`, `AKIA`): the prefix, then redacted."""
        if self.unredacted:
            return secret
        prefix = public_prefix if secret.startswith(public_prefix) else ""
        return f"{prefix}{ELLIPSIS}[redacted {len(secret) - len(prefix)} chars]"

    def block(self, header: str, material: bytes, shown: str | None = None) -> str:
        """Key material: its public header line, its size and a digest of the bytes
        (`-----BEGIN RSA PRIVATE KEY----- …[redacted 1675 bytes, sha256:ab12…]`)."""
        if self.unredacted:
            return shown if shown is not None else material.decode("ascii", "backslashreplace")
        digest = hashlib.sha256(material).hexdigest()[:HASH_PREFIX]
        lead = f"{header} " if header else ""
        return f"{lead}{ELLIPSIS}[redacted {len(material)} bytes, sha256:{digest}{ELLIPSIS}]"

    def crypt_hash(self, scheme_and_salt: str, full: str) -> str:
        """A password hash: its scheme and salt only (`$6$rounds=5000$salt$…[redacted]`)."""
        if self.unredacted:
            return full
        return scheme_and_salt + ELLIPSIS + REDACTED

    def line(self, text: str, spans: list[tuple[int, int]], focus: int, context: int = 60) -> str:
        """A line of a file around the secret starting at `focus`, with every secret span on it
        redacted (a line may hold a user's password and a token side by side)."""
        ordered = sorted(spans)
        pieces: list[str] = []
        cursor = 0
        focus_at = 0
        for start, end in ordered:
            if start < cursor:
                continue
            pieces.append(text[cursor:start])
            if start == focus:
                focus_at = sum(len(p) for p in pieces)
            pieces.append(self.value(text[start:end]))
            cursor = end
        pieces.append(text[cursor:])
        shown = "".join(pieces)
        first = max(0, focus_at - context)
        return shown[first : focus_at + 2 * context].strip()
