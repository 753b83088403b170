"""Responses that run the agent on the framework's worker loop and stop it on disconnect.

The entry point (running on the worker loop) returns one of these; the framework passes a
Starlette ``Response`` through unchanged, and the server's main loop then drives it. While
the answer is produced each response also waits for ``http.disconnect``: a client that goes
away cancels the run (model call and tools included) instead of leaving it to finish.
"""

from __future__ import annotations

import asyncio
import contextvars
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from starlette.responses import Response

from genai.server.relay import relay, relay_result
from genai.server.watch import until_gone

log = logging.getLogger(__name__)
Encoder = Callable[[Any], bytes]


def sse_bytes(chunk: Any) -> bytes:
    """``data: <json>\\n\\n`` as the framework frames SSE events."""
    return f"data: {json.dumps(chunk, ensure_ascii=False)}\n\n".encode()


async def _wait_for_disconnect(receive: Callable[[], Awaitable[dict[str, Any]]]) -> None:
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return


class ChunkStreamResponse(Response):
    """SSE of an agent chunk stream iterated on ``loop`` (no thread held while waiting)."""

    media_type = "text/event-stream"

    def __init__(self, chunks: AsyncIterator[Any], loop: asyncio.AbstractEventLoop,
                 encode: Encoder = sse_bytes, on_error: Callable[[Exception], Any] | None = None
                 ) -> None:
        self.chunks = chunks
        self.loop = loop
        self.context = contextvars.copy_context()
        self.encode = encode
        self.on_error = on_error
        self.status_code = 200
        self.background = None
        self.init_headers(None)

    async def _stream(self, send: Any) -> None:
        await send({"type": "http.response.start", "status": self.status_code,
                    "headers": self.raw_headers})
        try:
            async for chunk in relay(self.chunks, self.loop, self.context):
                await send({"type": "http.response.body", "body": self.encode(chunk),
                            "more_body": True})
        except Exception as exc:  # never end a stream without a final chunk
            if self.on_error is None:
                raise
            log.exception("Stream failed")
            await send({"type": "http.response.body", "body": self.encode(self.on_error(exc)),
                        "more_body": True})
        await send({"type": "http.response.body", "body": b"", "more_body": False})

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await until_gone(self._stream(send), _wait_for_disconnect(receive))


class DeferredJSONResponse(Response):
    """A JSON body computed by ``work`` on ``loop``, abandoned if the client disconnects."""

    media_type = "application/json"

    def __init__(self, work: Awaitable[Any], loop: asyncio.AbstractEventLoop,
                 render: Callable[[Any], bytes],
                 on_error: Callable[[Exception], Any] | None = None) -> None:
        self.work = work
        self.loop = loop
        self.context = contextvars.copy_context()
        self.render = render
        self.on_error = on_error
        self.status_code = 200
        self.background = None
        self.init_headers(None)

    async def _answer(self, send: Any) -> None:
        try:
            value = await relay_result(self.work, self.loop, self.context)
        except Exception as exc:  # answer with the error body, never a bare 500
            if self.on_error is None:
                raise
            log.exception("Invocation failed")
            value = self.on_error(exc)
        body = self.render(value)
        headers = [(k, v) for k, v in self.raw_headers if k != b"content-length"]
        headers.append((b"content-length", str(len(body)).encode()))
        await send({"type": "http.response.start", "status": self.status_code,
                    "headers": headers})
        await send({"type": "http.response.body", "body": body, "more_body": False})

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await until_gone(self._answer(send), _wait_for_disconnect(receive))
