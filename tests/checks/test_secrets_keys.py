"""Private keys in every format the secrets check reads, located by offset and fingerprinted so
the same key is recognised wherever and however it is stored."""

from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PrivateFormat, PublicFormat

from assay.model.finding import Finding, Severity
from assay.model.problem import ProblemKind
from tests.factories import secrets_build as sb


def _property(finding: Finding, name: str) -> Any:
    return dict(finding.properties)[name]


def test_pem_pkcs1_and_pkcs8_keys_are_found_at_their_offsets(tmp_path: Path) -> None:
    rsa_key = sb.rsa_key()
    ec_key = ec.generate_private_key(ec.SECP384R1())
    preamble = b"# vendor bundle\n"
    files = {
        "etc/ssl/private/server.key": sb.pem(rsa_key, PrivateFormat.TraditionalOpenSSL),
        "etc/ssl/private/ec.pem": preamble + sb.pem(ec_key, PrivateFormat.PKCS8),
    }
    run = sb.run_secrets(tmp_path, files)
    (rsa_finding,) = run.at("/etc/ssl/private/server.key")
    (ec_finding,) = run.at("/etc/ssl/private/ec.pem")
    assert rsa_finding.rule == ec_finding.rule == "secret.private-key"
    assert rsa_finding.severity is Severity.HIGH
    assert rsa_finding.evidence[0].offset == 0
    assert ec_finding.evidence[0].offset == len(preamble)
    assert _property(rsa_finding, "fingerprint") == sb.spki_fingerprint(rsa_key)
    assert _property(ec_finding, "fingerprint") == sb.spki_fingerprint(ec_key)
    assert (_property(rsa_finding, "algorithm"), _property(rsa_finding, "bits")) == ("rsa", 2048)
    assert _property(ec_finding, "algorithm") == "ec-secp384r1"
    assert rsa_finding.evidence[0].matched.startswith("-----BEGIN RSA PRIVATE KEY----- …[redacted")


def test_ssh_host_keys_in_openssh_and_dropbear_formats(tmp_path: Path) -> None:
    ed_key, openssh = sb.openssh_ed25519()
    ec_key = ec.generate_private_key(ec.SECP256R1())
    files = {
        "etc/ssh/ssh_host_ed25519_key": openssh,
        "etc/dropbear/dropbear_rsa_host_key": sb.dropbear_rsa(sb.SHARED_RSA),
        "etc/dropbear/dropbear_ecdsa_host_key": sb.dropbear_ecdsa(ec_key),
    }
    run = sb.run_secrets(tmp_path, files)
    assert run.rules() == ["secret.ssh-host-key"] * 3
    fingerprints = {f.evidence[0].location.split(" › ")[-1]: _property(f, "fingerprint")
                    for f in run.findings}  # fmt: skip
    public = ed_key.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    assert (
        fingerprints["/etc/ssh/ssh_host_ed25519_key"]
        == "spki-sha256:" + sb.hashlib.sha256(public).hexdigest()
    )
    assert fingerprints["/etc/dropbear/dropbear_rsa_host_key"] == sb.spki_fingerprint(sb.SHARED_RSA)
    assert fingerprints["/etc/dropbear/dropbear_ecdsa_host_key"] == sb.spki_fingerprint(ec_key)
    assert {_property(f, "format") for f in run.findings} == {"openssh", "dropbear"}
    assert all(_property(f, "ssh_fingerprint").startswith("SHA256:") for f in run.findings)


def test_same_key_as_dropbear_and_openssh_host_key_is_one_shared_host_key(tmp_path: Path) -> None:
    files = {
        "etc/dropbear/dropbear_rsa_host_key": sb.dropbear_rsa(sb.SHARED_RSA),
        "etc/ssh/ssh_host_rsa_key": sb.pem(sb.SHARED_RSA, PrivateFormat.OpenSSH),
        "opt/app/tls.key": sb.pem(sb.rsa_key(), PrivateFormat.PKCS8),
    }
    run = sb.run_secrets(tmp_path, files)
    (duplicate,) = run.by_rule("secret.private-key.duplicate")
    assert duplicate.severity is Severity.HIGH  # one host key for two SSH servers
    assert _property(duplicate, "fingerprint") == sb.spki_fingerprint(sb.SHARED_RSA)
    assert sorted(e.location.split(" › ")[-1] for e in duplicate.evidence) == [
        "/etc/dropbear/dropbear_rsa_host_key",
        "/etc/ssh/ssh_host_rsa_key",
    ]
    (fact,) = [k for k in run.facts.keys if k.fingerprint == sb.spki_fingerprint(sb.SHARED_RSA)]
    assert fact.formats == ("dropbear", "openssh") and fact.host_key
    assert len(fact.locations) == 2


def test_same_key_twice_outside_host_keys_is_a_medium_duplicate(tmp_path: Path) -> None:
    key = sb.pem(sb.rsa_key(), PrivateFormat.PKCS8)
    run = sb.run_secrets(tmp_path, {"opt/a/key.pem": key, "opt/b/key.pem": key})
    (duplicate,) = run.by_rule("secret.private-key.duplicate")
    assert duplicate.severity is Severity.MEDIUM
    assert len(run.by_rule("secret.private-key")) == 2  # each copy is its own finding


def test_encrypted_keys_are_reported_as_encrypted(tmp_path: Path) -> None:
    ed_key, _ = sb.openssh_ed25519()
    files = {
        "root/.ssh/id_ed25519": sb.openssh_encrypted(ed_key),
        "etc/ssl/private/enc.pem": sb.encrypted_pkcs8(sb.rsa_key()),
        "home/op/key.ppk": sb.putty_file(sb.rsa_key(), encryption="aes256-cbc"),
    }
    run = sb.run_secrets(tmp_path, files)
    assert run.rules() == ["secret.private-key"] * 3
    assert all(f.severity is Severity.MEDIUM for f in run.findings)
    assert all(_property(f, "encrypted") is True for f in run.findings)
    (openssh,) = run.at("/root/.ssh/id_ed25519")
    public = ed_key.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    assert _property(openssh, "fingerprint").endswith(sb.hashlib.sha256(public).hexdigest())
    (pkcs8,) = run.at("/etc/ssl/private/enc.pem")
    assert _property(pkcs8, "fingerprint").startswith("blob-sha256:")


def test_putty_key_is_confirmed_by_its_public_key(tmp_path: Path) -> None:
    key = sb.rsa_key(1024)
    run = sb.run_secrets(tmp_path, {"home/op/admin.ppk": b"\n" + sb.putty_file(key)})
    (finding,) = run.findings
    assert _property(finding, "format") == "putty"
    assert _property(finding, "fingerprint") == sb.spki_fingerprint(key)
    assert finding.evidence[0].offset == 1


def test_der_key_embedded_in_an_elf_at_a_known_offset(tmp_path: Path) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    elf = sb.tiny_elf(sb.der_pkcs8(key), offset=0x2345)
    run = sb.run_secrets(tmp_path, {"usr/sbin/mgmtd": elf})
    (finding,) = run.findings
    assert finding.rule == "secret.private-key"
    assert finding.evidence[0].offset == 0x2345
    assert _property(finding, "fingerprint") == sb.spki_fingerprint(key)
    assert _property(finding, "format") == "der-pkcs8"


def test_pem_key_in_a_c_string_with_escaped_newlines(tmp_path: Path) -> None:
    key = sb.rsa_key()
    lines = sb.pem(key, PrivateFormat.TraditionalOpenSSL).decode().splitlines()
    source = "static const char *key =\n" + "\n".join(f'    "{line}\\n"' for line in lines) + ";\n"
    run = sb.run_secrets(tmp_path, {"src/keys.c": source.encode()})
    (finding,) = run.findings
    assert _property(finding, "fingerprint") == sb.spki_fingerprint(key)
    assert finding.evidence[0].offset == source.index("-----BEGIN")


def test_pkcs12_opened_with_a_default_password(tmp_path: Path) -> None:
    key = sb.rsa_key()
    bundle = sb.pkcs12_file(key, sb.certificate(key), b"changeit")
    run = sb.run_secrets(tmp_path, {"etc/ssl/device.p12": bundle})
    (finding,) = run.by_rule("secret.private-key")
    assert "default password" in finding.message
    assert _property(finding, "fingerprint") == sb.spki_fingerprint(key)
    assert "changeit" not in run.serialized()
    assert run.by_rule("cert.self-signed")  # the bundle's certificate is read too


def test_public_keys_certificates_and_marker_strings_are_not_private_keys(tmp_path: Path) -> None:
    key = sb.rsa_key()
    public_pem = key.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
    ssh_public = key.public_key().public_bytes(Encoding.OpenSSH, PublicFormat.OpenSSH)
    markers = b"-----BEGIN RSA PRIVATE KEY-----\x00-----END RSA PRIVATE KEY-----\x00"
    files = {
        "etc/ssl/public.pem": public_pem,
        "root/.ssh/authorized_keys": ssh_public + b" admin@vendor\n",
        "etc/ssl/certs/device.crt": sb.cert_pem(sb.certificate(key, sb.CertSpec(ca=True))),
        "usr/lib/libtls.so": sb.tiny_elf(markers, offset=0x400),
    }
    run = sb.run_secrets(tmp_path, files)
    assert not [f for f in run.findings if f.rule.startswith("secret.")]
    assert run.problems == []
    assert run.facts.keys == ()


def test_corrupt_and_truncated_pem_blocks_are_problems_not_crashes(tmp_path: Path) -> None:
    garbage = sb.base64.encodebytes(bytes(range(256)) * 4)
    corrupt = b"-----BEGIN RSA PRIVATE KEY-----\n" + garbage + b"-----END RSA PRIVATE KEY-----\n"
    truncated = sb.pem(sb.rsa_key(), PrivateFormat.PKCS8)[:400]
    run = sb.run_secrets(tmp_path, {"etc/bad.key": corrupt, "etc/cut.key": truncated})
    assert run.findings == ()
    problems = sorted((kind, location.split(" › ")[-1]) for kind, _, _, location in run.problems)
    assert problems == [
        (ProblemKind.CORRUPT, "/etc/bad.key"),
        (ProblemKind.CORRUPT, "/etc/cut.key"),
    ]


def test_key_facts_count_keys_and_carry_fingerprints(tmp_path: Path) -> None:
    key = sb.rsa_key()
    files = {
        "etc/ssh/ssh_host_rsa_key": sb.pem(key, PrivateFormat.OpenSSH),
        "etc/ssl/private/a.key": sb.pem(sb.rsa_key(), PrivateFormat.PKCS8),
    }
    run = sb.run_secrets(tmp_path, files)
    assert dict(run.facts.counts)["ssh-host-key"] == 1
    assert dict(run.facts.counts)["private-key"] == 1
    assert sb.spki_fingerprint(key) in {k.fingerprint for k in run.facts.keys}
    assert run.facts.files_scanned == 2


def test_key_in_a_blob_and_in_the_file_unpacked_from_it_is_one_key(tmp_path: Path) -> None:
    key = sb.pem(sb.rsa_key(), PrivateFormat.PKCS8)
    tar = sb.tar_of("etc/ssl/private/device.key", key)
    blob = bytes((i * 31 + 7) % 251 for i in range(0x10000)) + tar + bytes(4096)
    run = sb.run_secrets(tmp_path, {"firmware/flash.bin": blob})
    (finding,) = run.findings
    assert finding.rule == "secret.private-key"
    assert finding.evidence[0].location.endswith("tar@0x10000 › /etc/ssl/private/device.key")


def test_self_test_keys_inside_crypto_libraries_are_context_not_secrets(tmp_path: Path) -> None:
    key = sb.pem(sb.rsa_key(), PrivateFormat.TraditionalOpenSSL)
    blob = b"\x7fELF selftest vectors\x00" + key + b"\x00"
    files = {"usr/lib/libgnutls.so.30.34.3": blob, "usr/sbin/vendord": blob}
    run = sb.run_secrets(tmp_path, files)
    (library,) = [
        f for f in run.at("/usr/lib/libgnutls.so.30.34.3") if f.rule == "secret.private-key"
    ]
    assert library.severity is Severity.INFO
    assert _property(library, "context") == "crypto-library-self-test"
    vendor = [f for f in run.at("/usr/sbin/vendord") if f.rule == "secret.private-key"]
    assert [f.severity for f in vendor] == [Severity.HIGH]
