"""The ``sleep`` tool: cooperative (asyncio) and bounded by MAX_SLEEP_SECONDS (default 60).

The bound is read when the tool is loaded for a request, not at import: a bad value falls
back to the default with one warning instead of breaking every request that enables sleep.
"""

from __future__ import annotations

import logging
import math
import os
import threading
from typing import Any

from strands.vended_tools.sleep import make_sleep

log = logging.getLogger(__name__)
DEFAULT_MAX_SLEEP_SECONDS = 60.0
_lock = threading.Lock()
_tools: dict[float, Any] = {}
_warned: set[str] = set()


def max_sleep_seconds() -> float:
    """MAX_SLEEP_SECONDS as a positive finite number, else the default (warned once)."""
    raw = os.environ.get("MAX_SLEEP_SECONDS", "").strip()
    if not raw:
        return DEFAULT_MAX_SLEEP_SECONDS
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if math.isfinite(value) and value > 0:
        return value
    with _lock:
        first = raw not in _warned
        _warned.add(raw)
    if first:
        log.warning("MAX_SLEEP_SECONDS=%r is not a positive number; using %g",
                    raw, DEFAULT_MAX_SLEEP_SECONDS)
    return DEFAULT_MAX_SLEEP_SECONDS


def sleep_tool() -> Any:
    """The sleep tool for the current bound (one tool object per distinct bound)."""
    limit = max_sleep_seconds()
    with _lock:
        if limit not in _tools:
            _tools[limit] = make_sleep(max_duration=limit)
        return _tools[limit]


def __getattr__(name: str) -> Any:
    """``pause.sleep`` (what the tool catalogue loads) is built on access."""
    if name == "sleep":
        return sleep_tool()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
