"""Drive one strands Agent run into chunks, under the whole-invocation deadline.

Two sources feed one asyncio queue, drained in order:

* a pump task iterating ``agent.stream_async`` (text, thinking, tool announcements, messages);
* an ``AfterToolCallEvent`` hook posting each tool call's result the moment that call ends.

strands runs the tools of one model turn concurrently and only yields their results together
(in the tool-result message) once all have finished; the hook is what lets a fast tool be
reported ``completed`` while a slow sibling is still running.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from typing import Any

from genai.agents.chunks import ChunkMapper

_EVENT, _TOOL_DONE, _END, _FAILED, _MODEL_START, _MODEL_END = range(6)


class DeadlineExceeded(Exception):
    """The whole-invocation deadline (AGENT_TIMEOUT_SECONDS) passed.

    Distinct from TimeoutError, which model clients raise for their own read timeouts.
    """


def _tool_done_hook(queue: asyncio.Queue, loop: asyncio.AbstractEventLoop) -> Any:
    """An AfterToolCallEvent callback posting (toolUseId, result) to ``queue``."""

    def on_tool_done(event: Any) -> None:
        _post(queue, loop, (_TOOL_DONE, dict(event.result)))

    return on_tool_done


def _post(queue: asyncio.Queue, loop: asyncio.AbstractEventLoop, item: tuple) -> None:
    try:
        running = asyncio.get_running_loop()
    except RuntimeError:
        running = None
    if running is loop:
        queue.put_nowait(item)
    else:  # strands ran the hook on another thread: hand it over safely
        loop.call_soon_threadsafe(queue.put_nowait, item)


def _model_call_hooks(queue: asyncio.Queue, loop: asyncio.AbstractEventLoop) -> tuple[Any, Any]:
    """Before/AfterModelCallEvent callbacks timing each model call (posted in stream order:
    strands runs them between the call's events)."""
    started: list[float] = []

    def before(event: Any) -> None:
        started[:] = [time.perf_counter()]
        _post(queue, loop, (_MODEL_START, None))

    def after(event: Any) -> None:
        if started:
            _post(queue, loop, (_MODEL_END, (time.perf_counter() - started.pop()) * 1000))

    return before, after


async def drive(
    agent: Any,
    prompt: str,
    invocation_state: dict[str, Any],
    mapper: ChunkMapper,
    timeout_seconds: float,
    max_cycles: int | None = None,
) -> AsyncIterator[dict[str, Any]]:
    """Chunks of one agent run; raises DeadlineExceeded or the run's own exception.

    ``max_cycles`` caps model-tool cycles (strands' ``limits.turns``): the run then ends
    with stop reason ``limit_turns`` (``mapper.stop_reason``), not an exception.
    """
    from strands.hooks import AfterModelCallEvent, AfterToolCallEvent, BeforeModelCallEvent

    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_seconds
    queue: asyncio.Queue = asyncio.Queue()
    agent.hooks.add_callback(AfterToolCallEvent, _tool_done_hook(queue, loop))
    before, after = _model_call_hooks(queue, loop)
    agent.hooks.add_callback(BeforeModelCallEvent, before)
    agent.hooks.add_callback(AfterModelCallEvent, after)
    limits = {"turns": max_cycles} if max_cycles else None

    async def pump() -> None:
        events = agent.stream_async(prompt, invocation_state=invocation_state, limits=limits)
        try:
            async for event in events:
                queue.put_nowait((_EVENT, event))
        except asyncio.CancelledError:
            raise
        except BaseException as exc:  # handed to the consumer, raised there
            queue.put_nowait((_FAILED, exc))
        else:
            queue.put_nowait((_END, None))
        finally:
            await events.aclose()

    task = asyncio.create_task(pump(), name="strands-stream")
    try:
        while True:
            try:
                async with asyncio.timeout_at(deadline):
                    kind, value = await queue.get()
            except TimeoutError:
                raise DeadlineExceeded from None
            if kind == _EVENT:
                chunks = mapper.map(value)
            elif kind == _TOOL_DONE:
                chunks = mapper.tool_done(value)
            elif kind == _MODEL_START:
                mapper.model_call_started()
                continue
            elif kind == _MODEL_END:
                mapper.model_call_ended(value)
                continue
            elif kind == _END:
                return
            else:
                raise value
            for chunk in chunks:
                yield chunk
    finally:
        if not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
