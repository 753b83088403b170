"""Rendering for people (rich, on stderr) and machines (JSON, on stdout)."""

from __future__ import annotations

import json
import sys
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ..errors import AiboxError

STATUS_STYLE = {
    "create": "green", "update": "yellow", "unchanged": "dim", "edited": "bold red",
    "foreign": "bold red", "written": "green", "refused": "bold red",
}

_console: Console | None = None


def console() -> Console:
    """The stderr console for human-readable messages."""
    global _console
    if _console is None:
        _console = Console(stderr=True, highlight=False, soft_wrap=True)
    return _console


def emit_json(payload: dict[str, Any]) -> None:
    """One JSON document on stdout (the only thing --json prints there)."""
    sys.stdout.write(json.dumps(payload, indent=2, sort_keys=False, default=str) + "\n")
    sys.stdout.flush()


def show_diff(diff: str) -> None:
    """A unified diff, coloured when stderr is a terminal."""
    if diff:
        from rich.syntax import Syntax  # pulls in pygments: only when there is a diff

        console().print(Syntax(diff, "diff", theme="ansi_dark", background_color="default"))


def status_table(title: str, rows: list[tuple[str, str, str]]) -> Table:
    """A table of (path, status, detail) rows."""
    table = Table(title=title, title_justify="left", show_edge=False, pad_edge=False)
    table.add_column("file")
    table.add_column("status")
    table.add_column("detail", overflow="fold")
    for path, status, detail in rows:
        style = STATUS_STYLE.get(status, "default")
        table.add_row(escape(path), f"[{style}]{status}[/]", escape(detail))
    return table


def report_error(error: AiboxError, as_json: bool) -> None:
    """Print an error: one paragraph (plus hint) on stderr; with --json, also on stdout."""
    out = console()
    out.print(f"[bold red]error:[/] {escape(error.message)}")
    if error.hint:
        out.print(f"[dim]hint:[/] {escape(error.hint)}")
    if as_json:
        emit_json({"ok": False, **error.to_dict()})
