"""Run a piece of work until it ends or the client goes away, whichever comes first."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable

log = logging.getLogger(__name__)


async def until_gone(work: Awaitable[None], gone: Awaitable[None]) -> bool:
    """Await ``work`` while watching ``gone``; True if the work finished.

    When ``gone`` completes first (the client disconnected) the work is cancelled: the
    cancellation reaches the agent run, its model call and its tools at once. Exceptions of
    the work are raised again.
    """
    task = asyncio.ensure_future(work)
    watcher = asyncio.ensure_future(gone)
    try:
        await asyncio.wait({task, watcher}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for pending in (task, watcher):
            if not pending.done():
                pending.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await watcher
    if not task.done() or task.cancelled():
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task
        log.info("Client disconnected: invocation stopped")
        return False
    task.result()
    return True
