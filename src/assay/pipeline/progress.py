"""The Progress protocol: how long work reports itself without the library importing a UI."""

from typing import Protocol


class Progress(Protocol):
    """Observer of long-running work. The CLI implements it with rich progress bars."""

    def start(self, task: str, total: int | None = None) -> None:
        """A task begins; `total` units are expected when known."""

    def advance(self, task: str, amount: int = 1, total: int | None = None) -> None:
        """`amount` units of `task` are done; `total` may grow as work is discovered."""

    def note(self, task: str, detail: str) -> None:
        """What the task is working on now."""

    def finish(self, task: str) -> None:
        """The task is over."""


class NullProgress:
    """Progress that reports nowhere: the library default."""

    def start(self, task: str, total: int | None = None) -> None:
        """Ignore the start of a task."""

    def advance(self, task: str, amount: int = 1, total: int | None = None) -> None:
        """Ignore progress."""

    def note(self, task: str, detail: str) -> None:
        """Ignore details."""

    def finish(self, task: str) -> None:
        """Ignore the end of a task."""
