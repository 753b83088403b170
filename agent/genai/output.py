"""Keep every answer encodable: model output must never break the response format.

Model text can hold lone UTF-16 surrogates (``\\ud800``); json.dumps(ensure_ascii=False) lets
them through and the UTF-8 encode that follows fails: a non-streaming reply became HTTP 500
and an SSE stream stopped without its metadata and final chunk. Each chunk and body passes
through ``scrub`` on its way out: lone surrogates become U+FFFD, nothing else changes.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any


def scrub_text(text: str) -> str:
    """``text`` with lone surrogates replaced by U+FFFD (a pair of halves is joined)."""
    if text.isascii():
        return text
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return text


def scrub(value: Any) -> Any:
    """``value`` (plain JSON data) with every string passed through ``scrub_text``."""
    if isinstance(value, str):
        return scrub_text(value)
    if isinstance(value, dict):
        return {scrub(k): scrub(v) for k, v in value.items()}
    if isinstance(value, list):
        return [scrub(v) for v in value]
    return value


async def scrub_stream(chunks: AsyncIterator[dict[str, Any]]) -> AsyncIterator[dict[str, Any]]:
    """``chunks``, each scrubbed; closing this closes ``chunks`` (a client that left)."""
    try:
        async for chunk in chunks:
            yield scrub(chunk)
    finally:
        aclose = getattr(chunks, "aclose", None)
        if aclose is not None:
            await aclose()
