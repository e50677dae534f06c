"""Shell variables as an init script sees them: values assigned in the script (unknown once set
conditionally or at run time), `$NAME`/`${NAME:-default}` expansion, and the truth of tests of
constants (`[ 0 = 1 ]`, `false`)."""

import operator
import re
from collections.abc import Callable, Sequence

from assay.checks.config.shlex_light import LITERAL_DOLLAR, Token

NAME = r"[A-Za-z_][A-Za-z0-9_]*"
ASSIGNMENT = re.compile(rf"({NAME})=(.*)", re.DOTALL)
VARIABLE = re.compile(
    rf"\$(?:\{{(?P<braced>{NAME})(?:(?P<op>:?[-=+?])(?P<word>[^}}]*))?\}}|(?P<plain>{NAME}))"
)
INHERITED = frozenset(
    {"PATH", "HOME", "TERM", "SHELL", "USER", "LOGNAME", "PWD", "HOSTNAME", "CONSOLE", "LANG"}
    | {"RUNLEVEL", "PREVLEVEL", "INIT_VERSION", "TZ", "LC_ALL", "IFS", "PPID", "UID"}
)
"""Variables init and the shell provide: left as written, their values are not known."""
STRING_TESTS: dict[str, Callable[[str, str], bool]] = {
    "=": operator.eq,
    "==": operator.eq,
    "!=": operator.ne,
}
NUMBER_TESTS: dict[str, Callable[[int, int], bool]] = {
    "-eq": operator.eq,
    "-ne": operator.ne,
    "-gt": operator.gt,
    "-ge": operator.ge,
    "-lt": operator.lt,
    "-le": operator.le,
}


def assignment(word: str) -> tuple[str, str] | None:
    """(name, value) when the word is `NAME=value`."""
    match = ASSIGNMENT.fullmatch(word)
    return (match[1], match[2]) if match else None


class Environment:
    """Variable values; None marks a variable whose value cannot be known before run time. A
    variable the script never assigns expands to nothing, as it does at boot (init scripts run
    with an almost empty environment), but a test that uses one is not taken as constant."""

    def __init__(self, values: dict[str, str | None]) -> None:
        self.values = dict(values)
        self.unset_seen = False

    def assign(self, name: str, value: str, conditional: bool = False) -> None:
        """Set a variable; an assignment that may not run makes a differing value unknown."""
        if conditional and self.values.get(name, None) != value:
            self.values[name] = None
        else:
            self.values[name] = value

    def forget(self, name: str) -> None:
        """The variable is set at run time (`read`, `config_get`, a loop variable)."""
        if re.fullmatch(NAME, name):
            self.values[name] = None

    def _substitute(self, match: re.Match[str]) -> str:
        name = match["braced"] or match["plain"]
        value = self.values.get(name)
        known = name in self.values and value is not None
        if name not in self.values:
            self.unset_seen = True
        op = match["op"]
        if op is None and name not in self.values and name not in INHERITED:
            return ""
        if op is None:
            return value if value is not None else match[0]
        if op.lstrip(":") in "-=":
            if known and (value or not op.startswith(":")):
                return str(value)
            return self.expand(match["word"]) if name not in self.values or known else match[0]
        if op.lstrip(":") == "+" and known:
            return self.expand(match["word"]) if value else ""
        return match[0]

    def expand(self, text: str) -> str:
        """Expand the variables whose values are known; leave the others as written."""
        if "$" not in text:
            return text
        return VARIABLE.sub(self._substitute, text)

    def expand_split(self, text: str, quoted: bool = False) -> tuple[str, ...]:
        """Expand, then split an unquoted expansion into fields as the shell does."""
        expanded = self.expand(text)
        if quoted or expanded == text or assignment(text) is not None:
            return (_literal(expanded),)
        return tuple(_literal(field) for field in expanded.split())

    def expand_tokens(self, tokens: Sequence[Token]) -> tuple[str, ...]:
        """The words of a command after expansion and field splitting; `unset_seen` then tells
        whether a variable the script never assigns was used."""
        self.unset_seen = False
        words: list[str] = []
        for token in tokens:
            words.extend(self.expand_split(token.text, token.quoted))
        return tuple(words)


def _literal(text: str) -> str:
    return text.replace(LITERAL_DOLLAR, "$")


def _unknown(word: str) -> bool:
    return "$" in word or "`" in word


def _test(args: Sequence[str]) -> bool | None:
    if any(_unknown(a) for a in args):
        return None
    if len(args) == 1:
        return args[0] != ""
    if len(args) == 2 and args[0] in ("-n", "-z"):
        return (args[1] != "") == (args[0] == "-n")
    if len(args) == 3 and args[1] in STRING_TESTS:
        return STRING_TESTS[args[1]](args[0], args[2])
    if len(args) == 3 and args[1] in NUMBER_TESTS:
        try:
            return NUMBER_TESTS[args[1]](int(args[0]), int(args[2]))
        except ValueError:
            return None
    return None


def truth(words: Sequence[str]) -> bool | None:
    """Whether a command used as a condition succeeds, when that is decided by constants alone
    (`true`, `false`, `[ 0 = 1 ]`, `test -n ""`); None when it depends on the running system."""
    if not words:
        return None
    if words[0] == "!":
        inner = truth(words[1:])
        return None if inner is None else not inner
    name = words[0].rsplit("/", 1)[-1]
    if name in ("true", ":"):
        return True
    if name == "false":
        return False
    if name in ("[", "[[") and words[-1] in ("]", "]]"):
        return _test(words[1:-1])
    if name == "test":
        return _test(words[1:])
    return None
