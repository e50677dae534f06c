"""Private keys in PEM blocks, bare DER (PKCS#1, SEC1, PKCS#8, encrypted PKCS#8) and PKCS#12
containers: each candidate is confirmed by loading it with `cryptography`, or for an encrypted
key by its ASN.1 structure."""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from cryptography.hazmat.primitives.serialization import load_der_private_key, pkcs12

from assay.checks.secrets.keyinfo import KeyInfo, from_private, opaque, unloadable
from assay.checks.secrets.pem import PemBlock
from assay.checks.secrets.sshkeys import PARSE_ERRORS, openssh_key, ssh2_key
from assay.checks.secrets.wire import WireError, der_extent

MIN_PAYLOAD = 32
PRIVATE_LABELS = {
    "RSA PRIVATE KEY": ("pem-pkcs1", "rsa"),
    "DSA PRIVATE KEY": ("pem-dsa", "dsa"),
    "EC PRIVATE KEY": ("pem-sec1", "ec"),
    "PRIVATE KEY": ("pem-pkcs8", "unknown"),
    "ANY PRIVATE KEY": ("pem-pkcs8", "unknown"),
    "ENCRYPTED PRIVATE KEY": ("pem-pkcs8-encrypted", "unknown"),
    "OPENSSH PRIVATE KEY": ("openssh", "unknown"),
    "SSH2 ENCRYPTED PRIVATE KEY": ("ssh.com", "unknown"),
    "PGP PRIVATE KEY BLOCK": ("openpgp", "openpgp"),
}
DER_FORMATS = {
    "der-pkcs8": "der-pkcs8",
    "der-pkcs1-rsa": "der-pkcs1",
    "der-sec1-ec": "der-sec1",
}
PGP_SECRET_KEY_TAGS = frozenset({0x94, 0x95, 0x96, 0x97, 0xC5})


def _load_der(der: bytes) -> PrivateKeyTypes:
    """Load a clear DER key. The structure is what confirms a key: RSA's mathematical checks
    would take minutes for the 15360-bit test keys some binaries (openssl speed) carry."""
    return load_der_private_key(der, None, unsafe_skip_rsa_key_validation=True)


class KeyParseError(ValueError):
    """A block labelled as a private key whose content is not one."""


def is_private_label(label: str) -> bool:
    """True for the PEM labels of private keys."""
    return label in PRIVATE_LABELS


def key_from_block(block: PemBlock) -> KeyInfo | None:
    """The private key in a PEM block; None when the label is not a private key's or the block
    is empty (a marker string); KeyParseError when the content is not a key."""
    if block.label not in PRIVATE_LABELS or len(block.payload) < MIN_PAYLOAD:
        return None
    format, algorithm = PRIVATE_LABELS[block.label]
    try:
        info = _parse_block(block, format, algorithm)
    except (WireError, *PARSE_ERRORS) as err:
        if _well_formed(block.payload) and format.startswith("pem-"):
            return unloadable(block.payload, format, algorithm)
        raise KeyParseError(f"{block.label} block does not load: {err}") from None
    if info is None:
        raise KeyParseError(f"{block.label} block has an unknown structure")
    return info


def _parse_block(block: PemBlock, format: str, algorithm: str) -> KeyInfo | None:
    payload = block.payload
    if format == "openssh":
        return openssh_key(payload)
    if format == "ssh.com":
        return ssh2_key(payload)
    if format == "openpgp":
        if payload[0] not in PGP_SECRET_KEY_TAGS:
            return None
        return KeyInfo(format, algorithm, None, None, opaque(payload, format).fingerprint)
    if "ENCRYPTED" in (block.header("Proc-Type") or ""):
        return opaque(payload, format + "-encrypted", algorithm)
    if format == "pem-pkcs8-encrypted":
        return opaque(payload, format) if is_encrypted_pkcs8(payload, 0) else None
    return from_private(_load_der(payload), format)


def _well_formed(payload: bytes) -> bool:
    """A DER SEQUENCE filling the payload exactly: a key `cryptography` could not load but no
    corrupt block."""
    try:
        return payload[0] == 0x30 and der_extent(payload, 0) == len(payload)
    except (WireError, IndexError):
        return False


def is_encrypted_pkcs8(data: Any, start: int) -> bool:
    """EncryptedPrivateKeyInfo (RFC 5958 §3): SEQUENCE { AlgorithmIdentifier, OCTET STRING },
    the two filling the outer SEQUENCE exactly."""
    try:
        total = der_extent(data, start)
        algorithm = start + _header_size(data, start)
        if data[algorithm] != 0x30:
            return False
        octets = algorithm + der_extent(data, algorithm)
        return bool(data[octets] == 0x04 and octets + der_extent(data, octets) == start + total)
    except (WireError, IndexError):
        return False


def _header_size(data: Any, start: int) -> int:
    first = int(data[start + 1])
    return 2 + (first & 0x7F if first > 0x80 else 0)


@dataclass(frozen=True, slots=True)
class DerKey:
    """A key found in bare DER bytes, and where it ends."""

    info: KeyInfo
    end: int


def der_key(data: Any, start: int, pattern_id: str) -> DerKey | None:
    """The DER private key starting at `start`, if it loads (bytes in binaries are only
    candidates: anything that does not load is nothing)."""
    try:
        end = start + der_extent(data, start)
        der = bytes(data[start:end])
        if pattern_id == "der-encrypted-pkcs8":
            if not is_encrypted_pkcs8(der, 0):
                return None
            return DerKey(opaque(der, "der-pkcs8-encrypted"), end)
        key = _load_der(der)
    except (WireError, *PARSE_ERRORS):
        return None
    return DerKey(from_private(key, DER_FORMATS.get(pattern_id, "der")), end)


@dataclass(frozen=True, slots=True)
class Pkcs12Bundle:
    """A PKCS#12 container: its key (opened, or opaque when no tried password opens it), its
    certificates, where it ends, and the password that opened it (None: not opened)."""

    key: KeyInfo | None
    certificates: tuple[x509.Certificate, ...]
    end: int
    password: str | None


def pkcs12_bundle(data: Any, start: int, passwords: Iterable[str]) -> Pkcs12Bundle | None:
    """The PKCS#12 container at `start`, opened with no password, the empty one, or the first of
    `passwords` that works (`password` is then "" for none)."""
    try:
        end = start + der_extent(data, start)
    except WireError:
        return None
    der = bytes(data[start:end])
    for password in (None, "", *passwords):
        try:
            secret = password.encode("utf-8") if password is not None else None
            loaded = pkcs12.load_key_and_certificates(der, secret)
        except PARSE_ERRORS:
            continue
        private, certificate, extra = loaded
        certificates = tuple(c for c in (certificate, *extra) if c is not None)
        key = from_private(private, "pkcs12") if private is not None else None
        return Pkcs12Bundle(key, certificates, end, password or "")
    return Pkcs12Bundle(opaque(der, "pkcs12"), (), end, None)
