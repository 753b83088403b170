"""Confirmation before writing to AWS or the project: one helper for every command."""

from __future__ import annotations

import sys

from ..errors import RefusedError
from .state import AppState


def confirm(state: AppState, question: str, yes: bool) -> None:
    """Return when the user agrees (or passed --yes); otherwise raise RefusedError (exit 7).

    Without a terminal to ask on, and without --yes, the answer is no, with a hint.
    """
    if yes:
        return
    if not sys.stdin.isatty():
        raise RefusedError(f"not confirmed: {question}",
                           hint="No terminal to ask on; pass --yes to go ahead.")
    from .output import console

    console().print(f"{question} [y/N] ", end="", markup=False)
    answer = sys.stdin.readline().strip().lower()
    if answer not in ("y", "yes"):
        raise RefusedError(f"declined: {question}", hint="Nothing was changed.")
