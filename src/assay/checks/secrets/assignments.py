"""Credential assignments in one line of a script or configuration file: the syntaxes they come
in (shell, INI, YAML, nvram, JSON, XML, UCI, command-line flags, query strings) and the rules that
decide whether a value is a literal secret or a placeholder.

Rules:
- the key's last word names a secret: password/passwd/passphrase/pass/pwd, secret/token/apikey,
  `<api|access|secret|private|auth|encryption|app>_key`, psk, community;
- comment lines are skipped (`#`, `;`, `//`, `--`, `/*`, `*`, `<!--`, `rem`);
- placeholders are skipped: empty, `${VAR}`/`$VAR`/`$(cmd)`, printf and template markers (`%s`,
  `{{x}}`, `<%= %>`, `#{x}`, `{0}`), `<value>`/`[value]`, runs of x, *, ., #, ?, words such as
  none/null/true/false/required/example/placeholder, `your…`, paths (`/etc/key`);
- in program sources (Python, JavaScript, Lua, PHP, Perl, Ruby, C) only quoted literals count:
  an unquoted value there is an expression;
- a password needs at least 3 characters, a secret/token 8 with a digit or mixed case, a Wi-Fi
  passphrase 8 (or 64 hex digits). Default values such as `changeme` or `admin` ARE findings."""

import re
from dataclasses import dataclass
from enum import StrEnum


class SecretKind(StrEnum):
    """What an assignment's key says its value is."""

    PASSWORD = "password"
    SECRET = "secret"
    WIFI = "wifi-psk"
    SNMP = "snmp-community"


LINE_ASSIGNMENT = re.compile(
    r"^\s*(?:(?:export|readonly|local|declare|typeset|set|var|let|const|my|our|static|final|"
    r"private|public|protected|string|String|char|define)\s+(?:-\w+\s+)*)*[$@]?"
    r"(?P<key>[A-Za-z_][\w.-]*)(?:\[\d*\])?\s*(?::=|=>|==?|:)\s*(?P<value>.*)$"
)
QUOTED_KEY = re.compile(
    r"""(?P<q>["'])(?P<key>[A-Za-z_][\w.-]*)(?P=q)\s*(?::|=>|=|,)\s*(?P<value>.*)"""
)
KEYWORD_ARGUMENT = re.compile(
    r"""(?<![\w$.])(?P<key>[A-Za-z_][\w.:-]*)\s*=\s*(?P<value>"[^"]*"|'[^']*')"""
)
XML_ELEMENT = re.compile(r"<(?P<key>[\w:.-]+)>(?P<value>[^<]+)</(?P=key)>")
SPACED = re.compile(r"^\s*(?:option\s+|enable\s+)?(?P<key>[A-Za-z_][\w.-]*)\s+(?P<value>\S+)\s*$")
FLAG = re.compile(r"(?<![\w-])--(?P<key>[\w-]+)(?:=|\s+)(?P<value>\S.*)")
QUERY = re.compile(r"[?&](?P<key>[\w.-]+)=(?P<value>[^&\s\"'#<>]+)")
LINE_SYNTAXES = (LINE_ASSIGNMENT, SPACED)
INLINE_SYNTAXES = (QUOTED_KEY, KEYWORD_ARGUMENT, XML_ELEMENT, FLAG, QUERY)

WORDS = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")
PASSWORD_WORDS = frozenset({"password", "passwd", "passphrase", "pass", "pwd", "passwort"})
SECRET_WORDS = frozenset({"secret", "token", "apikey"})
KEY_QUALIFIERS = frozenset({"api", "access", "secret", "private", "auth", "encryption", "app"})
SNMP_QUALIFIERS = frozenset({"snmp", "ro", "rw", "read", "write", "trap", "get", "set"})
WIFI_QUALIFIERS = frozenset({"wpa", "wpa2", "wpa3", "wifi", "wlan", "wireless", "sae", "wl"})
COMMENT_PREFIXES = ("#", ";", "//", "--", "/*", "*", "<!--", "rem ", "REM ")
UNQUOTED_END = re.compile(r"[\s;,)}\]]")
STATEMENT_END = re.compile(r"\s*($|[;,)}\]]|#|//)")
PLACEHOLDER_MARKERS = (
    "%s",
    "%d",
    "%(",
    "{{",
    "}}",
    "${",
    "$(",
    "#{",
    "<%",
    "%>",
    "@@",
    "{0}",
    "{}",
)
PLACEHOLDER_WORDS = frozenset(
    {
        "none", "null", "nil", "true", "false", "yes", "no", "on", "off", "undefined",
        "required", "optional", "empty", "n/a", "na", "tbd", "todo", "fixme", "redacted",
        "hidden", "string", "str", "text", "value", "example", "placeholder", "dummy",
        "sample", "unset", "unknown", "disabled", "auto", "random", "generated", "define",
        "undef",
    }
)  # fmt: skip
PLACEHOLDER_CHARS = frozenset("xX*.#?-_ ")
# code, not a literal: a function call or reference (`&which('passwd')`, `getpwnam($user)`), a
# keyword (`sub {`), or a shell command line (`cat_passwd='getent passwd'`)
CALL = re.compile(r"^[&@]|^[A-Za-z_][\w:.>-]*\(")
CODE_WORDS = frozenset({"sub", "function", "lambda", "new", "return", "def", "do", "await"})
COMMANDS = frozenset(
    {"cat", "getent", "grep", "awk", "sed", "echo", "printf", "head", "tail", "cut", "openssl",
     "which", "pwgen", "mkpasswd", "uci", "nvram", "cfg", "sh", "bash", "eval", "read"}
)  # fmt: skip
HEX64 = re.compile(r"[0-9a-fA-F]{64}")


@dataclass(frozen=True, slots=True)
class Assignment:
    """A literal secret assigned in a line: its key, its kind and the value's span in the line."""

    key: str
    kind: SecretKind
    value: str
    start: int
    end: int


def key_kind(key: str, wireless_config: bool = False) -> SecretKind | None:
    """The kind of secret a key names, or None for an ordinary key."""
    words = [w.lower() for part in re.split(r"[_.:-]+", key) for w in WORDS.findall(part)]
    if not words:
        return None
    last = words[-1]
    previous = words[-2] if len(words) > 1 else ""
    if last == "psk" or (last in ("passphrase", "key", "password") and previous in WIFI_QUALIFIERS):
        return SecretKind.WIFI
    if wireless_config and key == "key":
        return SecretKind.WIFI
    if last == "community":
        return SecretKind.SNMP if len(words) == 1 or SNMP_QUALIFIERS & set(words) else None
    if last == "pwd" and len(previous) < 2:
        return None  # `PWD` is the working directory; `i_pwd` a Configure symbol
    if last in PASSWORD_WORDS:
        return SecretKind.PASSWORD
    if last in SECRET_WORDS or (last == "key" and previous in KEY_QUALIFIERS):
        return SecretKind.SECRET
    return None


def _literal(raw: str, code: bool, whole: bool = False) -> tuple[str, int, int] | None:
    """The literal at the start of `raw`: (value, start, end) in `raw`, or None. `whole`: an
    unquoted value must end the statement (`passwd: files systemd` is no password)."""
    if raw[:1] in ("'", '"'):
        quote = raw[0]
        end = 1
        while end < len(raw) and raw[end] != quote:
            end += 2 if raw[end] == "\\" else 1
        if end >= len(raw):
            return None
        return raw[1:end], 1, end
    if code or not raw:
        return None
    stop = UNQUOTED_END.search(raw)
    end = stop.start() if stop else len(raw)
    if whole and not STATEMENT_END.match(raw, end):
        return None
    return raw[:end], 0, end


def is_placeholder(value: str) -> bool:
    """True for values that stand for a secret rather than being one."""
    lowered = value.strip().lower()
    if not lowered or lowered in PLACEHOLDER_WORDS or set(lowered) <= PLACEHOLDER_CHARS:
        return True
    if value.startswith(("$", "/", "./", "~/")) or any(m in value for m in PLACEHOLDER_MARKERS):
        return True
    if value[0] + value[-1] in ("<>", "[]", "()", "{}"):
        return True
    if CALL.match(value) or lowered in CODE_WORDS or lowered.split(" ", 1)[0] in COMMANDS:
        return True
    return lowered.startswith(("your", "my_", "my-", "<", "example", "changethis"))


def strong_enough(kind: SecretKind, value: str) -> bool:
    """Whether a value is long and varied enough to be the secret its key names."""
    if kind is SecretKind.PASSWORD:
        return len(value) >= 3
    if kind is SecretKind.WIFI:
        return 8 <= len(value) <= 63 or bool(HEX64.fullmatch(value))
    if kind is SecretKind.SNMP:
        return True
    varied = any(c.isdigit() for c in value) or (value.lower() != value != value.upper())
    return len(value) >= 8 and (varied or len(value) >= 16)


def is_comment(line: str) -> bool:
    """True for a comment line in the common configuration and script syntaxes."""
    return line.lstrip().startswith(COMMENT_PREFIXES)


def assignments(line: str, code: bool, wireless_config: bool = False) -> list[Assignment]:
    """Every literal secret assigned in `line`. `code`: the file is a program source, where only
    quoted literals count."""
    if is_comment(line):
        return []
    found: dict[int, Assignment] = {}
    matches = [m for s in LINE_SYNTAXES if (m := s.match(line))]
    matches += [m for s in INLINE_SYNTAXES for m in s.finditer(line)]
    for match in matches:
        if match.re is SPACED and (code or len(found)):
            continue
        kind = key_kind(match.group("key"), wireless_config)
        whole = match.re in LINE_SYNTAXES
        literal = _literal(match.group("value"), code, whole) if kind is not None else None
        if kind is None or literal is None:
            continue
        value, start, end = literal
        if is_placeholder(value) or not strong_enough(kind, value):
            continue
        offset = match.start("value")
        found.setdefault(
            offset + start,
            Assignment(match.group("key"), kind, value, offset + start, offset + end),
        )
    return [found[k] for k in sorted(found)]


SNMP_DIRECTIVE = re.compile(r"^\s*(?P<directive>(?:ro|rw)community6?|com2sec6?)\s+(?P<rest>\S.*)$")


def snmp_community(line: str) -> Assignment | None:
    """The community string of a Net-SNMP snmpd.conf(5) access directive (`rocommunity public`,
    `rwcommunity private 10.0.0.0/8`, `com2sec [-Cn ctx] name source community`)."""
    match = SNMP_DIRECTIVE.match(line)
    if match is None:
        return None
    directive = match.group("directive")
    tokens = list(re.finditer(r"\S+", match.group("rest")))
    if directive.startswith("com2sec"):
        if tokens and tokens[0].group() == "-Cn":
            tokens = tokens[2:]
        if len(tokens) < 3:
            return None
        community = tokens[2]
    else:
        community = tokens[0]
    start = match.start("rest") + community.start()
    value = community.group()
    if is_placeholder(value):
        return None
    return Assignment(directive, SecretKind.SNMP, value, start, start + len(value))
