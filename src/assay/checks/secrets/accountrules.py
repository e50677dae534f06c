"""Rules over password files: empty passwords (worst for root), weak hash schemes, hashes left in
world-readable passwd, clear-text passwords, and known default passwords found by trial."""

import posixpath
from collections.abc import Iterator
from dataclasses import dataclass

from assay.checks.secrets.defaults import DefaultPasswordTrier
from assay.checks.secrets.findings import FindingSink, evidence, release_path
from assay.checks.secrets.hashes import HashState, PasswordHash, classify
from assay.checks.secrets.passwords import Account, PasswordFile, parse, password_file, with_logins
from assay.checks.secrets.redact import Redactor
from assay.inventory.index import FileIndex
from assay.model.artifact import Artifact, FileKind
from assay.model.finding import Severity
from assay.model.secrets import AccountFact, SecretLocation

MAX_PASSWORD_FILE = 4 * 1024 * 1024
WEB_FILES = (PasswordFile.HTPASSWD, PasswordFile.HTTPD_CONF)


def password_files(index: FileIndex) -> Iterator[tuple[Artifact, PasswordFile]]:
    """Every copy of every password file in the release (by name; text files only)."""
    for artifact in index.artifacts:
        if artifact.kind not in (FileKind.TEXT, FileKind.KEY_OR_CERT, FileKind.SCRIPT):
            continue
        kind = password_file(artifact.path)
        if kind is not None:
            yield artifact, kind


def _severity(account: Account, kind: PasswordFile) -> Severity:
    """How bad a guessable login is: root worst, then web users and accounts with a shell."""
    if account.privileged and kind not in WEB_FILES:
        return Severity.CRITICAL
    if kind in WEB_FILES or account.can_log_in:
        return Severity.HIGH
    return Severity.MEDIUM


@dataclass
class AccountRules:
    """Applies the password rules to each account of each password file."""

    index: FileIndex
    sink: FindingSink
    redactor: Redactor
    trier: DefaultPasswordTrier

    def run(self) -> tuple[AccountFact, ...]:
        """Findings for every password file; the accounts as facts."""
        facts: list[AccountFact] = []
        for artifact, kind in password_files(self.index):
            text = self.index.read_text(artifact, MAX_PASSWORD_FILE)
            accounts = parse(kind, text)
            if kind is PasswordFile.SHADOW:
                accounts = with_logins(accounts, self._passwd_beside(artifact))
            for account in accounts:
                facts.append(self._account(artifact, kind, account))
        return tuple(facts)

    def _passwd_beside(self, shadow: Artifact) -> list[Account]:
        path = posixpath.join(posixpath.dirname(shadow.path), "passwd")
        passwd = self.index.siblings(shadow, path)
        if passwd is None or not passwd.sha256:
            return []
        return parse(PasswordFile.PASSWD, self.index.read_text(passwd, MAX_PASSWORD_FILE))

    def _account(self, artifact: Artifact, kind: PasswordFile, account: Account) -> AccountFact:
        parsed = classify(account.value, plaintext_possible=kind in WEB_FILES)
        default = self.trier.match(parsed, account.user)
        if parsed.state is HashState.EMPTY or default == "":
            self._add(artifact, kind, account, parsed, "password.empty")
        elif default is not None:
            self._add(artifact, kind, account, parsed, "password.default", default)
        elif parsed.state is HashState.PLAINTEXT:
            self._add(artifact, kind, account, parsed, "password.plaintext")
        if parsed.state is HashState.HASH and parsed.scheme and parsed.scheme.weak is not None:
            self._add(artifact, kind, account, parsed, "password.weak-hash")
        if parsed.state is HashState.HASH and kind is PasswordFile.PASSWD:
            self._add(artifact, kind, account, parsed, "password.hash-in-passwd")
        location = SecretLocation(
            artifact.id, artifact.location, artifact.path, account.offset, account.line
        )
        scheme = parsed.scheme.name if parsed.scheme else None
        matched = default is not None
        return AccountFact(location, account.user, kind.value, parsed.state.value, scheme, matched)

    def _shown(self, account: Account, parsed: PasswordHash, default: str | None) -> str:
        if parsed.state is HashState.EMPTY:
            shown = ""
        elif parsed.state is HashState.PLAINTEXT:
            shown = self.redactor.value(account.value)
        else:
            shown = self.redactor.crypt_hash(parsed.shown, account.value)
        tried = f" = {self.redactor.value(default)}" if default else ""
        return f"{account.user}:{shown}{tried}"

    def _add(
        self,
        artifact: Artifact,
        kind: PasswordFile,
        account: Account,
        parsed: PasswordHash,
        rule: str,
        default: str | None = None,
    ) -> None:
        scheme = parsed.scheme.name if parsed.scheme else "none"
        who = f"account '{account.user}'" + (" (uid 0)" if account.privileged else "")
        severity, title, message = {
            "password.empty": (
                _severity(account, kind),
                "Account without a password",
                f"{who} in {artifact.path} has an empty password",
            ),
            "password.default": (
                _severity(account, kind),
                "Account with a known default password",
                f"{who} in {artifact.path} has a password from the default-password list",
            ),
            "password.plaintext": (
                Severity.HIGH,
                "Password stored in clear text",
                f"{who} in {artifact.path} has its password in clear text",
            ),
            "password.weak-hash": (
                parsed.scheme.weak if parsed.scheme and parsed.scheme.weak else Severity.MEDIUM,
                "Password hashed with a weak scheme",
                f"{who} in {artifact.path} uses {scheme}, which is fast to crack",
            ),
            "password.hash-in-passwd": (
                Severity.MEDIUM,
                "Password hash in world-readable passwd",
                f"{who} has its {scheme} hash in {artifact.path}, which every user can read",
            ),
        }[rule]
        proof = evidence(
            artifact, account.offset, account.line, self._shown(account, parsed, default)
        )
        properties = (("user", account.user), ("scheme", scheme), ("file", kind.value))
        about = (release_path(artifact), account.user)
        self.sink.add(rule, severity, title, message, about, (proof,), properties)
