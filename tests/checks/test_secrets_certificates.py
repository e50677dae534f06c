"""Certificate rules, evaluated at a time the test chooses (never today's date)."""

from datetime import timedelta
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.serialization import PrivateFormat

from assay.checks.base import CheckContext
from assay.checks.secrets import SecretsCheck
from assay.model.finding import Severity
from tests.factories import secrets_build as sb


def _issues(run: sb.SecretsRun) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for finding in run.findings:
        path = finding.evidence[0].location.split(" › ")[-1]
        found.setdefault(path, []).append(finding.rule)
    return {path: sorted(rules) for path, rules in found.items()}


def test_expiry_and_validity_are_judged_at_the_given_time(tmp_path: Path) -> None:
    ca_key = sb.rsa_key()
    issuer = ("Vendor Issuing CA", ca_key)
    spec = sb.CertSpec(
        not_before=sb.NOW - timedelta(days=10), not_after=sb.NOW + timedelta(days=10)
    )
    cert = sb.cert_pem(sb.certificate(sb.rsa_key(), spec, issuer))
    files = {"etc/ssl/web.crt": cert}
    assert sb.run_secrets(tmp_path / "now", files).findings == ()
    later = sb.run_secrets(tmp_path / "later", files, now=sb.NOW + timedelta(days=11))
    (expired,) = later.findings
    assert (expired.rule, expired.severity) == ("cert.expired", Severity.MEDIUM)
    earlier = sb.run_secrets(tmp_path / "earlier", files, now=sb.NOW - timedelta(days=11))
    assert [f.rule for f in earlier.findings] == ["cert.not-yet-valid"]


def test_self_signed_weak_key_and_weak_signature(tmp_path: Path) -> None:
    issuer = ("Vendor CA", sb.rsa_key())
    sha1 = sb.legacy_signed(sb.certificate(sb.rsa_key(), issuer=issuer), issuer[1], hashes.SHA1())
    files = {
        "etc/ssl/selfsigned.crt": sb.cert_pem(sb.certificate(sb.rsa_key())),
        "etc/ssl/small.crt": sb.cert_pem(sb.certificate(sb.rsa_key(1024), issuer=issuer)),
        "etc/ssl/sha1.crt": sb.cert_pem(sha1),
    }
    run = sb.run_secrets(tmp_path, files)
    assert _issues(run) == {
        "/etc/ssl/selfsigned.crt": ["cert.self-signed"],
        "/etc/ssl/small.crt": ["cert.weak-key"],
        "/etc/ssl/sha1.crt": ["cert.weak-signature"],
    }
    (weak_signature,) = run.by_rule("cert.weak-signature")
    assert weak_signature.severity is Severity.MEDIUM
    (weak_key,) = run.by_rule("cert.weak-key")
    assert "1024-bit" in weak_key.message


def test_md5_signature_is_high(tmp_path: Path) -> None:
    issuer = ("Vendor CA", sb.rsa_key())
    cert = sb.legacy_signed(sb.certificate(sb.rsa_key(), issuer=issuer), issuer[1], hashes.MD5())
    run = sb.run_secrets(tmp_path, {"etc/ssl/md5.crt": sb.cert_pem(cert)})
    (finding,) = run.by_rule("cert.weak-signature")
    assert finding.severity is Severity.HIGH and "md5" in finding.message


def test_root_ca_in_a_bundle_is_not_self_signed_noise(tmp_path: Path) -> None:
    roots = b"".join(
        sb.cert_pem(sb.certificate(sb.rsa_key(), sb.CertSpec(subject=f"Root {i}", ca=True)))
        for i in range(3)
    )
    old_key = sb.rsa_key()
    spec = sb.CertSpec(
        subject="Old Root",
        ca=True,
        not_before=sb.NOW - timedelta(days=4000),
        not_after=sb.NOW - timedelta(days=1),
    )
    expired_root = sb.legacy_signed(sb.certificate(old_key, spec), old_key, hashes.SHA1())
    run = sb.run_secrets(
        tmp_path, {"etc/ssl/certs/ca-bundle.crt": roots + sb.cert_pem(expired_root)}
    )
    assert run.rules() == ["cert.expired"]  # a root's own SHA-1 signature is never relied upon
    assert run.findings[0].severity is Severity.LOW
    assert len(run.facts.certificates) == 4
    assert all(c.self_signed and c.is_ca for c in run.facts.certificates)


def test_ca_certificate_with_its_private_key_is_critical(tmp_path: Path) -> None:
    ca_key = sb.rsa_key()
    ca = sb.certificate(ca_key, sb.CertSpec(subject="Vendor Device CA", ca=True))
    other_ca = sb.certificate(sb.rsa_key(), sb.CertSpec(subject="Other CA", ca=True))
    files = {
        "etc/pki/ca.crt": sb.cert_pem(ca) + sb.cert_pem(other_ca),
        "etc/pki/private/ca.key": sb.pem(ca_key, PrivateFormat.TraditionalOpenSSL),
    }
    run = sb.run_secrets(tmp_path, files)
    (finding,) = run.by_rule("cert.ca-with-key")
    assert finding.severity is Severity.CRITICAL
    assert "Vendor Device CA" in finding.message
    assert [e.location.split(" › ")[-1] for e in finding.evidence] == [
        "/etc/pki/ca.crt",
        "/etc/pki/private/ca.key",
    ]
    (key,) = run.by_rule("secret.private-key")
    assert dict(key.properties)["certificate"] == "CN=Vendor Device CA"
    found = {c.subject: c.private_key_found for c in run.facts.certificates}
    assert found == {"CN=Vendor Device CA": True, "CN=Other CA": False}


def test_der_certificate_inside_a_binary(tmp_path: Path) -> None:
    cert = sb.certificate(sb.rsa_key(1024), issuer=("Vendor CA", sb.rsa_key()))
    elf = sb.tiny_elf(sb.cert_der(cert), offset=0x1800)
    run = sb.run_secrets(tmp_path, {"usr/bin/cloud-agent": elf})
    (finding,) = run.findings
    assert finding.rule == "cert.weak-key"
    assert finding.evidence[0].offset == 0x1800
    (fact,) = run.facts.certificates
    assert fact.subject == "CN=device.example" and fact.issuer == "CN=Vendor CA"


def test_corrupt_certificate_block_is_a_problem(tmp_path: Path) -> None:
    body = sb.base64.encodebytes(b"\x30\x82\x01\x00" + bytes(range(200)))
    block = b"-----BEGIN CERTIFICATE-----\n" + body + b"-----END CERTIFICATE-----\n"
    run = sb.run_secrets(tmp_path, {"etc/ssl/broken.crt": block})
    assert run.findings == ()
    assert [p[0].value for p in run.problems] == ["corrupt"]


def test_without_a_given_time_the_context_day_is_used(tmp_path: Path) -> None:
    spec = sb.CertSpec(not_before=sb.NOW - timedelta(days=10), not_after=sb.NOW + timedelta(days=1))
    cert = sb.cert_pem(sb.certificate(sb.rsa_key(), spec, ("Vendor CA", sb.rsa_key())))
    root = sb.make_tree(tmp_path / "tree", {"etc/ssl/web.crt": cert})
    unpacked = sb.Unpacker(sb.extractors(), sb.Limits(), tmp_path / "ws").unpack(root)
    index = sb.FileIndex(unpacked.artifacts, unpacked.disk)
    check = SecretsCheck()
    valid = check.run(index, CheckContext(today=sb.NOW.date()))
    expired = check.run(index, CheckContext(today=(sb.NOW + timedelta(days=2)).date()))
    assert valid.findings == ()
    assert [f.rule for f in expired.findings] == ["cert.expired"]
