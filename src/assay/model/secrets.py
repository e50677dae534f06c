"""Secrets facts: what the secrets check found besides its findings — key and certificate
fingerprints (to follow a key across files and releases), accounts, counts. Never a secret."""

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SecretLocation:
    """Where something was found: an artifact, its display location and in-release path, and the
    byte offset (and line, in text files)."""

    artifact: str
    location: str
    path: str
    offset: int | None = None
    line: int | None = None


@dataclass(frozen=True, slots=True)
class KeyFact:
    """One private key, by fingerprint, with every place it was found. `fingerprint` is
    `spki-sha256:<hex>` (or `blob-sha256:<hex>` for an encrypted key whose public half is not
    stored with it); `ssh_fingerprint` is OpenSSH's `SHA256:<base64>`."""

    fingerprint: str
    ssh_fingerprint: str | None
    algorithm: str
    bits: int | None
    encrypted: bool | None
    formats: tuple[str, ...]
    host_key: bool
    locations: tuple[SecretLocation, ...]


@dataclass(frozen=True, slots=True)
class CertificateFact:
    """One certificate, by the SHA-256 of its DER encoding, with every place it was found.
    Dates are ISO 8601 UTC."""

    fingerprint: str
    spki_fingerprint: str
    subject: str
    issuer: str
    serial: str
    not_before: str
    not_after: str
    key_algorithm: str
    key_bits: int | None
    signature_hash: str | None
    self_signed: bool
    is_ca: bool
    private_key_found: bool
    locations: tuple[SecretLocation, ...]


@dataclass(frozen=True, slots=True)
class AccountFact:
    """One account of a password file: how its password is stored (never the hash itself)."""

    location: SecretLocation
    user: str
    source: str
    state: str
    scheme: str | None
    default_password: bool


@dataclass(frozen=True, slots=True)
class PasswordTrials:
    """How the default-password trials went: the list size, hashes tried, matched, skipped as
    slow or unsupported schemes, and left untried when the time budget ran out."""

    passwords: int
    tried: int
    matched: int
    slow: int
    out_of_budget: int
    budget_seconds: float


@dataclass(frozen=True, slots=True)
class SecretFacts:
    """The secrets check's report object."""

    counts: tuple[tuple[str, int], ...]
    keys: tuple[KeyFact, ...]
    certificates: tuple[CertificateFact, ...]
    accounts: tuple[AccountFact, ...]
    trials: PasswordTrials
    files_scanned: int
    bytes_scanned: int
