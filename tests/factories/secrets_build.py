"""Secrets made in the test: keys and certificates generated with `cryptography`, key files in
the PuTTY, OpenSSH and Dropbear formats, password files with hashes computed here, a small ELF
with a key at a known offset. Nothing here is ever committed as a binary."""

import base64
import dataclasses
import hashlib
import io
import json
import struct
import tarfile
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.types import CertificateIssuerPrivateKeyTypes
from cryptography.hazmat.primitives.serialization import (
    BestAvailableEncryption,
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
    pkcs12,
)
from cryptography.x509.oid import NameOID
from passlib import hash as passlib_hash

from assay.checks.base import CheckContext
from assay.checks.secrets import SecretsCheck
from assay.extract.limits import Limits
from assay.extract.unpacker import Unpacker
from assay.inventory.index import FileIndex
from assay.model.finding import Finding
from assay.model.problem import ProblemKind, ProblemLevel
from assay.model.secrets import SecretFacts
from assay.plugins import extractors
from assay.report.secrets_json import facts_to_json
from tests.factories.files import make_tree

NOW = datetime(2025, 6, 1, tzinfo=UTC)
SHARED_RSA = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def spki_fingerprint(key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey) -> str:
    """The fingerprint the check reports for a key."""
    der = key.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    return "spki-sha256:" + hashlib.sha256(der).hexdigest()


def rsa_key(bits: int = 2048) -> rsa.RSAPrivateKey:
    """A fresh RSA key."""
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


def pem(key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey, format: PrivateFormat) -> bytes:
    """A key as unencrypted PEM in the given format."""
    return key.private_bytes(Encoding.PEM, format, NoEncryption())


def encrypted_pkcs8(key: rsa.RSAPrivateKey, password: bytes = b"vendor") -> bytes:
    """A key as `ENCRYPTED PRIVATE KEY` PEM."""
    return key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, BestAvailableEncryption(password))


def der_pkcs8(key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey) -> bytes:
    """A key as bare DER PKCS#8."""
    return key.private_bytes(Encoding.DER, PrivateFormat.PKCS8, NoEncryption())


def openssh_ed25519() -> tuple[ed25519.Ed25519PrivateKey, bytes]:
    """An Ed25519 key and its `OPENSSH PRIVATE KEY` file."""
    key = ed25519.Ed25519PrivateKey.generate()
    return key, key.private_bytes(Encoding.PEM, PrivateFormat.OpenSSH, NoEncryption())


def _ssh_string(data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + data


def _mpint(value: int) -> bytes:
    raw = value.to_bytes((value.bit_length() + 8) // 8, "big") if value else b""
    return _ssh_string(raw)


def openssh_encrypted(key: ed25519.Ed25519PrivateKey) -> bytes:
    """An `openssh-key-v1` file with an aes256-ctr/bcrypt private section (random bytes: only
    the clear public part is ever read)."""
    public = key.public_key().public_bytes(Encoding.OpenSSH, PublicFormat.OpenSSH)
    blob = base64.b64decode(public.split()[1])
    body = (
        b"openssh-key-v1\x00"
        + _ssh_string(b"aes256-ctr")
        + _ssh_string(b"bcrypt")
        + _ssh_string(_ssh_string(b"\x11" * 16) + struct.pack(">I", 16))
        + struct.pack(">I", 1)
        + _ssh_string(blob)
        + _ssh_string(hashlib.sha512(blob).digest() * 2)
    )
    encoded = base64.encodebytes(body)
    return (
        b"-----BEGIN OPENSSH PRIVATE KEY-----\n" + encoded + b"-----END OPENSSH PRIVATE KEY-----\n"
    )


def putty_file(key: rsa.RSAPrivateKey, encryption: str = "none") -> bytes:
    """A PuTTY v2 `.ppk` file for an RSA key (the MAC is not computed: it is never checked)."""
    numbers = key.private_numbers()
    public = _ssh_string(b"ssh-rsa") + _mpint(numbers.public_numbers.e)
    public += _mpint(numbers.public_numbers.n)
    private = _mpint(numbers.d) + _mpint(numbers.p) + _mpint(numbers.q) + _mpint(numbers.iqmp)
    public_lines = base64.encodebytes(public).replace(b"\n", b"")
    private_lines = base64.encodebytes(private).replace(b"\n", b"")
    chunks = [public_lines[i : i + 64] for i in range(0, len(public_lines), 64)]
    private_chunks = [private_lines[i : i + 64] for i in range(0, len(private_lines), 64)]
    lines = [
        b"PuTTY-User-Key-File-2: ssh-rsa",
        b"Encryption: " + encryption.encode(),
        b"Comment: rsa-key-20240101",
        b"Public-Lines: %d" % len(chunks),
        *chunks,
        b"Private-Lines: %d" % len(private_chunks),
        *private_chunks,
        b"Private-MAC: " + b"0" * 40,
    ]
    return b"\r\n".join(lines) + b"\r\n"


def dropbear_rsa(key: rsa.RSAPrivateKey) -> bytes:
    """An RSA key in Dropbear's own host-key format (as `dropbearkey -t rsa` writes it)."""
    numbers = key.private_numbers()
    public = numbers.public_numbers
    return (
        _ssh_string(b"ssh-rsa")
        + _mpint(public.e)
        + _mpint(public.n)
        + _mpint(numbers.d)
        + _mpint(numbers.p)
        + _mpint(numbers.q)
    )


def dropbear_ecdsa(key: ec.EllipticCurvePrivateKey) -> bytes:
    """A P-256 key in Dropbear's format."""
    point = key.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
    return (
        _ssh_string(b"ecdsa-sha2-nistp256")
        + _ssh_string(b"nistp256")
        + _ssh_string(point)
        + _mpint(key.private_numbers().private_value)
    )


@dataclass(frozen=True)
class CertSpec:
    """What to put in a generated certificate."""

    subject: str = "device.example"
    not_before: datetime = NOW - timedelta(days=30)
    not_after: datetime = NOW + timedelta(days=365)
    ca: bool | None = None
    algorithm: hashes.HashAlgorithm = field(default_factory=hashes.SHA256)


def certificate(
    key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey,
    spec: CertSpec | None = None,
    issuer: tuple[str, CertificateIssuerPrivateKeyTypes] | None = None,
) -> x509.Certificate:
    """A certificate for `key`, self-signed unless `issuer` (name, key) is given."""
    spec = spec or CertSpec()
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, spec.subject)])
    issuer_name, signer = (
        (x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer[0])]), issuer[1])
        if issuer
        else (name, key)
    )
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(spec.not_before)
        .not_valid_after(spec.not_after)
    )
    if spec.ca is not None:
        builder = builder.add_extension(x509.BasicConstraints(spec.ca, None), critical=True)
    return builder.sign(signer, spec.algorithm)


def cert_pem(cert: x509.Certificate) -> bytes:
    """A certificate as PEM."""
    return cert.public_bytes(Encoding.PEM)


def cert_der(cert: x509.Certificate) -> bytes:
    """A certificate as DER."""
    return cert.public_bytes(Encoding.DER)


def pkcs12_file(key: rsa.RSAPrivateKey, cert: x509.Certificate, password: bytes) -> bytes:
    """A PKCS#12 bundle of a key and its certificate."""
    return pkcs12.serialize_key_and_certificates(
        b"device", key, cert, None, BestAvailableEncryption(password)
    )


def tiny_elf(payload: bytes, offset: int, size: int = 16384) -> bytes:
    """A small little-endian x86-64 ELF executable header followed by filler, with `payload`
    at `offset`."""
    header = b"\x7fELF\x02\x01\x01" + bytes(9)
    header += struct.pack("<HHIQQQIHHHHHH", 2, 62, 1, 0x401000, 64, 0, 0, 64, 56, 0, 64, 0, 0)
    filler = bytes((i * 7 + 3) % 251 for i in range(size))
    blob = bytearray(header + filler[len(header) :])
    blob[offset : offset + len(payload)] = payload
    return bytes(blob)


def shadow_line(user: str, hashed: str) -> str:
    """A shadow(5) line."""
    return f"{user}:{hashed}:19000:0:99999:7:::"


def md5_crypt(password: str, salt: str = "saltsalt") -> str:
    """`$1$` MD5-crypt of a password."""
    return str(passlib_hash.md5_crypt.using(salt=salt).hash(password))


def sha512_crypt(password: str, salt: str = "NaCl4assay") -> str:
    """`$6$` SHA-512-crypt of a password (5000 rounds)."""
    return str(passlib_hash.sha512_crypt.using(salt=salt, rounds=5000).hash(password))


def des_crypt(password: str, salt: str = "ab") -> str:
    """Traditional DES crypt."""
    return str(passlib_hash.des_crypt.using(salt=salt).hash(password))


@dataclass
class SecretsRun:
    """The outcome of the secrets check over a tree: findings, facts and problems."""

    findings: tuple[Finding, ...]
    facts: SecretFacts
    problems: list[tuple[ProblemKind, ProblemLevel, str, str]]

    def rules(self) -> list[str]:
        """The rule of every finding, sorted."""
        return sorted(f.rule for f in self.findings)

    def by_rule(self, rule: str) -> list[Finding]:
        """The findings of one rule."""
        return [f for f in self.findings if f.rule == rule]

    def at(self, path: str) -> list[Finding]:
        """The findings whose first evidence is the file `path`."""
        return [f for f in self.findings if f.evidence[0].location.endswith(" › " + path)]

    def serialized(self) -> str:
        """Findings, facts and problems as one JSON text (to search for leaked secrets)."""
        document = {
            "findings": [dataclasses.asdict(f) for f in self.findings],
            "facts": facts_to_json(self.facts),
            "problems": [list(p) for p in self.problems],
        }
        return json.dumps(document, ensure_ascii=False, default=str)


def run_secrets(
    work: Path,
    files: dict[str, bytes],
    unredacted: bool = False,
    now: datetime = NOW,
    **options: Any,
) -> SecretsRun:
    """Write `files` under work/tree, unpack the tree and run the secrets check over it."""
    root = make_tree(work / "tree", files)
    unpacked = Unpacker(extractors(), Limits(), work / "workspace").unpack(root)
    index = FileIndex(unpacked.artifacts, unpacked.disk)
    ctx = CheckContext(unredacted=unredacted)
    result = SecretsCheck(now=now, **options).run(index, ctx)
    return SecretsRun(result.findings, result.facts, ctx.problems)


RSA_SIGNATURE_OIDS = {
    "sha256": bytes.fromhex("2a864886f70d01010b"),
    "sha1": bytes.fromhex("2a864886f70d010105"),
    "md5": bytes.fromhex("2a864886f70d010104"),
}


def _der(tag: int, content: bytes) -> bytes:
    size = len(content)
    if size < 0x80:
        return bytes([tag, size]) + content
    length = size.to_bytes((size.bit_length() + 7) // 8, "big")
    return bytes([tag, 0x80 | len(length)]) + length + content


def legacy_signed(
    cert: x509.Certificate, signer: rsa.RSAPrivateKey, algorithm: hashes.HashAlgorithm
) -> x509.Certificate:
    """`cert` (signed by `signer` with SHA-256 RSA) re-signed with a hash that `cryptography`
    no longer signs certificates with (SHA-1, MD5): the TBS and outer algorithm identifiers are
    rewritten and the TBS signed again."""
    old, new = RSA_SIGNATURE_OIDS["sha256"], RSA_SIGNATURE_OIDS[algorithm.name]
    tbs = cert.tbs_certificate_bytes.replace(old, new)
    signature = signer.sign(tbs, padding.PKCS1v15(), algorithm)
    algorithm_id = _der(0x30, _der(0x06, new) + b"\x05\x00")
    der = _der(0x30, tbs + algorithm_id + _der(0x03, b"\x00" + signature))
    return x509.load_der_x509_certificate(der)


def tar_of(path: str, data: bytes) -> bytes:
    """An uncompressed tar holding one file."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        member = tarfile.TarInfo(path)
        member.size = len(data)
        tar.addfile(member, io.BytesIO(data))
    return buffer.getvalue()
