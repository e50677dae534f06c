"""Rich progress bars for the CLI, implementing the library's Progress protocol."""

from types import TracebackType

from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

DETAIL_WIDTH = 48


class RichProgress:
    """Shows one bar per task on stderr; silent when stderr is not a terminal."""

    def __init__(self, console: Console) -> None:
        self._bars = Progress(
            SpinnerColumn(),
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("[dim]{task.fields[detail]}"),
            console=console,
            transient=True,
            disable=not console.is_terminal,
        )
        self._tasks: dict[str, TaskID] = {}

    def __enter__(self) -> "RichProgress":
        self._bars.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._bars.stop()

    def start(self, task: str, total: int | None = None) -> None:
        """Show a new bar for `task`."""
        self._tasks[task] = self._bars.add_task(task, total=total, detail="")

    def advance(self, task: str, amount: int = 1, total: int | None = None) -> None:
        """Move `task`'s bar on, growing its total when more work was found."""
        if task in self._tasks:
            self._bars.update(self._tasks[task], advance=amount, total=total)

    def note(self, task: str, detail: str) -> None:
        """Show what `task` is working on."""
        if task in self._tasks:
            self._bars.update(self._tasks[task], detail=escape(detail[-DETAIL_WIDTH:]))

    def finish(self, task: str) -> None:
        """Remove `task`'s bar."""
        if task in self._tasks:
            self._bars.remove_task(self._tasks.pop(task))
