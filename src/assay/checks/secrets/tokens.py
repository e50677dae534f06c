"""Tokens of known issuers and credentials in URLs (`scheme://user:password@host`), confirmed at
the places the one-pass scan nominated."""

import re
from dataclasses import dataclass
from typing import Any

from assay.checks.secrets.assignments import is_placeholder
from assay.checks.secrets.patterns import PatternHit

MAX_MATCH = 512
URL = re.compile(
    rb"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]{1,15})://(?P<user>[^\x00-\x20\x7f-\xff/:@\"'<>]{1,64}):"
    rb"(?P<password>[^\x00-\x20\x7f-\xff/@\"'<>]{1,128})@(?P<host>[A-Za-z0-9.\[\]:-]{1,255})"
)
PLACEHOLDER_USERS = frozenset({"user", "username", "login", "name", "usr", "u", "id"})
PLACEHOLDER_PASSWORDS = frozenset({"password", "pass", "passwd", "pwd", "secret", "pw", "p"})


@dataclass(frozen=True, slots=True)
class SecretSpan:
    """A secret at [start, end) of a file, with its public part (a token's prefix, a URL's
    scheme, user and host) for the report."""

    kind: str
    value: str
    start: int
    end: int
    context: str = ""


def token_at(data: Any, hit: PatternHit) -> SecretSpan | None:
    """The token a token pattern matched, unless it is a documented example value."""
    match = hit.pattern.regex.match(data, hit.start, hit.start + MAX_MATCH)
    if match is None:
        return None
    value = match.group(0).decode("ascii", "replace")
    if any(example in value for example in hit.pattern.examples):
        return None
    return SecretSpan(hit.pattern.kind, value, match.start(), match.end())


def url_credential_at(data: Any, start: int) -> SecretSpan | None:
    """The password of a `scheme://user:password@host` URL, unless it is a placeholder."""
    match = URL.match(data, start, start + MAX_MATCH)
    if match is None:
        return None
    user = match.group("user").decode("utf-8", "replace")
    password = match.group("password").decode("utf-8", "replace")
    if is_placeholder(password) or (is_placeholder(user) and user.startswith(("$", "%", "{"))):
        return None
    if user.lower() in PLACEHOLDER_USERS and password.lower() in PLACEHOLDER_PASSWORDS:
        return None
    scheme = match.group("scheme").decode("ascii")
    host = match.group("host").decode("ascii", "replace")
    return SecretSpan(
        "url",
        password,
        match.start("password"),
        match.end("password"),
        context=f"{scheme}://{user}:…@{host}",
    )
