"""Phase progress on stderr: a spinner with elapsed time per phase, one line when it ends."""

from __future__ import annotations

from typing import Any

from rich.markup import escape

from .output import console

MARKS = {"ok": "[green]✓[/]", "planned": "[cyan]○[/]", "skipped": "[dim]-[/]",
         "failed": "[bold red]✗[/]"}


class PhaseProgress:
    """A deploy ``Reporter`` drawing with rich (stderr only: --json stdout stays clean)."""

    def __init__(self) -> None:
        from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        self.progress = Progress(SpinnerColumn(), TextColumn("{task.description}"),
                                 TimeElapsedColumn(), console=console(), transient=True)
        self.task: Any = None

    def __enter__(self) -> PhaseProgress:
        self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.stop()

    def start(self, name: str, title: str) -> None:
        """A phase began: show its spinner."""
        self.task = self.progress.add_task(title, total=None)

    def finish(self, report: Any) -> None:
        """A phase ended: replace the spinner by one line with the mark and the time."""
        if self.task is not None:
            self.progress.remove_task(self.task)
            self.task = None
        mark = MARKS.get(report.status, "?")
        self.progress.console.print(
            f"{mark} {escape(report.title):<22} {report.seconds:6.1f}s  "
            f"[dim]{escape(report.summary)}[/]")
