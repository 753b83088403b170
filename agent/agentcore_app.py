"""MyAIBOX agent: the Bedrock AgentCore Runtime entry point.

Run in the container as ``python -m agentcore_app`` (server only), locally as
``python agentcore_app.py [--stream | --server [--port N]]``, or ``uvicorn agentcore_app:app``.
Import cost is kept to bedrock_agentcore and the standard library: strands, tools and model
clients load in a background warm-up after the first ``/ping`` (or on the first ``invoke``),
never on the ``/ping`` or ``health`` path; with AGENT_EAGER_START=1 (AgentCore's snapshot
start) the warm-up runs before the server answers at all.
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
from genai.local import aws_credentials_hint, listening_line
from genai.logsetup import configure_logging
from genai.model_default import describe_default
from genai.output import scrub, scrub_stream, scrub_text
from genai.redact import redact
from genai.request import RequestError, parse_action, parse_invoke, wants_stream
from genai.server.app import AgentApp
from genai.server.responses import ChunkStreamResponse, DeferredJSONResponse
from genai.server.warmup import eager as eager_start
from genai.server.warmup import start_warm_up, warm_up_now
from genai.server.ws import IDLE_CLOSE_CODE, IdleTimeout, send_chunks, within_idle_timeout
from genai.ws_request import ClientGone, read_ws_payload
from starlette.middleware import Middleware

AGENT_VERSION = "1.0.0"
log = logging.getLogger("agentcore_app")
_started = time.time()
_provider: AgentProvider | None = None
WARM_UP_FALLBACK_SECONDS = 2.0


@contextlib.asynccontextmanager
async def _lifespan(_app: Any) -> AsyncIterator[None]:
    configure_logging()
    timer = None
    if eager_start():
        # Before uvicorn binds its socket: the first /ping finds everything loaded.
        started = time.perf_counter()
        if await asyncio.to_thread(warm_up_now, app):
            log.info("Eager start: warmed up in %.2f s before serving",
                     time.perf_counter() - started)
    else:
        # Warm-up follows the first /ping; this timer covers a server nobody pings.
        timer = asyncio.get_running_loop().call_later(WARM_UP_FALLBACK_SECONDS, _warm_up)
    yield
    if timer is not None:
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
        "default_model": describe_default(),
    }


def _quoted(exc: Exception) -> str:
    """The client's text as a JSON string, spaces escaped too: the same text, but never in a
    form log readers (fix-iam --from-logs) take for an AWS denial. Redacted before escaping."""
    return json.dumps(redact(str(exc))).replace(" ", "\\u0020")


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
        log.info("Rejected request: %s", _quoted(exc))
        message = scrub_text(str(exc))  # it may quote the client's text
        return _single(error_chunk(message)) if streaming else response_body(error=message)
    if streaming:
        return _logged_stream(scrub_stream(get_provider().stream(request, session_id)))
    return _logged_body(get_provider().run(request, session_id))


def _log_outcome(final: dict[str, Any] | None) -> None:
    """One line per invocation saying how it really ended (the framework logs every HTTP 200
    as "completed successfully"; logsetup drops that line)."""
    if final is not None and final.get("status") == "error":
        log.warning("Invocation failed: %s", final.get("error"))
    elif final is not None and final.get("status") in ("complete", "success"):
        log.info("Invocation succeeded")
    else:
        log.warning("Invocation ended early (client disconnected or cancelled)")


async def _logged_body(body: Any) -> dict[str, Any]:
    result = scrub(await body)
    _log_outcome(result)
    return result


async def _logged_stream(chunks: Any) -> AsyncIterator[dict[str, Any]]:
    last: dict[str, Any] | None = None
    try:
        async for chunk in chunks:
            last = chunk
            yield chunk
    finally:
        await chunks.aclose()
        _log_outcome(last if last is not None and "status" in last else None)


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
            payload = await within_idle_timeout(read_ws_payload(websocket))
        except IdleTimeout as exc:
            await websocket.send_json(error_chunk(str(exc)))
            await websocket.close(code=IDLE_CLOSE_CODE)
            return
        except RequestError as exc:
            log.info("Rejected request: %s", _quoted(exc))
            await websocket.send_json(error_chunk(str(exc)))
            return
        except ClientGone:
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
    parser.add_argument("--model", help="model id for the test request (default: settings, "
                        "else global.anthropic.claude-sonnet-4-6)")
    return parser.parse_args(argv)


async def _test_request(prompt: str, stream: bool, model: str | None = None) -> bool:
    """Send one request through ``dispatch``, print it; True when it ended in success."""
    payload: dict[str, Any] = {"prompt": prompt, "stream": stream}
    if model:
        payload["model_id"] = model
    result = dispatch(payload, None)
    if stream:
        last: dict[str, Any] = {}
        async for chunk in result:
            last = chunk
            print(f"data: {json.dumps(chunk, ensure_ascii=False)}", flush=True)
        return last.get("status") == "complete"
    body = await result if asyncio.iscoroutine(result) else result
    print(json.dumps(body, indent=2, ensure_ascii=False))
    return body.get("status") == "success"


def main(argv: list[str] | None = None) -> int:
    """Local testing as in the guide; in a container only ever run the server.

    Returns the exit status: 1 when the test request ended in ``status: error``.
    """
    if in_container():
        # Explicit: the framework only detects /.dockerenv or DOCKER_CONTAINER, so with just
        # AWS_EXECUTION_ENV set it would bind 127.0.0.1 and the runtime could not reach us.
        app.run(host="0.0.0.0", port=8080)  # noqa: S104 - the container port must be exposed
        return 0
    args = _parse_args(argv)
    hint = aws_credentials_hint(args.model)
    if hint:
        print(hint, file=sys.stderr)
    if args.server:
        print(listening_line("127.0.0.1", args.port), file=sys.stderr, flush=True)
        app.run(port=args.port, host="127.0.0.1")
        return 0
    configure_logging()
    ok = asyncio.run(_test_request(args.prompt, args.stream, args.model))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
