"""An OpenAIModel that refuses broken streams instead of reporting them as success.

strands' OpenAIModel skips events without ``choices`` and treats a stream that simply ends
as a finished answer, so an HTML page with HTTP 200, a proxy's junk events or a stream cut
mid-answer all came back as ``status: success``. Here the SDK's stream is checked as strands
reads it: every event needs ``choices`` (usage-only events carry ``choices: []``), events must
be JSON, and the stream must reach a ``finish_reason``. Imports strands/openai: load lazily.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

from strands.models.openai import OpenAIModel

from genai.agents.provider_errors import ProviderResponseError


class CheckedStream:
    """Wraps ``openai.AsyncStream``; iterable more than once (strands drains it twice)."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream
        self.events = 0
        self.finished = False

    def __aiter__(self) -> CheckedStream:
        return self

    async def __anext__(self) -> Any:
        try:
            event = await self._stream.__anext__()
        except StopAsyncIteration:
            self._check_end()
            raise
        except ValueError as exc:  # json.JSONDecodeError from the SDK's SSE parser
            raise ProviderResponseError(
                f"an event that is not valid JSON ({type(exc).__name__})") from exc
        self.events += 1
        choices = getattr(event, "choices", None)
        if choices is None:
            raise ProviderResponseError("an event without 'choices'")
        if any(getattr(c, "finish_reason", None) for c in choices):
            self.finished = True
        return event

    def _check_end(self) -> None:
        if self.finished:
            return
        if not self.events:
            response = getattr(self._stream, "response", None)
            kind = response.headers.get("content-type", "none") if response is not None else "?"
            status = getattr(response, "status_code", "?")
            raise ProviderResponseError(
                f"no events (HTTP {status}, content type {kind!r}; expected an event stream)")
        raise ProviderResponseError(
            "the stream ended before a finish_reason (cut short?)", incomplete=True)

    async def close(self) -> None:
        """Close the underlying stream."""
        await self._stream.close()


class _Completions:
    def __init__(self, completions: Any) -> None:
        self._completions = completions

    async def create(self, **kwargs: Any) -> Any:
        result = await self._completions.create(**kwargs)
        return CheckedStream(result) if kwargs.get("stream") else result

    def __getattr__(self, name: str) -> Any:
        return getattr(self._completions, name)


class _Chat:
    def __init__(self, chat: Any) -> None:
        self._chat = chat
        self.completions = _Completions(chat.completions)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._chat, name)


class _CheckedClient:
    def __init__(self, client: Any) -> None:
        self._client = client
        self.chat = _Chat(client.chat)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)


async def _throttling_is_ours(response: Any) -> None:
    """httpx response hook: the SDK must not retry a 429 itself.

    The SDK would sleep out a Retry-After of up to 120 s inside one model call, unseen by the
    agent's deadline-aware retry (which then reported "timed out"); ``x-should-retry: false``
    is the SDK's documented switch. DeadlineRetry retries throttling, honouring Retry-After.
    """
    if response.status_code == 429:
        response.headers["x-should-retry"] = "false"


class CheckedOpenAIModel(OpenAIModel):
    """OpenAIModel whose chat-completion streams are validated (see module doc)."""

    def _resolve_client_args(self) -> dict[str, Any]:
        import openai

        args = dict(super()._resolve_client_args())
        if "http_client" not in args:  # one per client: AsyncOpenAI closes it after each call
            args["http_client"] = openai.DefaultAsyncHttpxClient(
                event_hooks={"response": [_throttling_is_ours]})
        return args

    @contextlib.asynccontextmanager
    async def _get_client(self) -> AsyncIterator[Any]:
        async with super()._get_client() as client:
            yield _CheckedClient(client)
