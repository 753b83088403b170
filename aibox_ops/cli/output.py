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
    "foreign": "bold red", "written": "green", "missing": "yellow", "delete": "red",
    "deleted": "red", "created": "green", "updated": "green",
}
# What an applied item became, by planned status (files are "written").
DONE = {"delete": "deleted", "create": "created", "update": "updated"}

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
    """One JSON document on stdout (the only thing --json prints there). An error's
    message and hint are masked for credential-shaped text (an endpoint may echo a key)."""
    mask_errors(payload)
    sys.stdout.write(json.dumps(payload, indent=2, sort_keys=False, default=str) + "\n")
    sys.stdout.flush()


def mask_errors(value: Any) -> None:  # noqa: D401
    """Mask credential-shaped text in the message/hint of every error dict (one with an
    ``exit_code``) in ``value``, however deep."""
    if isinstance(value, list):
        for item in value:
            mask_errors(item)
    elif isinstance(value, dict):
        if "exit_code" in value and isinstance(value.get("message"), str):
            from ..doctor.redact import redact

            for key in ("message", "hint"):
                if isinstance(value.get(key), str):
                    value[key] = redact(value[key])
        for item in value.values():
            if isinstance(item, dict | list):
                mask_errors(item)


def show_diff(diff: str, as_json: bool) -> None:
    """A unified diff, coloured when the stream is a terminal."""
    if diff:
        from rich.syntax import Syntax  # pulls in pygments: only when there is a diff

        results(as_json).print(Syntax(diff, "diff", theme="ansi_dark",
                                      background_color="default"))


def done_status(status: str, kind: str) -> str:
    """The status of an item once applied: ``written`` (a file), ``deleted``, ``created``..."""
    if status == "delete":
        return "deleted"
    return "written" if kind == "file" else DONE.get(status, status)


DETAIL_MIN = 30  # the detail column folds down to this; targets never wrap


def print_status_table(out: Console, title: str, rows: list[tuple[str, str, str, str]]
                       ) -> None:
    """Print a table of (kind, target, status, detail) rows.

    The first column is headed by the kind when every row has the same one (file, table,
    secret, role...), else a ``kind`` column says each. Targets (paths, ARNs) are printed
    whole on one line, even past the console's width (a terminal wraps them, a pipe keeps
    them): only the detail column folds.
    """
    table = Table(title=title, title_justify="left", show_edge=False, pad_edge=False)
    kinds = {kind for kind, *_ in rows}
    mixed = len(kinds) > 1
    heading = kinds.pop() if len(kinds) == 1 else "item"
    if mixed:
        table.add_column("kind", no_wrap=True)
    table.add_column(heading, no_wrap=True)
    table.add_column("status", no_wrap=True)
    table.add_column("detail", overflow="fold")
    widths = [0, len(heading), len("status")]
    for kind, target, status, detail in rows:
        style = STATUS_STYLE.get(status, "default")
        cells = [escape(target), f"[{style}]{status}[/]", escape(as_invoked(detail))]
        table.add_row(*([escape(kind), *cells] if mixed else cells))
        widths = [max(widths[0], len(kind) if mixed else 0), max(widths[1], len(target)),
                  max(widths[2], len(status))]
    needed = sum(widths) + DETAIL_MIN + 3 * (2 + mixed)
    saved = out._width  # print() caps its width at the console's: widen the console itself
    out.width = max(out.width, needed)
    try:
        out.print(table)
    finally:
        out._width = saved


def report_error(error: AiboxError, as_json: bool) -> None:
    """Print an error: one paragraph (plus hint) on stderr; with --json, also on stdout.
    Credential-shaped text is masked first: an endpoint may echo a key or token back."""
    from ..doctor.redact import redact

    error.message = redact(error.message)
    error.hint = redact(error.hint) if error.hint else error.hint
    if getattr(error, "log_tail", None):
        error.log_tail = [redact(line) for line in error.log_tail]  # type: ignore[attr-defined]
    out = console()
    out.print(f"[bold red]error:[/] {escape(as_invoked(error.message))}")
    for line in getattr(error, "log_tail", None) or []:  # AgentError: the agent's last lines
        out.print(f"  [dim]{escape(line)}[/]", soft_wrap=True)
    if error.hint:
        out.print(f"[dim]hint:[/] {escape(as_invoked(error.hint))}")
    if as_json and not error.result_already_emitted:
        emit_json({"ok": False, **error.to_dict()})
