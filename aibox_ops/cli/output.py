"""Rendering for people (rich) and machines (JSON).

Results (tables, diffs, settings) go to stdout; warnings and errors go to stderr. With
``--json`` stdout carries exactly one JSON document, so human-readable extras such as diffs
move to stderr.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ..errors import AiboxError
from .invocation import as_invoked

STATUS_STYLE = {
    "create": "green", "update": "yellow", "unchanged": "dim", "edited": "bold red",
    "foreign": "bold red", "written": "green", "missing": "yellow",
}

_consoles: dict[bool, Console] = {}


def console(stderr: bool = True) -> Console:
    """The stderr console (messages) or, with ``stderr=False``, the stdout one (results)."""
    if stderr not in _consoles:
        _consoles[stderr] = Console(stderr=stderr, highlight=False, soft_wrap=True,
                                     emoji=False)  # ARNs hold ":secret:"
    return _consoles[stderr]


def results(as_json: bool) -> Console:
    """Where human-readable results go: stdout, or stderr when stdout is for JSON."""
    return console(stderr=as_json)


def warn(message: str) -> None:
    """A warning line on stderr."""
    console().print(f"[yellow]warning:[/] {escape(as_invoked(message))}")


def emit_json(payload: dict[str, Any]) -> None:
    """One JSON document on stdout (the only thing --json prints there)."""
    sys.stdout.write(json.dumps(payload, indent=2, sort_keys=False, default=str) + "\n")
    sys.stdout.flush()


def show_diff(diff: str, as_json: bool) -> None:
    """A unified diff, coloured when the stream is a terminal."""
    if diff:
        from rich.syntax import Syntax  # pulls in pygments: only when there is a diff

        results(as_json).print(Syntax(diff, "diff", theme="ansi_dark",
                                      background_color="default"))


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
    out.print(f"[bold red]error:[/] {escape(as_invoked(error.message))}")
    for line in getattr(error, "log_tail", None) or []:  # AgentError: the agent's last lines
        out.print(f"  [dim]{escape(line)}[/]", soft_wrap=True)
    if error.hint:
        out.print(f"[dim]hint:[/] {escape(as_invoked(error.hint))}")
    if as_json and not error.result_already_emitted:
        emit_json({"ok": False, **error.to_dict()})
