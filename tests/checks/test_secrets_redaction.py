"""No secret reaches a finding, a fact or a problem unless the caller asks for it; the JSON
facts are deterministic; patterns data is validated."""

import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.serialization import PrivateFormat

from assay.checks.secrets.patterns import PatternsError, load_patterns
from assay.checks.secrets.redact import Redactor
from assay.model.finding import Severity
from assay.plugins import checks
from assay.report.secrets_json import facts_to_json
from tests.factories import secrets_build as sb

PASSWORDS = ("Sup3r-S3cret", "Hunter2go", "R0uter-Pass", "12345678", "changeme")
TOKEN = "ghp_" + "Z9y8X7w6V5u4T3s2R1q0P9o8N7m6L5k4J3i2"


def _release(tmp_path: Path, unredacted: bool = False) -> tuple[sb.SecretsRun, list[str]]:
    key_pem = sb.pem(sb.rsa_key(), PrivateFormat.TraditionalOpenSSL)
    _, openssh = sb.openssh_ed25519()
    shadow = sb.shadow_line("root", sb.md5_crypt("admin", "s4ltys4l")) + "\n"
    files = {
        "etc/ssl/private/server.key": key_pem,
        "etc/ssh/ssh_host_ed25519_key": openssh,
        "etc/dropbear/dropbear_rsa_host_key": sb.dropbear_rsa(sb.SHARED_RSA),
        "etc/shadow": shadow.encode(),
        "etc/init.d/S90cloud": (
            f'#!/bin/sh\nexport DB_PASSWORD="{PASSWORDS[0]}"\n'
            f"wget ftp://backup:{PASSWORDS[1]}@192.0.2.1/x\nTOKEN={TOKEN}\n"
        ).encode(),
        "etc/config/system": f"config login\n\toption password '{PASSWORDS[2]}'\n".encode(),
        "etc/hostapd.conf": f"wpa_passphrase={PASSWORDS[3]}\n".encode(),
        "etc/app.json": f'{{"admin_password": "{PASSWORDS[4]}"}}\n'.encode(),
        "usr/bin/agent": sb.tiny_elf(sb.der_pkcs8(sb.rsa_key()), offset=0x800),
    }
    run = sb.run_secrets(tmp_path, files, unredacted=unredacted)
    body_lines = [line for line in key_pem.decode().splitlines() if "-----" not in line]
    digest = sb.md5_crypt("admin", "s4ltys4l").split("$")[-1]
    openssh_body = openssh.decode().splitlines()[2]
    secrets = [*PASSWORDS, TOKEN, digest, *body_lines, openssh_body]
    return run, secrets


def test_no_secret_appears_in_any_finding_fact_or_problem(tmp_path: Path) -> None:
    run, secrets = _release(tmp_path)
    assert len(run.findings) >= 12
    text = run.serialized()
    leaked = [s for s in secrets if s in text]
    assert leaked == []
    assert "[redacted" in text
    assert "admin" not in " ".join(
        str(f.evidence[0].matched) for f in run.by_rule("password.default")
    )


def test_unredacted_shows_the_values(tmp_path: Path) -> None:
    run, secrets = _release(tmp_path, unredacted=True)
    text = run.serialized()
    assert [s for s in secrets if s not in text] == []
    (default,) = run.by_rule("password.default")
    assert default.evidence[0].matched.endswith(" = admin")


def test_facts_json_is_deterministic_and_holds_fingerprints(tmp_path: Path) -> None:
    first, _ = _release(tmp_path / "a")
    document = facts_to_json(first.facts)
    assert json.loads(json.dumps(document)) == document
    assert facts_to_json(first.facts) == document
    fingerprints = [k["fingerprint"] for k in document["keys"]]
    assert fingerprints == sorted(fingerprints)
    assert sb.spki_fingerprint(sb.SHARED_RSA) in fingerprints
    assert document["counts"]["ssh-host-key"] == 2
    assert document["password_trials"]["matched"] == 1


def test_findings_have_stable_ids_across_runs(tmp_path: Path) -> None:
    files = {"etc/init.d/S1": b'#!/bin/sh\nPASSWORD="Sup3r-S3cret"\n'}
    first = sb.run_secrets(tmp_path / "a", files)
    second = sb.run_secrets(tmp_path / "b", files)
    assert [f.id for f in first.findings] == [f.id for f in second.findings]
    assert len(first.findings) == 1


def test_secrets_under_test_or_example_folders_are_info(tmp_path: Path) -> None:
    key = sb.pem(sb.rsa_key(), PrivateFormat.PKCS8)
    run = sb.run_secrets(tmp_path, {"usr/share/doc/app/examples/server.key": key})
    (finding,) = run.findings
    assert finding.severity is Severity.INFO
    assert dict(finding.properties)["context"] == "test-or-example"


def test_redactor_shapes() -> None:
    redactor = Redactor()
    assert redactor.value("password") == "pa…[redacted]"
    assert redactor.value("1234") == "1…[redacted]"
    assert redactor.value("abc") == "…[redacted]"
    assert redactor.token(TOKEN, "gh") == "gh…[redacted 38 chars]"
    assert redactor.crypt_hash("$6$salt$", "$6$salt$digest") == "$6$salt$…[redacted]"
    line = redactor.line(
        'user="root" password="hunter22" token="abcdefgh"', [(22, 30), (39, 47)], 22
    )
    assert "hunter22" not in line and "abcdefgh" not in line and 'user="root"' in line
    assert Redactor(unredacted=True).value("hunter22") == "hunter22"
    shown = redactor.block("-----BEGIN RSA PRIVATE KEY-----", b"x" * 1675)
    assert shown.startswith("-----BEGIN RSA PRIVATE KEY----- …[redacted 1675 bytes, sha256:")


def test_patterns_file_is_validated() -> None:
    with pytest.raises(PatternsError, match="unknown family"):
        load_patterns("patterns:\n  - {id: a, family: nope, regex: x}\n")
    with pytest.raises(PatternsError, match="unique"):
        load_patterns(
            "patterns:\n  - {id: a, family: pem, regex: x}\n  - {id: a, family: pem, regex: y}\n"
        )
    with pytest.raises(PatternsError, match="kind"):
        load_patterns("patterns:\n  - {id: t, family: token, regex: x}\n")


def test_the_check_is_registered() -> None:
    assert "secrets" in {check.name for check in checks()}
