"""Live progress on stderr: a spinner, what is happening now and the elapsed time.

``PhaseProgress`` draws deploy's phases (one line when each ends); ``StepProgress`` draws
one long task (``deploy --local``'s pip build). Both write to the stream that was stderr
when they started, not to whatever ``sys.stderr`` is later: the toolkit adapter redirects
stdout/stderr while it runs, and a display following ``sys.stderr`` would draw into the
toolkit's log buffer and freeze on screen for the whole CodeBuild build.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

from rich.console import Console
from rich.markup import escape

from .output import console

MARKS = {"ok": "[green]✓[/]", "planned": "[cyan]○[/]", "skipped": "[dim]-[/]",
         "failed": "[bold red]✗[/]"}


class _Live:
    """A rich Progress (spinner, description, elapsed) pinned to the stream of its start."""

    def __init__(self, out: Console | None, get_time: Callable[[], float] | None,
                 auto_refresh: bool) -> None:
        from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        self.out = out or console()
        self.progress = Progress(SpinnerColumn(), TextColumn("{task.description}"),
                                 TimeElapsedColumn(), console=self.out, transient=True,
                                 get_time=get_time, auto_refresh=auto_refresh)
        self.task: Any = None
        self.title = ""
        self._pinned: Any = None

    def __enter__(self) -> Any:
        # Pin the console to the real stream now (a console made with stderr=True looks
        # sys.stderr up on every write); put it back on exit.
        self._pinned = self.out._file
        if self._pinned is None:
            self.out.file = self.out.file
        self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            self.progress.stop()
        finally:
            self.out._file = self._pinned

    def begin(self, title: str) -> None:
        """A new task line."""
        self.title = title
        self.task = self.progress.add_task(escape(title), total=None)

    def note(self, text: str) -> None:
        """What the current task is doing now (thread-safe; ignored between tasks)."""
        task = self.task
        if task is None:
            return
        line = f"{escape(self.title)} [dim]· {escape(text)}[/]" if text else escape(self.title)
        with contextlib.suppress(KeyError):  # the task ended meanwhile
            self.progress.update(task, description=line)

    def end(self) -> None:
        """Remove the task line."""
        task, self.task = self.task, None
        if task is not None:
            self.progress.remove_task(task)
            self.progress.refresh()  # else a print above the display redraws the old line

    def refresh(self) -> None:
        """Draw now (the auto-refresh thread does this ten times a second)."""
        self.progress.refresh()


class PhaseProgress(_Live):
    """A deploy ``Reporter`` drawing with rich (stderr only: --json stdout stays clean)."""

    def __init__(self, out: Console | None = None, get_time: Callable[[], float] | None = None,
                 auto_refresh: bool = True) -> None:
        super().__init__(out, get_time, auto_refresh)

    def start(self, name: str, title: str) -> None:
        """A phase began: show its spinner."""
        self.begin(title)

    def finish(self, report: Any) -> None:
        """A phase ended: replace the spinner by one line with the mark and the time."""
        self.end()
        mark = MARKS.get(report.status, "?")
        self.progress.console.print(
            f"{mark} {escape(report.title):<22} {report.seconds:6.1f}s  "
            f"[dim]{escape(report.summary)}[/]")


class StepProgress(_Live):
    """One long task (``deploy --local``): steps replace the title, activity is the note."""

    def __init__(self, title: str, out: Console | None = None,
                 get_time: Callable[[], float] | None = None, auto_refresh: bool = True) -> None:
        super().__init__(out, get_time, auto_refresh)
        self.first = title

    def __enter__(self) -> StepProgress:
        super().__enter__()
        self.begin(self.first)
        return self

    def step(self, text: str) -> None:
        """A new step: it becomes the title (the elapsed time keeps counting)."""
        self.title = text
        self.note("")

