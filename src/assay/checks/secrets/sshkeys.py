"""SSH private key formats: OpenSSH `openssh-key-v1` (PROTOCOL.key), PuTTY `.ppk` v2/v3,
Dropbear's own binary host keys, and the ssh.com `SSH2 ENCRYPTED PRIVATE KEY` container."""

import base64
import re
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed25519, rsa
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from cryptography.hazmat.primitives.serialization import (
    load_ssh_private_key,
    load_ssh_public_key,
)

from assay.checks.secrets.keyinfo import KeyInfo, from_private, from_public, opaque
from assay.checks.secrets.wire import SshReader, WireError

OPENSSH_MAGIC = b"openssh-key-v1\x00"
SSH2_MAGIC = 0x3F6FF9EB
PUTTY_WINDOW = 64 * 1024
PUTTY_LINE = re.compile(rb"([A-Za-z0-9-]+): ?([^\r\n]*)\r?\n")
BASE64_LINE = re.compile(rb"([A-Za-z0-9+/=]+)\r?\n")
DROPBEAR_TYPES = (
    b"ssh-rsa",
    b"ssh-dss",
    b"ssh-ed25519",
    b"ecdsa-sha2-nistp256",
    b"ecdsa-sha2-nistp384",
    b"ecdsa-sha2-nistp521",
)
CURVES: dict[str, ec.EllipticCurve] = {
    "nistp256": ec.SECP256R1(),
    "nistp384": ec.SECP384R1(),
    "nistp521": ec.SECP521R1(),
}
PARSE_ERRORS = (ValueError, TypeError, UnsupportedAlgorithm)


def _public_from_blob(blob: bytes, format: str, encrypted: bool) -> KeyInfo:
    name = SshReader(blob).text()
    public = load_ssh_public_key(name.encode() + b" " + base64.b64encode(blob))
    return from_public(public, format, encrypted)


def openssh_key(payload: bytes) -> KeyInfo | None:
    """An `openssh-key-v1` payload (the base64-decoded PEM body): the public key is in the
    clear even when the private part is encrypted. None when it is not one."""
    if not payload.startswith(OPENSSH_MAGIC):
        return None
    reader = SshReader(payload, len(OPENSSH_MAGIC))
    cipher = reader.text()
    reader.text()  # kdf name
    reader.string()  # kdf options
    if reader.u32() < 1:
        raise WireError("no keys")
    blob = reader.string()
    if cipher != "none":
        return _public_from_blob(blob, "openssh", encrypted=True)
    armoured = (
        b"-----BEGIN OPENSSH PRIVATE KEY-----\n"
        + base64.encodebytes(payload)
        + b"-----END OPENSSH PRIVATE KEY-----\n"
    )
    key = load_ssh_private_key(armoured, None, unsafe_skip_rsa_key_validation=True)
    return from_private(key, "openssh")


def ssh2_key(payload: bytes) -> KeyInfo | None:
    """An ssh.com private key container; only its cipher and key type are read."""
    reader = SshReader(payload)
    if reader.u32() != SSH2_MAGIC:
        return None
    reader.u32()  # total length
    key_type = reader.text(limit=256)
    cipher = reader.text()
    algorithm = "rsa" if "rsa" in key_type else "dsa" if "dl-modp" in key_type else "unknown"
    info = opaque(payload, "ssh.com", algorithm)
    return info if cipher != "none" else _cleared(info)


def _cleared(info: KeyInfo) -> KeyInfo:
    return KeyInfo(info.format, info.algorithm, info.bits, False, info.fingerprint)


@dataclass(frozen=True, slots=True)
class PuttyKey:
    """A PuTTY key file found at an offset, and where it ends."""

    info: KeyInfo
    end: int


def putty_key(data: Any, start: int) -> PuttyKey | None:
    """The PuTTY key file starting at `start`, confirmed by its public key and its private
    section; None when the text there is not a whole one."""
    window = bytes(data[start : start + PUTTY_WINDOW])
    fields: dict[bytes, bytes] = {}
    public: list[bytes] = []
    cursor = 0
    while cursor < len(window):
        line = PUTTY_LINE.match(window, cursor)
        if line is None:
            return None
        name, value = line.group(1), line.group(2).strip()
        fields[name] = value
        cursor = line.end()
        if name in (b"Public-Lines", b"Private-Lines"):
            lines, cursor = _base64_lines(window, cursor, int(value) if value.isdigit() else -1)
            if lines is None:
                return None
            if name == b"Public-Lines":
                public = lines
        if name == b"Private-MAC":
            break
    if b"Private-MAC" not in fields or not public:
        return None
    encrypted = fields.get(b"Encryption", b"none") != b"none"
    info = _public_from_blob(base64.b64decode(b"".join(public)), "putty", encrypted)
    return PuttyKey(info, start + cursor)


def _base64_lines(window: bytes, cursor: int, count: int) -> tuple[list[bytes] | None, int]:
    if not 0 < count <= 512:
        return None, cursor
    lines = []
    for _ in range(count):
        line = BASE64_LINE.match(window, cursor)
        if line is None:
            return None, cursor
        lines.append(line.group(1))
        cursor = line.end()
    return lines, cursor


def dropbear_key(data: bytes) -> KeyInfo | None:
    """A Dropbear host key file (dropbearkey's format: the key type name, then the key's
    numbers in SSH wire encoding, filling the whole file). None when the bytes are not one."""
    reader = SshReader(data)
    try:
        name = reader.string(limit=32)
        if name not in DROPBEAR_TYPES:
            return None
        key = _dropbear_private(name.decode(), reader)
    except (WireError, KeyError, *PARSE_ERRORS):
        return None
    if reader.offset != len(data):
        return None
    return from_private(key, "dropbear")


def _dropbear_private(name: str, reader: SshReader) -> PrivateKeyTypes:
    if name == "ssh-rsa":
        e, n, d, p, q = (reader.mpint() for _ in range(5))
        if p * q != n:
            raise ValueError("RSA factors do not match the modulus")
        numbers = rsa.RSAPrivateNumbers(
            p=p,
            q=q,
            d=d,
            dmp1=rsa.rsa_crt_dmp1(d, p),
            dmq1=rsa.rsa_crt_dmq1(d, q),
            iqmp=rsa.rsa_crt_iqmp(p, q),
            public_numbers=rsa.RSAPublicNumbers(e, n),
        )
        return numbers.private_key(unsafe_skip_rsa_key_validation=True)
    if name == "ssh-dss":
        p, q, g, y, x = (reader.mpint() for _ in range(5))
        parameters = dsa.DSAParameterNumbers(p, q, g)
        return dsa.DSAPrivateNumbers(x, dsa.DSAPublicNumbers(y, parameters)).private_key()
    if name == "ssh-ed25519":
        both = reader.string(limit=64)
        key = ed25519.Ed25519PrivateKey.from_private_bytes(both[:32])
        if len(both) == 64 and key.public_key().public_bytes_raw() != both[32:]:
            raise ValueError("ed25519 public half does not match")
        return key
    curve = CURVES[reader.text()]
    point = reader.string(limit=256)
    private = ec.derive_private_key(reader.mpint(), curve)
    expected = ec.EllipticCurvePublicKey.from_encoded_point(curve, point)
    if private.public_key() != expected:
        raise ValueError("ecdsa public point does not match")
    return private
