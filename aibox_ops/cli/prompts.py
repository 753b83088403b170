"""Confirmation before AWS writes: ``--yes`` skips it; without a terminal it refuses."""

from __future__ import annotations

import sys

from ..errors import RefusedError
from .state import AppState


def can_ask() -> bool:
    """Whether there is a terminal to ask on."""
    return sys.stdin.isatty()


def confirm(state: AppState, question: str, yes: bool) -> None:
    """Ask ``question`` on the terminal unless ``yes``; a "no" (or no terminal to ask on)
    is a RefusedError (exit 7) and nothing is written."""
    if yes:
        return
    if not can_ask():
        raise RefusedError(f"{question} needs confirmation, and there is no terminal to ask on",
                           hint="Pass --yes to confirm (e.g. in CI), or --dry-run to only look.")
    import typer

    if not typer.confirm(question, default=False, err=True):
        raise RefusedError("declined: nothing was written")
