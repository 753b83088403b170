"""Confirmation before writing to AWS: ``--yes`` skips it; no terminal and no ``--yes``
refuses (exit 7) with a hint, so scripts never hang on a prompt."""

from __future__ import annotations

import sys

from ..errors import RefusedError
from .state import AppState


def confirm(state: AppState, question: str, yes: bool) -> None:
    """Ask ``question`` on the terminal unless ``yes``; RefusedError when declined."""
    if yes:
        return
    if not sys.stdin.isatty():
        raise RefusedError(f"not confirmed: {question}",
                           hint="Run it in a terminal to confirm, or pass --yes.")
    import typer

    if not typer.confirm(question, default=False, err=True):
        raise RefusedError("declined; nothing was changed")
