"""Turn an agent's HTTP reply into chunks: SSE ``data:`` events, or one JSON body.

BedrockAgentCoreApp answers a streaming invocation with ``text/event-stream`` (each chunk a
``data: <json>`` event) and anything else with one JSON document. Both the local and the
AWS path feed their raw bytes through here, so the chunk shapes never differ by route.
"""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterable, Iterator
from typing import Any

from ..errors import AgentError

SSE_TYPE = "text/event-stream"


def is_event_stream(content_type: str | None) -> bool:
    """Whether a Content-Type header announces server-sent events."""
    return SSE_TYPE in (content_type or "").lower()


def parse_event_stream(blocks: Iterable[bytes]) -> Iterator[dict[str, Any]]:
    """Chunks from SSE bytes as they arrive (``blocks`` may split lines anywhere).

    Per the SSE format an event is one or more ``data:`` lines ended by a blank line; the
    agent sends one JSON object per event. Comments (``:``) and other fields are skipped.
    """
    pending = b""
    data: list[str] = []
    for block in blocks:
        pending += block
        *lines, pending = pending.split(b"\n")
        for raw in lines:
            chunk = _feed(raw, data)
            if chunk is not None:
                yield chunk
    for raw in ([pending] if pending else []) + [b""]:  # an unterminated last event counts
        chunk = _feed(raw, data)
        if chunk is not None:
            yield chunk


def _feed(raw: bytes, data: list[str]) -> dict[str, Any] | None:
    line = raw.decode("utf-8", errors="replace").rstrip("\r")
    if line == "":
        if not data:
            return None
        text = "\n".join(data)
        data.clear()
        return decode_chunk(text)
    if line.startswith("data:"):
        value = line[5:]
        data.append(value[1:] if value.startswith(" ") else value)
    return None


def decode_chunk(text: str) -> dict[str, Any]:
    """One event's data as a dict: JSON objects as they are, a JSON string as text."""
    try:
        value = json.loads(text)
    except ValueError:
        return {"raw": text}
    if isinstance(value, dict):
        return value
    if isinstance(value, str):
        return {"text": value}
    return {"value": value}


def parse_json_body(body: bytes) -> dict[str, Any]:
    """A non-streaming reply: one dict (an empty body is ``{}``, non-JSON is ``raw``)."""
    text = body.decode("utf-8", errors="replace").strip()
    return decode_chunk(text) if text else {}


def is_final_chunk(chunk: dict[str, Any]) -> bool:
    """The chunk that ends an agent's stream: ``status`` complete/error, or the framework's
    own ``{"error": ..., "error_type": ...}`` for a handler that raised mid-stream."""
    return chunk.get("status") in ("complete", "error") or "error" in chunk


def require_final_chunk(chunks: Iterable[dict[str, Any]], who: str) -> Iterator[dict[str, Any]]:
    """Pass ``chunks`` on; AgentError when the stream ends without its final chunk.

    A stream that simply stops (an agent that crashed or was stopped mid-answer) must not
    read as a success.
    """
    count, final = 0, False
    for chunk in chunks:
        count += 1
        final = final or is_final_chunk(chunk)
        yield chunk
    if not final:
        raise AgentError(
            f"{who}'s stream ended without its final status chunk (after {count} chunks); "
            "the answer may be incomplete",
            hint="The agent stopped mid-answer: see its log (`aibox-ops logs --since 15m`, "
                 "or the local server's output).")


def broken_stream(who: str, exc: BaseException) -> AgentError:
    """AgentError for a stream whose connection failed mid-answer, in plain words (not
    ``IncompleteRead(0 bytes read)``)."""
    text = str(exc)
    if (isinstance(exc, (http.client.IncompleteRead, ConnectionError))
            or "IncompleteRead" in text or "Connection broken" in text):
        reason = "the connection closed before the stream ended"
    elif isinstance(exc, TimeoutError) or "timed out" in text.lower():
        reason = "no data arrived within the read timeout"
    else:
        reason = text or type(exc).__name__
    return AgentError(f"{who}'s stream broke off: {reason}; the answer is incomplete")
