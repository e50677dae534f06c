"""Shell tokens: words (quotes removed, `$(…)` kept whole), operators and newlines with their
line numbers; comments, line continuations and here-document bodies are skipped. Follows the
token rules of POSIX.1-2017 XCU 2.3 closely enough to find commands, never to run them."""

import re
from dataclasses import dataclass

OPERATORS = (
    "<<-",
    ";;&",
    "&&",
    "||",
    ";;",
    ";&",
    "<<",
    ">>",
    ">&",
    "<&",
    "&>",
    ">|",
    "<>",
    ";",
    "&",
    "|",
    "(",
    ")",
    "<",
    ">",
)
OPERATOR_CHARS = frozenset(";&|()<>")
BLANKS = frozenset(" \t\r\f\v")
PLAIN_RUN = re.compile(r"[^\s;&|()<>'\"\\`$]+")
QUOTED_RUN = re.compile(r'[^"\\`$]+')
LITERAL_DOLLAR = "\x00"
"""Stands for a `$` that must not be expanded (it was single-quoted or escaped)."""


@dataclass(frozen=True, slots=True)
class Token:
    """A word (`operator` False), an operator, or a newline (`text` empty, `newline` True)."""

    text: str
    line: int
    operator: bool = False
    quoted: bool = False
    newline: bool = False


class Lexer:
    """Splits shell text into tokens; never raises on malformed input."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.line = 1
        self.tokens: list[Token] = []
        self.heredocs: list[tuple[str, bool]] = []
        self.want_delimiter: bool | None = None

    def run(self) -> list[Token]:
        """All tokens, ending with a newline token."""
        text = self.text
        while self.pos < len(text):
            char = text[self.pos]
            if char == "\n":
                self._newline()
            elif char in BLANKS:
                self.pos += 1
            elif char == "#":
                end = text.find("\n", self.pos)
                self.pos = len(text) if end < 0 else end
            elif text.startswith("\\\n", self.pos):
                self.pos += 2
                self.line += 1
            elif char in OPERATOR_CHARS:
                self._operator()
            else:
                self._word()
        self.tokens.append(Token("", self.line, newline=True))
        return self.tokens

    def _newline(self) -> None:
        self.tokens.append(Token("", self.line, newline=True))
        self.pos += 1
        self.line += 1
        for delimiter, strip_tabs in self.heredocs:
            self._skip_heredoc(delimiter, strip_tabs)
        self.heredocs.clear()

    def _skip_heredoc(self, delimiter: str, strip_tabs: bool) -> None:
        text = self.text
        while self.pos < len(text):
            end = text.find("\n", self.pos)
            end = len(text) if end < 0 else end
            body_line = text[self.pos : end]
            self.pos = end + 1
            self.line += 1
            if (body_line.lstrip("\t") if strip_tabs else body_line) == delimiter:
                return

    def _operator(self) -> None:
        for operator in OPERATORS:
            if self.text.startswith(operator, self.pos):
                break
        self.pos += len(operator)
        self.tokens.append(Token(operator, self.line, operator=True))
        if operator in ("<<", "<<-"):
            self.want_delimiter = operator == "<<-"

    def _word(self) -> None:
        line = self.line
        parts: list[str] = []
        quoted = False
        text = self.text
        while self.pos < len(text):
            char = text[self.pos]
            if char in BLANKS or char == "\n" or char in OPERATOR_CHARS:
                break
            if char in "'\"":
                quoted = True
            parts.append(self._part(char))
        word = "".join(parts)
        if word.isdigit() and not quoted and text[self.pos : self.pos + 1] in ("<", ">"):
            return  # a file-descriptor number of a redirection: `2>/dev/null`
        if self.want_delimiter is not None:
            self.heredocs.append((word.replace(LITERAL_DOLLAR, "$"), self.want_delimiter))
            self.want_delimiter = None
        self.tokens.append(Token(word, line, quoted=quoted))

    def _part(self, char: str) -> str:
        text = self.text
        if char == "'":
            return self._single_quoted()
        if char == '"':
            return self._double_quoted()
        if char == "\\":
            return self._escaped()
        if char == "`" or text.startswith(("$(", "${"), self.pos):
            return self._balanced()
        run = PLAIN_RUN.match(text, self.pos)
        if run is None:
            self.pos += 1
            return char
        self.pos = run.end()
        return run[0]

    def _consume_to(self, end: int) -> str:
        chunk = self.text[self.pos : end]
        self.line += chunk.count("\n")
        self.pos = end
        return chunk

    def _single_quoted(self) -> str:
        end = self.text.find("'", self.pos + 1)
        end = len(self.text) if end < 0 else end
        self.pos += 1
        body = self._consume_to(end)
        self.pos = min(self.pos + 1, len(self.text))
        return body.replace("$", LITERAL_DOLLAR)

    def _escaped(self) -> str:
        following = self.text[self.pos + 1 : self.pos + 2]
        self.pos += 2
        if following == "\n":
            self.line += 1
            return ""
        return LITERAL_DOLLAR if following == "$" else following

    def _double_quoted(self) -> str:
        self.pos += 1
        parts: list[str] = []
        text = self.text
        while self.pos < len(text) and text[self.pos] != '"':
            char = text[self.pos]
            if char == "\\" and text[self.pos + 1 : self.pos + 2] in ("$", "`", '"', "\\", "\n"):
                parts.append(self._escaped())
            elif char == "`" or text.startswith(("$(", "${"), self.pos):
                parts.append(self._balanced())
            else:
                run = QUOTED_RUN.match(text, self.pos)
                parts.append(self._consume_to(run.end() if run else self.pos + 1))
        self.pos = min(self.pos + 1, len(text))
        return "".join(parts)

    def _balanced(self) -> str:
        """`$(…)`, `${…}` or a backquoted command, kept as written (nested pairs counted)."""
        text = self.text
        if text[self.pos] == "`":
            end = text.find("`", self.pos + 1)
            return self._consume_to(len(text) if end < 0 else end + 1)
        opener, closer = ("(", ")") if text[self.pos + 1] == "(" else ("{", "}")
        depth, index = 0, self.pos + 1
        while index < len(text):
            if text[index] == opener:
                depth += 1
            elif text[index] == closer:
                depth -= 1
                if depth == 0:
                    break
            index += 1
        return self._consume_to(min(index + 1, len(text)))


def tokenize(text: str) -> list[Token]:
    """The tokens of a shell script."""
    return Lexer(text).run()
