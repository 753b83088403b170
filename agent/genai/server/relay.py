"""Iterate an async generator on one event loop and consume it on another, threadlessly.

BedrockAgentCoreApp runs handlers on its worker loop (a thread of its own) so that a handler
that blocks cannot stop ``/ping``. Its own bridge back to the server's loop turns each stream
into a *sync* generator that Starlette iterates with ``iterate_in_threadpool``: every open
stream then parks one token of anyio's 40-thread pool in ``queue.get()``, and the 41st stream
(and any sync endpoint, which ``/ping`` was) waits for a token. This relay hands items over
with ``call_soon_threadsafe`` instead: waiting costs no thread on either side.

Cancelling the consumer (client disconnect, server shutdown) cancels the producer task on
the other loop at once, so the agent run, its model call and its tools stop promptly.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import threading
from collections.abc import AsyncIterator
from typing import Any

_ITEM, _END, _ERROR = range(3)
# Items the producer may be ahead of the consumer before it waits (a slow client must not
# make a fast model buffer a whole answer in memory).
BACKLOG = 64


class _Channel:
    """Producer-to-consumer hand-over with credit-based back-pressure."""

    def __init__(self, consumer_loop: asyncio.AbstractEventLoop,
                 producer_loop: asyncio.AbstractEventLoop) -> None:
        self.consumer_loop = consumer_loop
        self.producer_loop = producer_loop
        self.items: asyncio.Queue = asyncio.Queue()
        self.lock = threading.Lock()
        self.pending = 0
        self.room: asyncio.Event | None = None  # created on the producer loop
        self.producer_waiting = False

    def post(self, kind: int, value: Any) -> bool:
        """Hand one item over; True when the producer should wait for room."""
        with self.lock:
            self.pending += 1
            full = self.pending >= BACKLOG
            if full:
                self.producer_waiting = True
        self.consumer_loop.call_soon_threadsafe(self.items.put_nowait, (kind, value))
        return full

    def taken(self) -> None:
        """Called by the consumer after each item: wake a waiting producer when there is room."""
        with self.lock:
            self.pending -= 1
            wake = self.producer_waiting and self.pending < BACKLOG // 2
            if wake:
                self.producer_waiting = False
        if wake and self.room is not None:
            with contextlib.suppress(RuntimeError):  # producer loop already closed
                self.producer_loop.call_soon_threadsafe(self.room.set)


async def _produce(source: AsyncIterator[Any], channel: _Channel) -> None:
    channel.room = asyncio.Event()
    try:
        async for item in source:
            if channel.post(_ITEM, item):
                channel.room.clear()
                if channel.producer_waiting:
                    await channel.room.wait()
        channel.post(_END, None)
    except asyncio.CancelledError:
        raise
    except BaseException as exc:  # raised again on the consumer side
        channel.post(_ERROR, exc)
    finally:
        aclose = getattr(source, "aclose", None)
        if aclose is not None:
            with contextlib.suppress(Exception):
                await aclose()


async def relay(
    source: AsyncIterator[Any],
    producer_loop: asyncio.AbstractEventLoop,
    context: contextvars.Context | None = None,
) -> AsyncIterator[Any]:
    """Yield the items of ``source`` (iterated on ``producer_loop``) on the running loop.

    ``context`` (default: a copy of the current one) is what the producer runs in, so the
    framework's request/session ids reach log records made by the run.
    """
    here = asyncio.get_running_loop()
    if producer_loop is here or not producer_loop.is_running():
        async for item in source:
            yield item
        return
    channel = _Channel(here, producer_loop)
    ctx = context or contextvars.copy_context()
    cell: dict[str, asyncio.Task] = {}

    def start() -> None:
        cell["task"] = producer_loop.create_task(_produce(source, channel), context=ctx)

    def cancel() -> None:
        task = cell.get("task")
        if task is not None and not task.done():
            task.cancel()

    producer_loop.call_soon_threadsafe(start)
    try:
        while True:
            kind, value = await channel.items.get()
            channel.taken()
            if kind == _END:
                return
            if kind == _ERROR:
                raise value
            yield value
    finally:
        with contextlib.suppress(RuntimeError):  # the producer loop is gone (shutdown)
            producer_loop.call_soon_threadsafe(cancel)


async def relay_result(
    work: Any, producer_loop: asyncio.AbstractEventLoop,
    context: contextvars.Context | None = None,
) -> Any:
    """Await coroutine ``work`` on ``producer_loop``; cancelling this cancels it there."""
    async def one() -> AsyncIterator[Any]:
        yield await work

    async with contextlib.aclosing(relay(one(), producer_loop, context)) as items:
        async for value in items:
            return value
    raise RuntimeError("relayed work produced no result")  # pragma: no cover
