"""Quieting libraries that print as they work (ubireader, jefferson): while a thread runs one, what
that thread prints is kept for it and every other thread prints as usual. Swapping sys.stdout per
call (contextlib.redirect_stdout) is not safe once extractions run in worker threads: overlapping
swaps can leave the process printing into a dead buffer."""

import contextlib
import io
import sys
import threading
from collections.abc import Iterator
from typing import TextIO, cast

_LOCK = threading.Lock()
_LOCAL = threading.local()


def _sink() -> io.StringIO | None:
    sink: io.StringIO | None = getattr(_LOCAL, "sink", None)
    return sink


class _Router(io.TextIOBase):
    """Sends a thread's writes to its sink when it has one, else to the stream it replaced."""

    def __init__(self, fallback: TextIO) -> None:
        super().__init__()
        self.fallback = fallback

    def write(self, text: str) -> int:
        sink = _sink()
        return (sink if sink is not None else self.fallback).write(text)

    def flush(self) -> None:
        if _sink() is None:
            self.fallback.flush()


class _Swap:
    """How many threads are quieted now, and the streams the routers replaced."""

    def __init__(self) -> None:
        self.users = 0
        self.saved: tuple[TextIO, TextIO] = (sys.stdout, sys.stderr)

    def enter(self) -> None:
        with _LOCK:
            if self.users == 0:
                self.saved = (sys.stdout, sys.stderr)
                sys.stdout = cast(TextIO, _Router(sys.stdout))
                sys.stderr = cast(TextIO, _Router(sys.stderr))
            self.users += 1

    def leave(self) -> None:
        with _LOCK:
            self.users -= 1
            if self.users:
                return
            if isinstance(sys.stdout, _Router):
                sys.stdout = self.saved[0]
            if isinstance(sys.stderr, _Router):
                sys.stderr = self.saved[1]


_SWAP = _Swap()


@contextlib.contextmanager
def quiet() -> Iterator[io.StringIO]:
    """Keep what the current thread prints to stdout and stderr in the yielded buffer."""
    previous = _sink()
    sink = io.StringIO()
    _SWAP.enter()
    _LOCAL.sink = sink
    try:
        yield sink
    finally:
        _LOCAL.sink = previous
        _SWAP.leave()
