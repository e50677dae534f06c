"""Password files and hashes: empty passwords, weak schemes, hashes in passwd, clear text, and
default passwords found by trial within a time budget."""

from pathlib import Path

import pytest
from passlib import hash as passlib_hash

from assay.checks.secrets.defaults import DefaultPasswordTrier, load_passwords
from assay.checks.secrets.hashes import HashState, classify
from assay.model.finding import Severity
from tests.factories import secrets_build as sb

PASSWD = (
    b"root:x:0:0:root:/root:/bin/sh\n"
    b"daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
    b"admin:x:1000:1000::/home/admin:/bin/sh\n"
    b"support:x:1001:1001::/home/support:/bin/sh\n"
    b"ops:x:1002:1002::/home/ops:/bin/ash\n"
    b"legacy:x:1003:1003::/:/bin/sh\n"
    b"svc:x:1004:1004::/:/bin/false\n"
)


def _shadow(*entries: tuple[str, str]) -> bytes:
    return ("\n".join(sb.shadow_line(user, value) for user, value in entries) + "\n").encode()


def _found(run: sb.SecretsRun) -> set[tuple[str, str, Severity]]:
    return {(f.rule, str(dict(f.properties)["user"]), f.severity) for f in run.findings}


def test_shadow_rules(tmp_path: Path) -> None:
    shadow = _shadow(
        ("root", sb.md5_crypt("admin")),
        ("daemon", "*"),
        ("admin", sb.sha512_crypt("changeme")),
        ("support", sb.sha512_crypt("support")),
        ("ops", sb.sha512_crypt("Tr1cky-and-long!")),
        ("legacy", sb.des_crypt("q8Zr!x")),
        ("svc", ""),
    )
    run = sb.run_secrets(tmp_path, {"etc/passwd": PASSWD, "etc/shadow": shadow})
    assert _found(run) == {
        ("password.default", "root", Severity.CRITICAL),
        ("password.weak-hash", "root", Severity.MEDIUM),
        ("password.default", "admin", Severity.HIGH),
        ("password.default", "support", Severity.HIGH),  # the user name as password
        ("password.weak-hash", "legacy", Severity.HIGH),
        ("password.empty", "svc", Severity.MEDIUM),  # its shell refuses logins
    }
    (root_default,) = [f for f in run.by_rule("password.default") if "'root'" in f.message]
    evidence = root_default.evidence[0]
    assert evidence.line == 1 and evidence.offset == len("root:")
    assert evidence.matched == "root:$1$saltsalt$…[redacted] = a…[redacted]"
    states = {a.user: (a.state, a.scheme, a.default_password) for a in run.facts.accounts
              if a.source == "shadow"}  # fmt: skip
    assert states["daemon"] == ("locked", None, False)
    assert states["ops"] == ("hash", "sha512-crypt", False)
    assert run.facts.trials.matched == 3


def test_empty_root_password_is_critical_in_passwd_and_shadow(tmp_path: Path) -> None:
    files = {
        "etc/passwd": b"root::0:0:root:/root:/bin/sh\nuser:x:1000:1000::/home/user:/bin/sh\n",
        "etc/shadow": _shadow(("root", "!"), ("user", "")),
    }
    run = sb.run_secrets(tmp_path, files)
    assert _found(run) == {
        ("password.empty", "root", Severity.CRITICAL),
        ("password.empty", "user", Severity.HIGH),
    }


def test_hash_in_world_readable_passwd(tmp_path: Path) -> None:
    passwd = f"root:{sb.des_crypt('root')}:0:0:root:/root:/bin/sh\n".encode()
    run = sb.run_secrets(tmp_path, {"etc/passwd": passwd})
    assert {f.rule for f in run.findings} == {
        "password.default",
        "password.weak-hash",
        "password.hash-in-passwd",
    }


def test_htpasswd_and_busybox_httpd_conf(tmp_path: Path) -> None:
    htpasswd = f"admin:{passlib_hash.apr_md5_crypt.hash('password')}\nviewer:S3cure-Viewer\n"
    files = {
        "www/.htpasswd": htpasswd.encode(),
        "etc/httpd.conf": b"A:*\n/cgi-bin:admin:1234\nH:/www\n",
    }
    run = sb.run_secrets(tmp_path, files)
    assert _found(run) == {
        ("password.default", "admin", Severity.HIGH),
        ("password.weak-hash", "admin", Severity.MEDIUM),
        ("password.plaintext", "viewer", Severity.HIGH),
    }
    assert "S3cure-Viewer" not in run.serialized()
    assert "1234" not in {f.evidence[0].matched for f in run.findings}


def test_hash_in_a_config_file_is_tried_too(tmp_path: Path) -> None:
    config = f"config login\n\toption password '{sb.md5_crypt('admin', 'xyzxyz')}'\n"
    strong = f'admin_hash = "{sb.sha512_crypt("n0t-in-any-list")}"\n'
    run = sb.run_secrets(
        tmp_path, {"etc/config/rpcd": config.encode(), "etc/app.ini": strong.encode()}
    )
    assert sorted((f.rule, f.severity) for f in run.findings) == [
        ("password.default", Severity.HIGH),
        ("password.hardcoded-hash", Severity.LOW),
    ]
    (default,) = run.by_rule("password.default")
    assert default.evidence[0].line == 2
    assert default.evidence[0].matched == "$1$xyzxyz$…[redacted] = a…[redacted]"


def test_slow_schemes_are_not_tried_and_the_budget_is_kept(tmp_path: Path) -> None:
    shadow = _shadow(
        ("root", "$y$j9T$abcdefghijklmnop$" + "A" * 43),
        ("admin", sb.md5_crypt("admin")),
    )
    files = {"etc/passwd": PASSWD, "etc/shadow": shadow}
    run = sb.run_secrets(tmp_path, files, password_budget_seconds=0.0)
    assert not run.by_rule("password.default")
    trials = run.facts.trials
    assert (trials.slow, trials.out_of_budget, trials.tried) == (1, 1, 0)


def test_trier_tries_the_list_the_empty_password_and_the_user_name() -> None:
    trier = DefaultPasswordTrier(passwords=("letmein",))
    assert trier.match(classify(sb.sha512_crypt("letmein"))) == "letmein"
    assert trier.match(classify(sb.md5_crypt(""))) == ""
    assert trier.match(classify(sb.des_crypt("operator")), user="operator") == "operator"
    assert trier.match(classify(sb.md5_crypt("other"))) is None
    assert trier.stats.tried == 4 and trier.stats.matched == 3


@pytest.mark.parametrize(
    ("value", "scheme", "shown"),
    [
        ("$1$salt$" + "a" * 22, "md5-crypt", "$1$salt$"),
        ("$6$rounds=9000$salt$" + "a" * 86, "sha512-crypt", "$6$rounds=9000$salt$"),
        ("$2b$10$" + "a" * 53, "bcrypt", "$2b$10$" + "a" * 22),
        ("$y$j9T$salt$" + "a" * 43, "yescrypt", "$y$j9T$salt$"),
        ("abJnggxhB/yWI", "des-crypt", "ab"),
        ("{SHA}0DPiKuNIrrVmD8IUCuw1hQxNqZc=", "ldap-sha1", "{SHA}"),
    ],
)
def test_hash_schemes_and_what_may_be_shown(value: str, scheme: str, shown: str) -> None:
    parsed = classify(value)
    assert parsed.state is HashState.HASH
    assert parsed.scheme is not None and parsed.scheme.name == scheme
    assert parsed.shown == shown


def test_locked_empty_and_unknown_fields() -> None:
    assert classify("").state is HashState.EMPTY
    assert classify("!$6$salt$" + "a" * 86).state is HashState.LOCKED
    assert classify("*").state is HashState.LOCKED
    assert classify("not-a-hash").state is HashState.UNKNOWN
    assert classify("not-a-hash", plaintext_possible=True).state is HashState.PLAINTEXT


def test_shipped_password_list_loads() -> None:
    text = (Path(__file__).parents[2] / "src/assay/data/default-passwords.txt").read_text()
    passwords = load_passwords(text)
    assert {"admin", "changeme", "xc3511", "ubnt"} <= set(passwords)
    assert "" not in passwords and not any(p.startswith("#") for p in passwords)
