"""MyAIBOX agent: the Bedrock AgentCore Runtime entry point.

Run in the container as ``python -m agentcore_app`` (server only), locally as
``python agentcore_app.py [--stream | --server [--port N]]``, or ``uvicorn agentcore_app:app``.
Import cost is kept to bedrock_agentcore and the standard library: strands, tools and model
clients load in a background warm-up after the first ``/ping`` (or on the first ``invoke``),
never on the ``/ping`` or ``health`` path.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import sys
import time
from collections.abc import AsyncIterator
from typing import Any

from genai.agents.chunks import error_chunk
from genai.agents.errors import describe_error
from genai.agents.provider import AgentProvider, response_body
from genai.config import Limits, in_container
from genai.http_errors import ErrorBodyMiddleware
from genai.logsetup import configure_logging
from genai.request import RequestError, parse_action, parse_invoke, wants_stream
from genai.server.app import AgentApp
from genai.server.responses import ChunkStreamResponse, DeferredJSONResponse
from genai.server.warmup import start_warm_up
from genai.server.ws import (
    IDLE_CLOSE_CODE,
    IdleTimeout,
    idle_timeout_seconds,
    receive_text_within,
    send_chunks,
)
from starlette.middleware import Middleware

AGENT_VERSION = "1.0.0"
log = logging.getLogger("agentcore_app")
_started = time.time()
_provider: AgentProvider | None = None
WARM_UP_FALLBACK_SECONDS = 2.0


@contextlib.asynccontextmanager
async def _lifespan(_app: Any) -> AsyncIterator[None]:
    configure_logging()
    # Warm-up follows the first /ping; this timer covers a server nobody pings.
    timer = asyncio.get_running_loop().call_later(WARM_UP_FALLBACK_SECONDS, _warm_up)
    yield
    timer.cancel()
    if "genai.tools.sandbox" in sys.modules:  # kill tool worker processes
        sys.modules["genai.tools.sandbox"].reset()


def _warm_up() -> None:
    start_warm_up(app)


app = AgentApp(lifespan=_lifespan, middleware=[Middleware(ErrorBodyMiddleware)],
               after_first_ping=_warm_up)


def get_provider() -> AgentProvider:
    """The process-wide AgentProvider (created on first use)."""
    global _provider
    if _provider is None:
        _provider = AgentProvider()
    return _provider


def set_provider(provider: AgentProvider | None) -> None:
    """Replace the process-wide provider (embedding, tests); None resets it."""
    global _provider
    _provider = provider


def health() -> dict[str, Any]:
    """The ``health`` action body: no model, AWS or heavy import involved."""
    return {
        "status": "healthy",
        "service": "myaibox-agent",
        "version": AGENT_VERSION,
        "uptime_seconds": round(time.time() - _started, 3),
    }


async def _single(chunk: dict[str, Any]) -> AsyncIterator[dict[str, Any]]:
    yield chunk


def dispatch(payload: Any, session_id: str | None, force_stream: bool = False) -> Any:
    """Route one payload: a dict for health/bad input/non-streaming, else a chunk stream.

    Returns either a dict, an awaitable of a dict, or an async iterator of chunks.
    """
    streaming = force_stream or wants_stream(payload)
    try:
        if parse_action(payload) == "health":
            return _single(health()) if force_stream else health()
        request = parse_invoke(payload, Limits.from_env())
    except RequestError as exc:
        log.info("Rejected request: %s", exc)
        return _single(error_chunk(str(exc))) if streaming else response_body(error=str(exc))
    if streaming:
        return get_provider().stream(request, session_id)
    return get_provider().run(request, session_id)


@app.entrypoint
async def handle_request(payload: Any, context: Any = None) -> Any:
    """AgentCore entry point: a dict (health, bad input) or a response that runs the agent.

    Runs on the framework's worker loop; the returned response is driven by the server's
    loop, holds no thread while it waits and cancels the run if the client disconnects.
    """
    result = dispatch(payload, getattr(context, "session_id", None))
    if isinstance(result, dict):
        return result
    loop = asyncio.get_running_loop()
    if asyncio.iscoroutine(result):
        return DeferredJSONResponse(
            result, loop, lambda body: app._safe_serialize_to_json_string(body).encode(),
            on_error=lambda exc: response_body(error=describe_error(exc)),
        )
    return ChunkStreamResponse(result, loop, encode=app._convert_to_sse,
                               on_error=lambda exc: error_chunk(describe_error(exc)))


@app.websocket
async def ws_handler(websocket: Any, context: Any) -> None:
    """WebSocket at /ws: one JSON request in, the same chunks out, then close (as the guide).

    A connection that sends no request within WS_IDLE_TIMEOUT_SECONDS gets an error chunk and
    close code 1001; a client that disconnects mid-run stops the run.
    """
    await websocket.accept()
    try:
        try:
            raw = await receive_text_within(websocket, idle_timeout_seconds())
        except IdleTimeout as exc:
            await websocket.send_json(error_chunk(str(exc)))
            await websocket.close(code=IDLE_CLOSE_CODE)
            return
        try:
            payload = json.loads(raw)
        except ValueError as exc:
            await websocket.send_json(error_chunk(f"Invalid request: malformed JSON ({exc})"))
            return
        result = dispatch(payload, getattr(context, "session_id", None), force_stream=True)
        await send_chunks(websocket, result)
    finally:
        with contextlib.suppress(Exception):
            await websocket.close()


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="MyAIBOX agent (Bedrock AgentCore)")
    parser.add_argument("--stream", action="store_true", help="send one streaming test request")
    parser.add_argument("--server", action="store_true", help="serve on 127.0.0.1")
    parser.add_argument("--port", type=int, default=8080, help="server port (default 8080)")
    parser.add_argument("--prompt", default="Hello! What time is it?", help="test prompt")
    return parser.parse_args(argv)


async def _test_request(prompt: str, stream: bool) -> None:
    result = dispatch({"prompt": prompt, "stream": stream}, None)
    if stream:
        async for chunk in result:
            print(f"data: {json.dumps(chunk, ensure_ascii=False)}", flush=True)
    else:
        body = await result if asyncio.iscoroutine(result) else result
        print(json.dumps(body, indent=2, ensure_ascii=False))


def main(argv: list[str] | None = None) -> None:
    """Local testing as in the guide; in a container only ever run the server."""
    if in_container():
        # Explicit: the framework only detects /.dockerenv or DOCKER_CONTAINER, so with just
        # AWS_EXECUTION_ENV set it would bind 127.0.0.1 and the runtime could not reach us.
        app.run(host="0.0.0.0", port=8080)  # noqa: S104 - the container port must be exposed
        return
    args = _parse_args(argv)
    if args.server:
        app.run(port=args.port, host="127.0.0.1")
        return
    configure_logging()
    asyncio.run(_test_request(args.prompt, args.stream))


if __name__ == "__main__":
    main(sys.argv[1:])
