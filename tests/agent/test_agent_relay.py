"""genai.server.relay: a stream produced on one loop, consumed on another, without threads."""

from __future__ import annotations

import asyncio
import threading

import pytest
from genai.server.relay import BACKLOG, relay


@pytest.fixture
def other_loop():
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    yield loop
    loop.call_soon_threadsafe(loop.stop)
    thread.join(timeout=5)
    loop.close()


def test_items_errors_and_back_pressure(other_loop):
    produced: list[int] = []
    loops: set = set()

    async def source():
        for i in range(BACKLOG * 3):
            loops.add(asyncio.get_running_loop())
            produced.append(i)
            yield i
        raise ValueError("end of source")

    async def consume() -> tuple[list[int], int]:
        got, ahead = [], 0
        with pytest.raises(ValueError, match="end of source"):
            async for item in relay(source(), other_loop):
                ahead = max(ahead, len(produced) - len(got))
                got.append(item)
                await asyncio.sleep(0.001 if item < BACKLOG * 2 else 0)  # a slow client
        return got, ahead

    got, ahead = asyncio.run(consume())
    assert got == list(range(BACKLOG * 3))
    assert loops == {other_loop}  # produced on the other loop
    assert ahead <= BACKLOG + 1  # the producer waited for the slow consumer


def test_closing_the_consumer_cancels_the_producer(other_loop):
    cancelled = threading.Event()

    async def source():
        try:
            yield "first"
            await asyncio.sleep(3600)  # a model that does not answer
            yield "never"
        except asyncio.CancelledError:
            cancelled.set()
            raise

    async def consume() -> None:
        items = relay(source(), other_loop)
        assert await items.__anext__() == "first"
        await items.aclose()  # the client went away

    asyncio.run(consume())
    assert cancelled.wait(5)
