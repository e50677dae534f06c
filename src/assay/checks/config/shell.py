"""A light reading of shell scripts: the simple commands, each with its line, the `if`/`&&`
conditions and `case`/function scope it runs in, whether it can run at all (`if false`, a test of
constants), variables assigned on the way, `for` loops and sourced files. Enough to tell what an
init script starts; not an interpreter."""

from collections.abc import Callable
from dataclasses import dataclass, field

from assay.checks.config.shlex_light import Token, tokenize
from assay.checks.config.shvars import Environment, assignment, truth

RESERVED = frozenset(
    {"if", "then", "elif", "else", "fi", "while", "until", "do", "done", "for", "case", "esac"}
)
BRACES = frozenset({"{", "}"})
DECLARERS = frozenset({"export", "local", "readonly", "declare", "typeset"})
REDIRECTIONS = frozenset({"<<-", "<<", ">>", ">&", "<&", "&>", ">|", "<>", "<", ">"})
CASE_ENDS = frozenset({";;", ";&", ";;&"})
MAX_SOURCE_DEPTH = 3
MAX_NESTING = 16
"""Deeper nesting (only hostile scripts have it) is read as if flat."""
Source = Callable[[str], str | None]


@dataclass(frozen=True, slots=True)
class Scope:
    """A function body (`kind` "function", `name`) or a case branch (`kind` "case", `name` the
    pattern as written, `subject` the word the case tests)."""

    kind: str
    name: str
    subject: str = ""


@dataclass(frozen=True, slots=True)
class Command:
    """One simple command: expanded words, the line it starts on, the conditions guarding it,
    the function names and case labels around it."""

    words: tuple[str, ...]
    line: int
    end_line: int = 0
    conditions: tuple[str, ...] = ()
    scopes: tuple[Scope, ...] = ()
    background: bool = False
    dead: bool = False
    test: bool = False


@dataclass(frozen=True, slots=True)
class Loop:
    """A `for NAME in ITEMS` loop header."""

    variable: str
    items: tuple[str, ...]
    line: int
    dead: bool


@dataclass(frozen=True, slots=True)
class Script:
    """What was read from one script."""

    commands: tuple[Command, ...]
    loops: tuple[Loop, ...]
    variables: dict[str, str | None]
    sourced: tuple[str, ...]


@dataclass(slots=True)
class _Frame:
    kind: str
    name: str = ""
    testing: bool = False
    condition: str = ""
    value: bool | None = None
    taken: bool = False
    dead: bool = False
    pattern: bool = False
    head: list[str] = field(default_factory=list)
    subject: str = ""
    line: int = 0

    def scope(self) -> Scope | None:
        if self.kind == "function":
            return Scope("function", self.name)
        if self.kind == "case" and not self.pattern:
            return Scope("case", self.name, self.subject)
        return None


class _Parser:
    def __init__(self, env: Environment, source: Source | None, depth: int) -> None:
        self.env = env
        self.source = source
        self.depth = depth
        self.frames: list[_Frame] = []
        self.words: list[Token] = []
        self.commands: list[Command] = []
        self.loops: list[Loop] = []
        self.sourced: list[str] = []
        self.chain: tuple[str, bool] | None = None
        self.pending_function: str | None = None
        self.skip_next_word = False
        self.skip_close = False
        self.continued = False
        self.overflow = 0

    def push(self, frame: _Frame) -> None:
        if len(self.frames) >= MAX_NESTING:
            self.overflow += 1
        else:
            self.frames.append(frame)

    def pop(self) -> None:
        if self.overflow:
            self.overflow -= 1
        elif self.frames:
            self.frames.pop()

    # -- tokens --------------------------------------------------------------------------------

    def feed(self, token: Token) -> None:
        if token.newline:
            if not self.continued:
                self.end(None)
            return
        if token.operator:
            self.operator(token)
            return
        if self.skip_next_word:
            self.skip_next_word = False
            return
        self.continued = False
        top = self.frames[-1] if self.frames else None
        if top is not None and top.kind in ("for-head", "case-head"):
            self.head_word(top, token)
        elif top is not None and top.pattern:
            self.pattern_word(top, token)
        elif not self.words and (token.text in RESERVED or token.text in BRACES):
            self.reserved(token)
        elif self.pending_function == "" and not self.words:
            self.pending_function = token.text
        elif not self.words and token.text == "function":
            self.pending_function = ""
        else:
            self.words.append(token)

    def operator(self, token: Token) -> None:
        text = token.text
        self.continued = text in ("&&", "||", "|")
        top = self.frames[-1] if self.frames else None
        if text in REDIRECTIONS:
            self.skip_next_word = True
        elif top is not None and top.pattern:
            if text == ")":
                top.pattern = False
                top.name, top.head = "|".join(top.head), []
        elif text == "(":
            self.open_paren(token)
        elif text == ")":
            self.close_paren()
        elif text in CASE_ENDS:
            self.end(None)
            self.case_next_pattern()
        elif top is None or top.kind not in ("for-head", "case-head"):
            self.end(text)

    def open_paren(self, token: Token) -> None:
        if len(self.words) == 1 and not self.words[0].quoted:
            self.pending_function = self.words[0].text
            self.words = []
            self.skip_close = True
        elif not self.words and self.pending_function:
            self.skip_close = True
        elif not self.words:
            self.push(_Frame("subshell", line=token.line))

    def close_paren(self) -> None:
        if self.skip_close:
            self.skip_close = False
            return
        self.end(None)
        if self.overflow or (self.frames and self.frames[-1].kind == "subshell"):
            self.pop()

    def case_next_pattern(self) -> None:
        for frame in reversed(self.frames):
            if frame.kind == "case":
                frame.pattern = True
                frame.name = ""
                return

    def head_word(self, top: _Frame, token: Token) -> None:
        if top.kind == "case-head":
            if token.text == "in":
                top.kind, top.pattern = "case", True
                top.subject, top.head = " ".join(top.head), []
            else:
                top.head.append(token.text)
            return
        if token.text == "do":
            listed = top.head[2:] if top.head[1:2] == ["in"] else []
            items = tuple(field for t in listed for field in self.env.expand_split(t))
            self.loops.append(Loop(top.head[0] if top.head else "", items, top.line, self.dead()))
            if top.head:
                self.env.forget(top.head[0])
            top.kind = "loop"
            return
        top.head.append(token.text)

    def pattern_word(self, top: _Frame, token: Token) -> None:
        if token.text == "esac" and not top.head:
            self.pop()
        else:
            top.head.append(token.text)

    # -- reserved words ------------------------------------------------------------------------

    def reserved(self, token: Token) -> None:
        word = token.text
        top = self.frames[-1] if self.frames else None
        if word in ("if", "while", "until"):
            self.push(_Frame(word, testing=True, line=token.line))
        elif word in ("for", "case"):
            self.push(_Frame(f"{word}-head", line=token.line))
        elif word == "{":
            name, self.pending_function = self.pending_function or "", None
            self.push(_Frame("function" if name else "brace", name=name))
        elif self.overflow and word in ("fi", "done", "esac", "}"):
            self.pop()
        elif top is not None:
            self.branch(top, word)

    def branch(self, top: _Frame, word: str) -> None:
        closers = {"fi": ("if",), "done": ("while", "until", "loop"), "esac": ("case",)}
        closers["}"] = ("function", "brace")
        if word in closers:
            if top.kind in closers[word]:
                self.pop()
        elif word in ("then", "do") and top.kind in ("if", "while", "until"):
            top.testing = False
            value = top.value if top.kind != "until" or top.value is None else not top.value
            top.dead = value is False or top.taken
            top.taken = top.taken or value is True
        elif word == "elif" and top.kind == "if":
            top.testing, top.condition, top.value = True, "", None
        elif word == "else" and top.kind == "if":
            top.condition = f"! ({top.condition})"
            top.dead = top.taken

    # -- commands ------------------------------------------------------------------------------

    def dead(self) -> bool:
        return any(f.dead for f in self.frames) or bool(self.chain and self.chain[1])

    def end(self, separator: str | None) -> None:
        tokens, self.words = self.words, []
        if not tokens:
            return
        words = self.env.expand_tokens(tokens)
        constant = not self.env.unset_seen
        rest = self.assign(words)
        chain = self.chain
        self.chain = None
        if not rest:
            return
        top = self.frames[-1] if self.frames else None
        testing = top is not None and top.testing
        dead = self.dead() or bool(chain and chain[1])
        conditions = tuple(f.condition for f in self.frames if f.condition)
        text = " ".join(rest)
        command = Command(
            words=rest,
            line=tokens[0].line,
            end_line=tokens[-1].line,
            conditions=conditions + ((chain[0],) if chain else ()),
            scopes=tuple(scope for f in self.frames if (scope := f.scope()) is not None),
            background=separator == "&",
            dead=dead,
            test=testing,
        )
        self.commands.append(command)
        value = truth(rest) if constant else None
        if testing and top is not None:
            top.condition = f"{top.condition}; {text}" if top.condition else text
            top.value = value
        self.follow(rest, command)
        if separator == "&&":
            self.chain = (text, dead or value is False)
        elif separator == "||":
            self.chain = (f"! {text}", dead or value is True)

    def assign(self, words: tuple[str, ...]) -> tuple[str, ...]:
        """Apply leading NAME=value words (and export/local NAME=value) to the environment when
        they stand alone; return the command words after them."""
        index = 0
        while index < len(words) and assignment(words[index]) is not None:
            index += 1
        rest = words[index:]
        if not rest:
            for word in words:
                self.set_variable(word)
        elif rest[0] in DECLARERS:
            for word in rest[1:]:
                self.set_variable(word)
        return rest

    def set_variable(self, word: str) -> None:
        pair = assignment(word)
        if pair is not None:
            conditional = any(f.kind not in ("function", "brace") for f in self.frames)
            self.env.assign(pair[0], pair[1], conditional)

    def follow(self, words: tuple[str, ...], command: Command) -> None:
        """Variables a command sets at run time become unknown; sourced files are read."""
        name = words[0].rsplit("/", 1)[-1]
        if name in ("read", "config_get", "config_get_bool", "getopts", "eval"):
            for word in words[1:]:
                self.env.forget(word)
        elif name in (".", "source") and len(words) > 1 and not command.dead:
            self.read_source(words[1])

    def read_source(self, path: str) -> None:
        if self.source is None or self.depth >= MAX_SOURCE_DEPTH or "$" in path:
            return
        text = self.source(path)
        if text is None:
            return
        self.sourced.append(path)
        nested = _Parser(self.env, self.source, self.depth + 1)
        for token in tokenize(text):
            nested.feed(token)
        self.sourced.extend(nested.sourced)


def parse_script(
    text: str, env: dict[str, str | None] | None = None, source: Source | None = None
) -> Script:
    """Read a shell script; `source(path)` returns the text of a file it sources (or None)."""
    parser = _Parser(Environment(env or {}), source, 0)
    for token in tokenize(text):
        parser.feed(token)
    parser.end(None)
    return Script(
        commands=tuple(parser.commands),
        loops=tuple(parser.loops),
        variables=dict(parser.env.values),
        sourced=tuple(parser.sourced),
    )
