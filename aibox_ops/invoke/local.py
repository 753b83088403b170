"""Invoke an agent served over plain HTTP (``deploy --local``, or any BedrockAgentCoreApp).

Standard library only (http.client): the request costs no import beyond what the CLI has
loaded, and chunks are handed on as soon as the socket delivers them (``read1``).
"""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from ..errors import AgentError, InputError
from .session_id import new_session_id, session_id_problem
from .sse import (
    broken_stream,
    is_event_stream,
    parse_event_stream,
    parse_json_body,
    require_final_chunk,
)

SESSION_HEADER = "X-Amzn-Bedrock-AgentCore-Runtime-Session-Id"
ACCEPT = "text/event-stream, application/json"
CONNECT_TIMEOUT = 5.0
# Between two chunks the agent may run a long tool; its own deadline is 900 s by default.
READ_TIMEOUT = 930.0
READ_SIZE = 65536


def encode_payload(payload: Any) -> bytes:
    """The request body: a dict/list as JSON, a str or bytes as given."""
    if isinstance(payload, bytes):
        return payload
    if isinstance(payload, str):
        return payload.encode("utf-8")
    return json.dumps(payload, ensure_ascii=False).encode("utf-8")


def invocations_url(url: str) -> tuple[str, int, str]:
    """(host, port, path) of the invocations endpoint for a base or full agent URL."""
    parts = urlsplit(url if "://" in url else f"http://{url}")
    if parts.scheme != "http" or not parts.hostname:
        raise InputError([f"agent URL {url!r}: expected http://HOST:PORT"])
    path = parts.path.rstrip("/") or ""
    if not path.endswith("/invocations"):
        path += "/invocations"
    return parts.hostname, parts.port or 80, path


def invoke_local(url: str, payload: Any, session_id: str | None = None) -> Iterator[dict]:
    """POST ``payload`` to the agent at ``url``; yields chunks (one dict for a JSON reply).

    The session id travels in the AgentCore session header (a new one when None) so the
    agent keeps history per session as it does in AWS. Raises AgentError when nothing
    answers or the agent replies with an HTTP error.
    """
    host, port, path = invocations_url(url)
    session_id = session_id or new_session_id()
    problem = session_id_problem(session_id)
    if problem:
        raise InputError([f"--session-id: {problem}"])
    body = encode_payload(payload)
    headers = {"Content-Type": "application/json", "Accept": ACCEPT,
               SESSION_HEADER: session_id}
    return _exchange(host, port, path, body, headers)


def _exchange(host: str, port: int, path: str, body: bytes,
              headers: dict[str, str]) -> Iterator[dict]:
    where = f"http://{host}:{port}"
    conn = http.client.HTTPConnection(host, port, timeout=CONNECT_TIMEOUT)
    try:
        try:
            conn.connect()
            conn.sock.settimeout(READ_TIMEOUT)
            conn.request("POST", path, body=body, headers=headers)
            response = conn.getresponse()
        except OSError as exc:
            raise AgentError(
                f"no agent answers at {where} ({exc.strerror or exc})",
                hint="Start one with `aibox-ops deploy --local`.",
            ) from None
        if response.status >= 400:
            raise _http_error(where, response.status, response.read())
        if is_event_stream(response.getheader("Content-Type")):
            yield from require_final_chunk(parse_event_stream(_blocks(response)), "the agent")
        else:
            yield parse_json_body(response.read())
    finally:
        conn.close()


def _blocks(response: http.client.HTTPResponse) -> Iterator[bytes]:
    while True:
        try:
            block = response.read1(READ_SIZE)
        except (OSError, http.client.HTTPException) as exc:
            raise broken_stream("the agent", exc) from None
        if not block:
            return
        yield block


def _http_error(where: str, status: int, body: bytes) -> AgentError:
    detail = parse_json_body(body)
    message = detail.get("error") or detail.get("message") or detail.get("raw") or ""
    return AgentError(f"the agent at {where} answered HTTP {status}: {message}".rstrip(": "))
