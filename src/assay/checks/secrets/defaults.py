"""Known default passwords tried against the fast password hashes of a release, within a time
budget. Hashes are verified with libpass (the maintained fork of passlib, imported as `passlib`):
it implements DES, BSDi, MD5, APR1 and SHA-2 crypt and the LDAP schemes in pure Python, which
the standard library's `crypt` module (removed in Python 3.13) and hashlib alone do not."""

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

from passlib import hash as passlib_hash

from assay.checks.secrets.hashes import HashState, PasswordHash

PASSWORDS_FILE = "default-passwords.txt"
DEFAULT_BUDGET_SECONDS = 20.0
MAX_ROUNDS = 10_000

Verifier = Callable[[str, str], bool]


def _passlib(name: str) -> Verifier:
    handler = getattr(passlib_hash, name)

    def verify(secret: str, value: str) -> bool:
        return bool(handler.verify(secret, value))

    return verify


def _plaintext(secret: str, value: str) -> bool:
    return secret == value


def _hex(name: str) -> Verifier:
    handler = getattr(passlib_hash, name)

    def verify(secret: str, value: str) -> bool:
        return bool(handler.verify(secret, value.lower()))

    return verify


VERIFIERS: dict[str, Verifier] = {
    "des-crypt": _passlib("des_crypt"),
    "bsdi-crypt": _passlib("bsdi_crypt"),
    "md5-crypt": _passlib("md5_crypt"),
    "apr1-md5": _passlib("apr_md5_crypt"),
    "sha256-crypt": _passlib("sha256_crypt"),
    "sha512-crypt": _passlib("sha512_crypt"),
    "ldap-sha1": _passlib("ldap_sha1"),
    "ldap-salted-sha1": _passlib("ldap_salted_sha1"),
    "ldap-md5": _passlib("ldap_md5"),
    "ldap-salted-md5": _passlib("ldap_salted_md5"),
    "raw-md5": _hex("hex_md5"),
    "raw-sha1": _hex("hex_sha1"),
    "raw-sha256": _hex("hex_sha256"),
    "plaintext": _plaintext,
}


def load_passwords(text: str) -> tuple[str, ...]:
    """The passwords of a list file: one a line, `#` comments and blank lines skipped."""
    lines = (line.rstrip("\r") for line in text.split("\n"))
    seen = dict.fromkeys(line for line in lines if line and not line.startswith("#"))
    return tuple(seen)


@cache
def default_passwords() -> tuple[str, ...]:
    """The list shipped with assay (assay/data/default-passwords.txt)."""
    text = resources.files("assay.data").joinpath(PASSWORDS_FILE).read_text("utf-8")
    return load_passwords(text)


def _rounds(value: str) -> int:
    if "$rounds=" not in value:
        return 5000
    digits = value.split("$rounds=", 1)[1].split("$", 1)[0]
    return int(digits) if digits.isdigit() else MAX_ROUNDS + 1


@dataclass
class TrialStats:
    """How the trials went: hashes tried, hashes not tried because their scheme is slow (or
    unsupported), and hashes left untried when the time budget ran out."""

    tried: int = 0
    matched: int = 0
    slow: int = 0
    out_of_budget: int = 0
    seconds: float = 0.0


@dataclass
class DefaultPasswordTrier:
    """Tries the list (plus the empty password and the account's user name) against each hash,
    once per distinct hash value, until the budget is spent."""

    passwords: tuple[str, ...] = field(default_factory=default_passwords)
    budget_seconds: float = DEFAULT_BUDGET_SECONDS
    stats: TrialStats = field(default_factory=TrialStats)
    _results: dict[str, str | None] = field(default_factory=dict)

    def match(self, parsed: PasswordHash, user: str | None = None) -> str | None:
        """The default password the hash is of, or None (not found, not tried)."""
        if parsed.state not in (HashState.HASH, HashState.PLAINTEXT) or parsed.scheme is None:
            return None
        key = f"{user or ''}\0{parsed.value}"
        if key in self._results:
            return self._results[key]
        verify = VERIFIERS.get(parsed.scheme.name)
        found = None
        if verify is None or not parsed.scheme.fast or _rounds(parsed.value) > MAX_ROUNDS:
            self.stats.slow += 1
        elif self.stats.seconds >= self.budget_seconds:
            self.stats.out_of_budget += 1
        else:
            found = self._try(verify, parsed.value, self._candidates(user))
        self._results[key] = found
        return found

    def _candidates(self, user: str | None) -> Iterable[str]:
        yield ""
        if user:
            yield user
        yield from self.passwords

    def _try(self, verify: Verifier, value: str, candidates: Iterable[str]) -> str | None:
        started = time.monotonic()
        self.stats.tried += 1
        try:
            for candidate in candidates:
                try:
                    if verify(candidate, value):
                        self.stats.matched += 1
                        return candidate
                except (ValueError, TypeError):
                    return None  # a malformed hash of a known scheme
                if self.stats.seconds + time.monotonic() - started > self.budget_seconds:
                    self.stats.out_of_budget += 1
                    return None
            return None
        finally:
            self.stats.seconds += time.monotonic() - started
