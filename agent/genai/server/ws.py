"""WebSocket helpers for ``/ws``: an idle timeout for the request, disconnect-aware sending."""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator, Awaitable
from typing import Any, TypeVar

from genai.server.watch import until_gone

T = TypeVar("T")
DEFAULT_IDLE_SECONDS = 60.0
# 1001 "going away": websockets clients treat it as a normal close (ConnectionClosedOK), so
# ``async for message in ws`` ends after the error chunk, and it tells the client why.
IDLE_CLOSE_CODE = 1001


class IdleTimeout(Exception):
    """No request arrived on a WebSocket within WS_IDLE_TIMEOUT_SECONDS."""


def idle_timeout_seconds() -> float:
    """WS_IDLE_TIMEOUT_SECONDS (60): how long an open /ws connection may wait for its request."""
    try:
        value = float(os.environ.get("WS_IDLE_TIMEOUT_SECONDS", DEFAULT_IDLE_SECONDS))
    except ValueError:
        return DEFAULT_IDLE_SECONDS
    return value if value > 0 else DEFAULT_IDLE_SECONDS


async def within_idle_timeout(first_message: Awaitable[T], seconds: float | None = None) -> T:
    """Await the connection's first message; IdleTimeout if it takes over ``seconds``
    (default WS_IDLE_TIMEOUT_SECONDS)."""
    limit = idle_timeout_seconds() if seconds is None else seconds
    try:
        return await asyncio.wait_for(first_message, limit)
    except TimeoutError:
        raise IdleTimeout(
            f"Idle timeout: no request received within {limit:g} seconds; closing the connection"
        ) from None


async def _wait_for_disconnect(websocket: Any) -> None:
    while True:  # further client messages during a run are ignored (one request per socket)
        message = await websocket.receive()
        if message["type"] == "websocket.disconnect":
            return


async def send_chunks(websocket: Any, chunks: AsyncIterator[dict[str, Any]]) -> bool:
    """Send every chunk as JSON; stop the run when the client disconnects (False then)."""

    async def send_all() -> None:
        async with contextlib.aclosing(chunks) as items:
            async for chunk in items:
                await websocket.send_json(chunk)

    return await until_gone(send_all(), _wait_for_disconnect(websocket))
