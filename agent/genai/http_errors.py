"""ASGI middleware: every answer of POST /invocations the framework makes is ``status: error``.

BedrockAgentCoreApp answers some bad requests itself before our entrypoint runs: a malformed
JSON body (HTTP 400 ``{"error", "details"}``), and anything ``request.json()`` raises besides a
decode error (JSON nested ~1000 levels deep raises RecursionError) escapes as HTTP 500
``text/plain``. This middleware also refuses bodies over MAX_BODY_BYTES before anything parses
them: by Content-Length when given, else while reading (chunked uploads).
"""

from __future__ import annotations

import json
import logging
from typing import Any

from genai.config import max_body_bytes
from genai.redact import redact

Scope = dict[str, Any]
log = logging.getLogger(__name__)


def error_body(message: str) -> dict[str, Any]:
    """The guide's non-streaming body for a failed request."""
    return {"response": "", "tool_calls": [], "metadata": {}, "status": "error",
            "error": redact(message)}


def too_large_message(size: int | None, limit: int) -> str:
    """The error text for an oversized body or WebSocket message."""
    got = f"{size} bytes" if size is not None else f"more than {limit} bytes"
    return f"Invalid request: body too large ({got}, limit {limit} bytes; MAX_BODY_BYTES)"


NESTED_TOO_DEEP = "Invalid JSON: nested too deeply"


async def send_error(send: Any, status: int, message: str) -> None:
    """Send a complete JSON ``status: error`` response (and log it)."""
    if status >= 500:
        log.error("Request failed before a response: %s", message, exc_info=True)
    else:
        log.info("Rejected request (HTTP %d): %s", status, message)
    payload = json.dumps(error_body(message)).encode()
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())]})
    await send({"type": "http.response.body", "body": payload})


class ErrorBodyMiddleware:
    """Bound, then guard POST /invocations: oversized bodies and framework errors."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope.get("type") != "http" or scope.get("path") != "/invocations":
            await self.app(scope, receive, send)
            return
        limit = max_body_bytes()
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await send_error(send, 413, too_large_message(declared, limit))
            return
        body = await _read_body(receive, limit)
        if body is None:  # the client went away while sending
            return
        if len(body) > limit:
            await send_error(send, 413, too_large_message(None, limit))
            return
        await self._guarded(scope, _replay(body, receive), send)

    async def _guarded(self, scope: Scope, receive: Any, send: Any) -> None:
        held: dict[str, Any] = {}
        started = False
        body = bytearray()

        async def wrapped_send(message: dict[str, Any]) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                if message["status"] >= 400:
                    held["start"] = message
                    return
            if "start" not in held:
                await send(message)
                return
            body.extend(message.get("body", b""))
            if message.get("more_body"):
                return
            new_body = _rewrite(bytes(body))
            start = held["start"]
            headers = [(k, v) for k, v in start["headers"]
                       if k.lower() not in (b"content-length", b"content-type")]
            headers += [(b"content-type", b"application/json"),
                        (b"content-length", str(len(new_body)).encode())]
            await send({**start, "headers": headers})
            await send({"type": "http.response.body", "body": new_body})

        try:
            await self.app(scope, receive, wrapped_send)
        except RecursionError:
            if started:
                raise
            await send_error(send, 400, NESTED_TOO_DEEP)
        except Exception as exc:
            if started:
                raise
            await send_error(send, 500, f"Internal error ({type(exc).__name__})")


def _content_length(scope: Scope) -> int | None:
    for key, value in scope.get("headers") or ():
        if key.lower() == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _read_body(receive: Any, limit: int) -> bytes | None:
    """The request body, stopping once it exceeds ``limit`` (the rest is never buffered)."""
    body = bytearray()
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        body.extend(message.get("body", b""))
        if len(body) > limit or not message.get("more_body"):
            return bytes(body)


def _replay(body: bytes, receive: Any) -> Any:
    """A ``receive`` giving the buffered body once, then the client's own messages."""
    sent = False

    async def replay() -> dict[str, Any]:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()  # http.disconnect: lets streams notice a client that left

    return replay


def _rewrite(body: bytes) -> bytes:
    try:
        data = json.loads(body)
    except ValueError:
        data = {"error": body.decode("utf-8", "replace").strip() or "Request failed"}
    if not isinstance(data, dict):
        data = {"error": str(data)}
    if data.get("status") == "error":
        return body
    error = str(data.get("error") or "Request failed")
    if data.get("details"):
        error = f"{error}: {data['details']}"
    return json.dumps(error_body(error)).encode()
