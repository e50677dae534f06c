"""What a found key is: algorithm, size, whether it is encrypted, and fingerprints that match the
same key whatever file format carried it."""

import base64
import hashlib
import warnings
from dataclasses import dataclass
from typing import TypeAlias

from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa, x448, x25519
from cryptography.hazmat.primitives.asymmetric.types import (
    PrivateKeyTypes,
    PublicKeyTypes,
)
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from cryptography.utils import CryptographyDeprecationWarning

SPKI_PREFIX = "spki-sha256:"
BLOB_PREFIX = "blob-sha256:"

SshKey: TypeAlias = (
    rsa.RSAPublicKey | dsa.DSAPublicKey | ec.EllipticCurvePublicKey | ed25519.Ed25519PublicKey
)


@dataclass(frozen=True, slots=True)
class KeyInfo:
    """A confirmed private key. `fingerprint` is `spki-sha256:<hex>` (SHA-256 of the DER
    SubjectPublicKeyInfo) when the public key is known — the same for a key in PEM, OpenSSH,
    PuTTY, Dropbear or PKCS#12 form — else `blob-sha256:<hex>` of the (encrypted) key bytes.
    `encrypted` is None when the format does not say; `loaded` is False for a well-formed key
    `cryptography` cannot load (an algorithm it lacks, such as GOST)."""

    format: str
    algorithm: str
    bits: int | None
    encrypted: bool | None
    fingerprint: str
    ssh_fingerprint: str | None = None
    loaded: bool = True


def key_shape(public: PublicKeyTypes) -> tuple[str, int | None]:
    """Algorithm name and size in bits (curve size for EC)."""
    if isinstance(public, rsa.RSAPublicKey):
        return "rsa", public.key_size
    if isinstance(public, dsa.DSAPublicKey):
        return "dsa", public.key_size
    if isinstance(public, ec.EllipticCurvePublicKey):
        return f"ec-{public.curve.name}", public.curve.key_size
    sizes: dict[type, tuple[str, int]] = {
        ed25519.Ed25519PublicKey: ("ed25519", 256),
        ed448.Ed448PublicKey: ("ed448", 456),
        x25519.X25519PublicKey: ("x25519", 256),
        x448.X448PublicKey: ("x448", 448),
    }
    for kind, shape in sizes.items():
        if isinstance(public, kind):
            return shape
    return "unknown", None


def spki_fingerprint(public: PublicKeyTypes) -> str:
    """`spki-sha256:<hex>` of the DER SubjectPublicKeyInfo."""
    der = public.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    return SPKI_PREFIX + hashlib.sha256(der).hexdigest()


def blob_fingerprint(material: bytes) -> str:
    """`blob-sha256:<hex>` of opaque key bytes (an encrypted key whose public half is unknown)."""
    return BLOB_PREFIX + hashlib.sha256(material).hexdigest()


def ssh_fingerprint(public: PublicKeyTypes) -> str | None:
    """The OpenSSH fingerprint (`SHA256:<base64>`) for key types SSH uses, else None."""
    if not isinstance(public, SshKey):
        return None
    if isinstance(public, ec.EllipticCurvePublicKey) and public.curve.name not in (
        "secp256r1",
        "secp384r1",
        "secp521r1",
    ):
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", CryptographyDeprecationWarning)  # SSH DSA keys
            line = public.public_bytes(Encoding.OpenSSH, PublicFormat.OpenSSH)
    except ValueError:  # e.g. a DSA key of another size than SSH's 1024 bits
        return None
    blob = base64.b64decode(line.split()[1])
    digest = base64.b64encode(hashlib.sha256(blob).digest()).rstrip(b"=")
    return "SHA256:" + digest.decode("ascii")


def from_public(public: PublicKeyTypes, format: str, encrypted: bool | None) -> KeyInfo:
    """KeyInfo for a key whose public half is known."""
    algorithm, bits = key_shape(public)
    return KeyInfo(
        format=format,
        algorithm=algorithm,
        bits=bits,
        encrypted=encrypted,
        fingerprint=spki_fingerprint(public),
        ssh_fingerprint=ssh_fingerprint(public),
    )


def from_private(private: PrivateKeyTypes, format: str) -> KeyInfo:
    """KeyInfo for a key that loaded in the clear."""
    return from_public(private.public_key(), format, encrypted=False)


def unloadable(material: bytes, format: str, algorithm: str) -> KeyInfo:
    """KeyInfo for a clear, well-formed key of an algorithm `cryptography` does not load."""
    return KeyInfo(format, algorithm, None, False, blob_fingerprint(material), None, False)


def opaque(material: bytes, format: str, algorithm: str = "unknown") -> KeyInfo:
    """KeyInfo for an encrypted key whose public half the format does not carry."""
    return KeyInfo(
        format=format,
        algorithm=algorithm,
        bits=None,
        encrypted=True,
        fingerprint=blob_fingerprint(material),
    )
