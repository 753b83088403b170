"""Parsing Python source safely from doctor's worker threads."""

from __future__ import annotations

import ast
import threading

# CPython before 3.11.8 / 3.12.1 keeps the AST validator's recursion depth in shared state
# (gh-106905): two threads in ast.parse at once can fail with "SystemError: AST constructor
# recursion depth mismatch". doctor runs its checks in a thread pool, several of which parse
# the agent's modules, so every parse in aibox-ops goes through this one lock.
_PARSE_LOCK = threading.Lock()


def parse_python(source: str, filename: str = "<unknown>") -> ast.Module:
    """``ast.parse(source, filename)``, serialised across threads (SyntaxError as usual)."""
    with _PARSE_LOCK:
        return ast.parse(source, filename=filename)
