"""Password files: shadow(5), passwd(5) (a hash in the password field), htpasswd, and BusyBox
httpd.conf `/path:user:password` lines. Each entry keeps its line and byte offset."""

import fnmatch
import posixpath
from dataclasses import dataclass
from enum import StrEnum

NOLOGIN_SHELLS = ("nologin", "false", "/bin/sync", "/dev/null")


class PasswordFile(StrEnum):
    """The format of a password file."""

    SHADOW = "shadow"
    PASSWD = "passwd"
    HTPASSWD = "htpasswd"
    HTTPD_CONF = "httpd-conf"


NAMES: tuple[tuple[str, PasswordFile], ...] = (
    ("shadow", PasswordFile.SHADOW),
    ("shadow-", PasswordFile.SHADOW),
    ("shadow.bak", PasswordFile.SHADOW),
    ("master.passwd", PasswordFile.SHADOW),
    ("passwd", PasswordFile.PASSWD),
    ("passwd-", PasswordFile.PASSWD),
    ("passwd.bak", PasswordFile.PASSWD),
    (".htpasswd*", PasswordFile.HTPASSWD),
    ("htpasswd*", PasswordFile.HTPASSWD),
    ("*.htpasswd", PasswordFile.HTPASSWD),
    ("lighttpd*.user", PasswordFile.HTPASSWD),
    ("httpd.conf", PasswordFile.HTTPD_CONF),
)


@dataclass(frozen=True, slots=True)
class Account:
    """One entry of a password file. `uid` and `shell` come from passwd (None when unknown)."""

    user: str
    value: str
    line: int
    offset: int
    uid: int | None = None
    shell: str | None = None

    @property
    def privileged(self) -> bool:
        """Root, or any account with uid 0."""
        return self.uid == 0 or (self.uid is None and self.user == "root")

    @property
    def can_log_in(self) -> bool:
        """False for an account whose shell refuses logins."""
        return not (self.shell and self.shell.endswith(NOLOGIN_SHELLS))


def password_file(path: str) -> PasswordFile | None:
    """The password-file format a path names, if any."""
    name = posixpath.basename(path)
    for pattern, kind in NAMES:
        if fnmatch.fnmatchcase(name, pattern):
            return kind
    return None


def _lines(text: str) -> list[tuple[int, int, str]]:
    """(line number, byte offset, text) of each line."""
    out, offset = [], 0
    for number, line in enumerate(text.split("\n"), start=1):
        out.append((number, offset, line.rstrip("\r")))
        offset += len(line.encode("utf-8", "surrogateescape")) + 1
    return out


def _value_offset(line_offset: int, line: str, field_index: int) -> int:
    prefix = ":".join(line.split(":")[:field_index]) + ":"
    return line_offset + len(prefix.encode("utf-8", "surrogateescape"))


def parse(kind: PasswordFile, text: str) -> list[Account]:
    """The accounts of a password file; lines that do not fit the format are skipped."""
    accounts = []
    for number, offset, line in _lines(text):
        if not line or line.startswith("#"):
            continue
        account = _entry(kind, number, offset, line)
        if account is not None:
            accounts.append(account)
    return accounts


def _entry(kind: PasswordFile, number: int, offset: int, line: str) -> Account | None:
    fields = line.split(":")
    if kind is PasswordFile.HTTPD_CONF:
        if not line.startswith("/") or len(fields) < 3:
            return None
        value = ":".join(fields[2:])
        return Account(fields[1], value, number, _value_offset(offset, line, 2))
    if len(fields) < 2 or not fields[0]:
        return None
    if kind is PasswordFile.HTPASSWD:
        return Account(fields[0], ":".join(fields[1:]), number, _value_offset(offset, line, 1))
    if kind is PasswordFile.PASSWD:
        if len(fields) < 7:
            return None
        uid = int(fields[2]) if fields[2].isdigit() else None
        return Account(fields[0], fields[1], number, _value_offset(offset, line, 1), uid, fields[6])
    if len(fields) < 3:
        return None
    return Account(fields[0], fields[1], number, _value_offset(offset, line, 1))


def with_logins(accounts: list[Account], passwd: list[Account]) -> list[Account]:
    """Shadow entries completed with the uid and shell of the same user in passwd."""
    known = {a.user: a for a in passwd}
    out = []
    for account in accounts:
        entry = known.get(account.user)
        if entry is None:
            out.append(account)
            continue
        out.append(
            Account(
                account.user, account.value, account.line, account.offset, entry.uid, entry.shell
            )
        )
    return out
