"""A ``sleep`` stand-in whose non-zero sleeps wait for ``GATE`` (test-controlled)."""

from __future__ import annotations

import asyncio
import threading

from strands import tool

GATE = threading.Event()
CANCELLED = threading.Event()  # set when a waiting call is cancelled (the run was stopped)


@tool
async def sleep(duration: float) -> str:
    """Return at once for 0, else wait until the test opens the gate.

    Args:
        duration: 0 for an instant call, anything else to wait for the gate.
    """
    # Polls instead of blocking a thread: a cancelled call then ends at once.
    try:
        while duration > 0 and not GATE.is_set():
            await asyncio.sleep(0.01)
    except asyncio.CancelledError:
        CANCELLED.set()
        raise
    return f"slept {duration:g}"
