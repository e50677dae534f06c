"""X.509 certificates (PEM and DER): what they are, and what is wrong with them at a given time."""

import hashlib
import warnings
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.utils import CryptographyDeprecationWarning

from assay.checks.secrets.keyinfo import key_shape, spki_fingerprint
from assay.checks.secrets.pem import PemBlock
from assay.checks.secrets.wire import WireError, der_extent
from assay.model.finding import Severity

CERT_LABELS = frozenset({"CERTIFICATE", "X509 CERTIFICATE", "TRUSTED CERTIFICATE"})
LEGACY_SIGNATURES = {
    "1.2.840.113549.1.1.2": "md2",
    "1.2.840.113549.1.1.3": "md4",
    "1.2.840.113549.1.1.4": "md5",
    "1.2.840.113549.1.1.5": "sha1",
    "1.2.840.10040.4.3": "sha1",
    "1.2.840.10045.4.1": "sha1",
}
BROKEN_HASHES = frozenset({"md2", "md4", "md5"})
MIN_RSA_BITS = 2048
MIN_EC_BITS = 224
CERT_ERRORS = (ValueError, TypeError, UnsupportedAlgorithm, WireError)


@dataclass(frozen=True, slots=True)
class CertInfo:
    """The facts of one certificate that the rules and the report need."""

    fingerprint: str
    spki_fingerprint: str
    subject: str
    issuer: str
    serial: str
    not_before: datetime
    not_after: datetime
    key_algorithm: str
    key_bits: int | None
    signature_hash: str | None
    self_signed: bool
    is_ca: bool

    @property
    def trust_anchor(self) -> bool:
        """A self-signed CA: a root, whose own signature nobody relies on."""
        return self.self_signed and self.is_ca


@dataclass(frozen=True, slots=True)
class CertIssue:
    """One rule a certificate breaks."""

    rule: str
    severity: Severity
    title: str
    message: str


def certificate_from_block(block: PemBlock) -> x509.Certificate | None:
    """The certificate in a PEM block (None when the label is not a certificate's); ValueError
    when a certificate block does not parse."""
    if block.label not in CERT_LABELS or not block.payload:
        return None
    payload = block.payload
    try:
        der = payload[: der_extent(payload, 0)]  # TRUSTED CERTIFICATE carries trailing aux data
        return _load(der)
    except CERT_ERRORS as err:
        raise ValueError(f"{block.label} block does not parse: {err}") from None


def certificate_from_der(data: Any, start: int) -> tuple[x509.Certificate, int] | None:
    """The DER certificate starting at `start` and where it ends, if it parses."""
    try:
        end = start + der_extent(data, start)
        return _load(bytes(data[start:end])), end
    except CERT_ERRORS:
        return None


def _load(der: bytes) -> x509.Certificate:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CryptographyDeprecationWarning)
        return x509.load_der_x509_certificate(der)


def _signature_hash(cert: x509.Certificate) -> str | None:
    try:
        algorithm = cert.signature_hash_algorithm
    except UnsupportedAlgorithm:
        return LEGACY_SIGNATURES.get(cert.signature_algorithm_oid.dotted_string, "unknown")
    return algorithm.name if algorithm is not None else None


def _self_signed(cert: x509.Certificate) -> bool:
    if cert.subject != cert.issuer:
        return False
    try:
        cert.verify_directly_issued_by(cert)
    except InvalidSignature:
        return False
    except (ValueError, TypeError, UnsupportedAlgorithm):
        return True  # an algorithm we cannot verify: the names alone decide
    return True


def _is_ca(cert: x509.Certificate) -> bool:
    try:
        return cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    except (x509.ExtensionNotFound, ValueError):
        return False


def describe(cert: x509.Certificate) -> CertInfo:
    """The facts of a certificate; ValueError for one whose public key cannot be read."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CryptographyDeprecationWarning)  # e.g. negative serials
        return _describe(cert)


def _describe(cert: x509.Certificate) -> CertInfo:
    try:
        public = cert.public_key()
    except UnsupportedAlgorithm as err:
        raise ValueError(f"unsupported public key: {err}") from None
    algorithm, bits = key_shape(public)
    return CertInfo(
        fingerprint="sha256:" + hashlib.sha256(cert.public_bytes(Encoding.DER)).hexdigest(),
        spki_fingerprint=spki_fingerprint(public),
        subject=cert.subject.rfc4514_string(),
        issuer=cert.issuer.rfc4514_string(),
        serial=format(cert.serial_number, "x"),
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
        key_algorithm=algorithm,
        key_bits=bits,
        signature_hash=_signature_hash(cert),
        self_signed=_self_signed(cert),
        is_ca=_is_ca(cert),
    )


def issues(info: CertInfo, now: datetime) -> list[CertIssue]:
    """What is wrong with a certificate at time `now` (a timezone-aware datetime)."""
    found = _validity(info, now)
    if info.self_signed and not info.is_ca:
        found.append(
            CertIssue(
                "cert.self-signed",
                Severity.LOW,
                "Self-signed certificate",
                f"'{info.subject}' is signed by its own key: clients cannot authenticate it",
            )
        )
    found.extend(_weak_key(info))
    if info.signature_hash in BROKEN_HASHES or (
        info.signature_hash == "sha1" and not info.trust_anchor
    ):
        broken = info.signature_hash in BROKEN_HASHES
        found.append(
            CertIssue(
                "cert.weak-signature",
                Severity.HIGH if broken else Severity.MEDIUM,
                "Certificate signed with a weak hash",
                f"'{info.subject}' is signed with {info.signature_hash}, "
                + ("which is broken" if broken else "which allows chosen-prefix collisions"),
            )
        )
    return found


def _validity(info: CertInfo, now: datetime) -> list[CertIssue]:
    if now > info.not_after:
        return [
            CertIssue(
                "cert.expired",
                Severity.LOW if info.trust_anchor else Severity.MEDIUM,
                "Expired certificate",
                f"'{info.subject}' expired on {info.not_after:%Y-%m-%d}",
            )
        ]
    if now < info.not_before:
        return [
            CertIssue(
                "cert.not-yet-valid",
                Severity.LOW,
                "Certificate not yet valid",
                f"'{info.subject}' is valid only from {info.not_before:%Y-%m-%d}",
            )
        ]
    return []


def _weak_key(info: CertInfo) -> list[CertIssue]:
    bits = info.key_bits or 0
    if info.key_algorithm in ("rsa", "dsa") and bits < MIN_RSA_BITS:
        severity = Severity.HIGH if bits < 1024 else Severity.MEDIUM
    elif info.key_algorithm.startswith("ec-") and bits < MIN_EC_BITS:
        severity = Severity.MEDIUM
    else:
        return []
    return [
        CertIssue(
            "cert.weak-key",
            severity,
            "Certificate with a weak key",
            f"'{info.subject}' has a {bits}-bit {info.key_algorithm.upper()} key",
        )
    ]
