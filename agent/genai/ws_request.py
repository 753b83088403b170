"""Read the one request message of a ``/ws`` connection, refusing what HTTP would refuse.

A binary frame used to end the connection silently (``receive_text`` raised KeyError) and a
deeply nested JSON message too (RecursionError). Binary frames holding UTF-8 JSON are read
like text; everything malformed or over MAX_BODY_BYTES becomes a RequestError, which the
handler sends as one ``status: error`` chunk.
"""

from __future__ import annotations

import json
from typing import Any

from genai.config import max_body_bytes
from genai.http_errors import NESTED_TOO_DEEP, too_large_message
from genai.request import RequestError


class ClientGone(Exception):
    """The client closed the connection before sending its request."""


def _size(text: str) -> int:
    return len(text.encode("utf-8", "surrogatepass"))


async def read_ws_payload(websocket: Any) -> Any:
    """The decoded JSON payload; raises RequestError (bad message) or ClientGone."""
    message = await websocket.receive()
    if message["type"] == "websocket.disconnect":
        raise ClientGone
    limit = max_body_bytes()
    text = message.get("text")
    if text is None:
        data = message.get("bytes") or b""
        if len(data) > limit:
            raise RequestError(too_large_message(len(data), limit))
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise RequestError(
                "Invalid request: a binary message must hold UTF-8 JSON text") from None
    # Characters never outnumber UTF-8 bytes: count bytes only when it can matter.
    elif len(text) > limit or (len(text) * 4 > limit and _size(text) > limit):
        raise RequestError(too_large_message(_size(text), limit))
    try:
        return json.loads(text)
    except RecursionError:
        raise RequestError(NESTED_TOO_DEEP) from None
    except ValueError as exc:
        raise RequestError(f"Invalid JSON: {exc}") from None
