"""Durations as people type them: ``90s``, ``10m``, ``1h30m``, ``2d`` (or bare seconds): the one
parser behind every ``--since``, ``--every`` and ``--for`` option."""

from __future__ import annotations

import re

_PART = re.compile(r"(\d+(?:\.\d+)?)\s*(ms|d|h|m|s)")
_UNIT = {"d": 86400.0, "h": 3600.0, "m": 60.0, "s": 1.0, "ms": 0.001}


def parse_duration(text: str) -> float:
    """Seconds in ``text``; ValueError naming the text when it is not a positive duration."""
    raw = text.strip().lower()
    if re.fullmatch(r"\d+(\.\d+)?", raw):
        seconds = float(raw)
    else:
        pos, seconds = 0, 0.0
        for match in _PART.finditer(raw):
            if match.start() != pos:
                break
            seconds += float(match.group(1)) * _UNIT[match.group(2)]
            pos = match.end()
        if pos != len(raw) or not raw:
            raise ValueError(f"{text!r} is not a duration (use e.g. 90s, 10m, 1h30m, 2d)")
    if seconds <= 0:
        raise ValueError(f"{text!r} must be longer than zero")
    return seconds


def render_duration(seconds: float) -> str:
    """Short human form: ``1h30m``, ``10m``, ``45s``, ``0.25s``."""
    if seconds < 60 and seconds != int(seconds):
        return f"{seconds:g}s"
    whole = int(round(seconds))
    h, rest = divmod(whole, 3600)
    m, s = divmod(rest, 60)
    return "".join(f"{v}{u}" for v, u in ((h, "h"), (m, "m"), (s, "s")) if v) or "0s"
