"""Hard-coded credentials and tokens in scripts, configuration and binaries, with the rules that
keep placeholders out."""

from pathlib import Path

import pytest

from assay.checks.secrets.assignments import SecretKind, assignments, key_kind
from assay.model.finding import Severity
from tests.factories import secrets_build as sb

GITHUB = "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"
AWS = "AKIA" + "Q3ZV7XKM2PLD4WNB"
SLACK = "xoxb-" + "123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx"


def _found(run: sb.SecretsRun) -> list[tuple[str, str, int | None]]:
    return sorted(
        (f.rule, f.evidence[0].location.split(" › ")[-1], f.evidence[0].line) for f in run.findings
    )


def test_assignments_in_scripts_and_configs(tmp_path: Path) -> None:
    files = {
        "etc/init.d/S90cloud": (
            b'#!/bin/sh\nexport DB_PASSWORD="Sup3r-S3cret"\nrun --password=Xy9-pass\n'
        ),
        "etc/app/config.json": (
            b'{\n  "admin_password": "changeme",\n  "api_key": "k3yK3yK3yK3y9"\n}\n'
        ),
        "etc/app/service.xml": b"<cfg>\n<password>Wh4tever!</password>\n</cfg>\n",
        "etc/config/system": b"config login\n\toption password 'R0uter-Pass'\n",
        "etc/default/nvram": b"http_username=admin\nhttp_passwd=admin\n",
        "etc/quagga/zebra.conf": b"hostname r1\npassword zebra\n",
        "usr/lib/app/db.py": b'import os\nDB = connect(user="app", password="Py-Secret-1")\n',
    }
    run = sb.run_secrets(tmp_path, files)
    assert _found(run) == [
        ("credential.hardcoded", "/etc/app/config.json", 2),
        ("credential.hardcoded", "/etc/app/config.json", 3),
        ("credential.hardcoded", "/etc/app/service.xml", 2),
        ("credential.hardcoded", "/etc/config/system", 2),
        ("credential.hardcoded", "/etc/default/nvram", 2),
        ("credential.hardcoded", "/etc/init.d/S90cloud", 2),
        ("credential.hardcoded", "/etc/init.d/S90cloud", 3),
        ("credential.hardcoded", "/etc/quagga/zebra.conf", 2),
        ("credential.hardcoded", "/usr/lib/app/db.py", 2),
    ]
    defaults = {f.evidence[0].location.split(" › ")[-1] for f in run.findings
                if f.severity is Severity.HIGH}  # fmt: skip
    assert defaults == {"/etc/app/config.json", "/etc/default/nvram", "/etc/quagga/zebra.conf"}
    (nvram,) = run.at("/etc/default/nvram")
    assert nvram.evidence[0].offset == len(b"http_username=admin\nhttp_passwd=")


def test_placeholders_and_expressions_are_not_credentials(tmp_path: Path) -> None:
    script = (
        b"#!/bin/sh\n"
        b"PASSWORD=${PASSWORD}\n"
        b"password=$1\n"
        b'printf "password=%s\\n" "$pw"\n'
        b"# password=admin123\n"
        b"SECRET_KEY=\n"
        b"passwd: files systemd\n"
        b"password=xxxxxxxx\n"
        b"password=<your password>\n"
        b"API_TOKEN=your-token-here\n"
        b"password_file=/etc/app/pass\n"
        b"cat_passwd='getent passwd'\n"
        b"pw_cmd='cat /etc/passwd'\n"
    )
    perl = (
        b"#!/usr/bin/perl\n"
        b"my $passwd = &which('passwd');\n"
        b"my @passwd = getpwnam($name);\n"
        b"'disabled-password' => sub { $ask_passwd = 0 },\n"
    )
    code = b'password = get_password()\ntoken = os.environ["TOKEN"]\n/* password = "inside" */\n'
    xml = b"<!--\n  <password>example-only</password>\n-->\n"
    files = {
        "etc/init.d/S10x": script,
        "usr/lib/app/x.py": code,
        "etc/app/x.xml": xml,
        "usr/sbin/adduser": perl,
    }
    run = sb.run_secrets(tmp_path, files)
    assert run.findings == ()


def test_tokens_in_text_and_in_binaries(tmp_path: Path) -> None:
    env = f"GITHUB_TOKEN={GITHUB}\nAWS_ACCESS_KEY_ID={AWS}\nexample=AKIAIOSFODNN7EXAMPLE\n"
    elf = sb.tiny_elf(SLACK.encode() + b"\x00" + b"password=admin\x00", offset=0x3000)
    run = sb.run_secrets(tmp_path, {"etc/cloud.env": env.encode(), "usr/bin/notifier": elf})
    assert _found(run) == [
        ("token.aws-access-key", "/etc/cloud.env", 2),
        ("token.github", "/etc/cloud.env", 1),
        ("token.slack", "/usr/bin/notifier", None),
    ]
    (slack,) = run.by_rule("token.slack")
    assert slack.evidence[0].offset == 0x3000
    assert slack.evidence[0].matched == "xox…[redacted 53 chars]"


def test_url_credentials(tmp_path: Path) -> None:
    script = (
        b"#!/bin/sh\n"
        b"wget ftp://backup:Hunter2go@192.0.2.10/cfg.tgz\n"
        b"echo usage: ftp://user:password@host/path\n"
        b"curl https://$USER:$PASS@example.net/\n"
    )
    elf = sb.tiny_elf(b"http://%s:%s@%s/\x00rtsp://admin:cam3ra@127.0.0.1:554/\x00", 0x2000)
    run = sb.run_secrets(tmp_path, {"usr/bin/sync.sh": script, "usr/bin/camd": elf})
    assert _found(run) == [
        ("credential.url", "/usr/bin/camd", None),
        ("credential.url", "/usr/bin/sync.sh", 2),
    ]
    (binary,) = run.at("/usr/bin/camd")
    assert binary.evidence[0].matched == "rtsp://admin:c…[redacted]@127.0.0.1:554"


def test_snmp_communities(tmp_path: Path) -> None:
    conf = (
        b"rocommunity public default\n"
        b"rwcommunity private 10.0.0.0/8\n"
        b"com2sec local localhost n0t-default\n"
    )
    run = sb.run_secrets(tmp_path, {"etc/snmp/snmpd.conf": conf})
    found = sorted(
        (f.evidence[0].line, f.severity) for f in run.by_rule("credential.snmp-community")
    )
    assert found == [(1, Severity.MEDIUM), (2, Severity.HIGH), (3, Severity.LOW)]


def test_wifi_passphrases(tmp_path: Path) -> None:
    files = {
        "etc/hostapd.conf": b"interface=wlan0\nssid=Vendor\nwpa_passphrase=12345678\n",
        "etc/wpa_supplicant.conf": b'network={\n\tssid="lab"\n\tpsk="L4b-Wifi-Pass"\n}\n',
        "etc/config/wireless": (
            b"config wifi-iface\n\toption encryption 'psk2'\n\toption key 'Uc1-Wireless'\n"
        ),
    }
    run = sb.run_secrets(tmp_path, files)
    found = sorted(
        (f.evidence[0].location.split(" › ")[-1], f.severity)
        for f in run.by_rule("credential.wifi-psk")
    )
    assert found == [
        ("/etc/config/wireless", Severity.MEDIUM),
        ("/etc/hostapd.conf", Severity.HIGH),
        ("/etc/wpa_supplicant.conf", Severity.MEDIUM),
    ]
    assert len(run.findings) == 3


@pytest.mark.parametrize(
    ("key", "kind"),
    [
        ("password", SecretKind.PASSWORD),
        ("MYSQL_ROOT_PASSWORD", SecretKind.PASSWORD),
        ("adminPassword", SecretKind.PASSWORD),
        ("http_passwd", SecretKind.PASSWORD),
        ("client_secret", SecretKind.SECRET),
        ("aws_secret_access_key", SecretKind.SECRET),
        ("wl0_wpa_psk", SecretKind.WIFI),
        ("snmp_community", SecretKind.SNMP),
        ("password_file", None),
        ("bypass", None),
        ("PWD", None),
        ("Key_Community", None),
    ],
)
def test_key_names(key: str, kind: SecretKind | None) -> None:
    assert key_kind(key) == kind


def test_one_line_can_hold_several_credentials() -> None:
    found = assignments('login(user="root", password="Pa55-word", token="T0ken-T0ken")', code=True)
    assert [(a.key, a.value) for a in found] == [
        ("password", "Pa55-word"),
        ("token", "T0ken-T0ken"),
    ]


def test_documentation_is_prose_and_libraries_are_context(tmp_path: Path) -> None:
    files = {
        "usr/share/man/man1/curl.1": b".TP\ncurl --pass secret123 --key file https://example.com\n",
        "usr/share/doc/app/README": b"password: Admin-Pass-1\n",
        "opt/app/README.md": b"secret = W7Rx-4Tq-PLz\n",
        "usr/lib/python3.11/site-packages/lib/client.py": b'connect(password="Lib-Default-9")\n',
    }
    run = sb.run_secrets(tmp_path, files)
    (library,) = run.findings
    assert library.severity is Severity.INFO
    assert dict(library.properties)["context"] == "library-source"


def test_dummy_hashes_are_not_password_hashes(tmp_path: Path) -> None:
    elf = sb.tiny_elf(b"$2a$10$" + b"x" * 22 + b"gJIcn3NTv5BaQRpYaUP3e5Fq8ZxJeAB\x00", 0x1000)
    run = sb.run_secrets(tmp_path, {"usr/sbin/sshd": elf})
    assert run.findings == ()
