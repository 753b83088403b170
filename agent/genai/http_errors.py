"""ASGI middleware giving framework-made error bodies the agent's ``status: error`` shape.

BedrockAgentCoreApp answers a malformed JSON body itself (HTTP 400 ``{"error", "details"}``)
before our entrypoint runs; clients of MyAIBOX look for ``status``.
"""

from __future__ import annotations

import json
from typing import Any

Scope = dict[str, Any]


class ErrorBodyMiddleware:
    """Rewrite JSON error responses of POST /invocations to include ``status: error``."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope.get("type") != "http" or scope.get("path") != "/invocations":
            await self.app(scope, receive, send)
            return
        held: dict[str, Any] = {}
        body = bytearray()

        async def wrapped_send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start" and message["status"] >= 400:
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
            headers = [(k, v) for k, v in start["headers"] if k.lower() != b"content-length"]
            headers.append((b"content-length", str(len(new_body)).encode()))
            await send({**start, "headers": headers})
            await send({"type": "http.response.body", "body": new_body})

        await self.app(scope, receive, wrapped_send)


def _rewrite(body: bytes) -> bytes:
    try:
        data = json.loads(body)
    except ValueError:
        return body
    if not isinstance(data, dict) or "status" in data:
        return body
    error = str(data.get("error") or "Request failed")
    if data.get("details"):
        error = f"{error}: {data['details']}"
    return json.dumps({"status": "error", "error": error}).encode()
