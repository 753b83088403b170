"""Say what went wrong with the model provider: who, where, and what happened.

A client should read "Model provider OpenAI (api.example.com) is unreachable: connection
refused", not "Connection error.", and "throttled" rather than a timeout caused by retry
back-off. Covers OpenAI-compatible servers, Gemini and Bedrock (strands turns throttling of
all three into ``ModelThrottledException``).
"""

from __future__ import annotations

import errno
import os
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from genai.agents.errors import clip, sanitize


class ProviderResponseError(RuntimeError):
    """The provider answered, but not with a valid and complete response."""

    def __init__(self, detail: str, incomplete: bool = False) -> None:
        super().__init__(detail)
        self.detail = detail
        self.incomplete = incomplete


@dataclass(frozen=True)
class Endpoint:
    """The provider as clients should read it: label and host[:port]."""

    label: str
    host: str

    def __str__(self) -> str:
        return f"Model provider {self.label} ({self.host})"


def _host(url: str, default: str) -> str:
    return urlsplit(url).netloc.rsplit("@", 1)[-1] or default if url else default


def endpoint_for(provider: str, bedrock_region: str) -> Endpoint:
    """Where requests for ``provider`` go, from the same env vars the clients read."""
    if provider == "openai":
        return Endpoint("OpenAI", _host(os.environ.get("OPENAI_BASE_URL", ""), "api.openai.com"))
    if provider == "gemini":
        base = os.environ.get("GOOGLE_GEMINI_BASE_URL", "")
        return Endpoint("Gemini", _host(base, "generativelanguage.googleapis.com"))
    base = os.environ.get("AWS_ENDPOINT_URL_BEDROCK_RUNTIME") or os.environ.get(
        "AWS_ENDPOINT_URL", "")
    return Endpoint("Bedrock", _host(base, f"bedrock-runtime.{bedrock_region}.amazonaws.com"))


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def _unreachable_reason(chain: list[BaseException]) -> str | None:
    names = {type(e).__name__ for e in chain}
    for e in chain:
        if isinstance(e, socket.gaierror):
            return "host name not found"
        if isinstance(e, ConnectionRefusedError) or getattr(e, "errno", None) == errno.ECONNREFUSED:
            return "connection refused"
        text = str(e).lower()
        if "name or service not known" in text or "nodename nor servname" in text:
            return "host name not found"
        if "connection refused" in text:
            return "connection refused"
    if names & {"ConnectTimeout", "ConnectTimeoutError"}:
        return "connection timed out"
    if names & {"ConnectError", "EndpointConnectionError", "APIConnectionError"}:
        return "cannot connect"
    return None


def _is_throttled(chain: list[BaseException]) -> bool:
    for e in chain:
        if type(e).__name__ in {"ModelThrottledException", "RateLimitError"}:
            return True
        if getattr(e, "status_code", None) == 429 or getattr(e, "code", None) == 429:
            return True
    return False


def _status_error(exc: BaseException) -> str | None:
    """``returned HTTP 401: <message>`` for an OpenAI-SDK status error."""
    status = getattr(exc, "status_code", None)
    if not isinstance(status, int):
        return None
    body = getattr(exc, "body", None)
    message = ""
    if isinstance(body, dict):
        inner = body.get("error", body)
        message = str(inner.get("message", "")) if isinstance(inner, dict) else str(inner)
    message = message or str(getattr(exc, "message", "")) or type(exc).__name__
    return f"returned HTTP {status}: {message}"


_READ_TIMEOUTS = {"ReadTimeout", "APITimeoutError", "ReadTimeoutError", "WriteTimeout",
                  "PoolTimeout", "TimeoutException"}


def _status_in_chain(chain: list[BaseException]) -> str | None:
    return next((s for e in chain if (s := _status_error(e)) is not None), None)


def describe_provider_failure(
    exc: BaseException, endpoint: Endpoint, throttled_attempts: int = 0,
    retry_after: float | None = None, read_timeout: float | None = None,
) -> str | None:
    """One line for a failed model call, or None when ``exc`` is not a recognised
    provider failure (the caller then falls back to ``describe_error``).

    ``retry_after``: the provider's last Retry-After (seconds) when it was too long to wait
    for; ``read_timeout``: the model client's read timeout (MODEL_READ_TIMEOUT_SECONDS).
    """
    chain = _chain(exc)
    names = {type(e).__name__ for e in chain}
    if _is_throttled(chain):
        tries = f" (still throttled after {_attempts(throttled_attempts)})" \
            if throttled_attempts else ""
        if retry_after is not None:
            tries += (f"; it asked to retry after {retry_after:g} seconds (Retry-After), "
                      "later than the request's time limit allows")
        text = f"{endpoint} throttled the request: too many requests{tries}; try again later"
    elif "ContextWindowOverflowException" in names:
        said = _status_in_chain(chain)
        detail = f" ({said.removeprefix('returned ')})" if said else ""
        text = (f"{endpoint} refused the request: the conversation does not fit the model's "
                f"context window{detail}; send a shorter prompt or history")
    elif "MaxTokensReachedException" in names:
        text = (f"{endpoint} stopped the answer at the model's output token limit "
                "(finish reason 'length' / max_tokens); the answer is incomplete")
    elif any(isinstance(e, ProviderResponseError) for e in chain):
        bad = next(e for e in chain if isinstance(e, ProviderResponseError))
        kind = "an incomplete" if bad.incomplete else "an invalid"
        text = f"{endpoint} sent {kind} response: {bad.detail}"
    elif any(type(e).__name__ in {"RemoteProtocolError", "IncompleteRead"} for e in chain):
        text = f"{endpoint} sent an incomplete response: the connection closed mid-response"
    elif any(isinstance(e, ValueError) and type(e).__name__ == "JSONDecodeError" for e in chain):
        text = f"{endpoint} sent an invalid response: an event that is not valid JSON"
    elif any(type(e).__name__ == "LocalProtocolError" for e in chain):
        text = (f"{endpoint}: the request could not be sent (an HTTP header value is invalid; "
                "check the API key)")
    elif any(type(e).__name__ == "NoCredentialsError" for e in chain):
        from genai.model_default import NOTHING_CONFIGURED, nothing_configured

        text = NOTHING_CONFIGURED if nothing_configured() else \
            f"{endpoint}: no AWS credentials found"
    elif (status := _status_error(exc)) is not None:
        text = f"{endpoint} {status}"
    elif (reason := _unreachable_reason(chain)) is not None:
        text = f"{endpoint} is unreachable: {reason}"
    elif names & _READ_TIMEOUTS:
        waited = f" for {read_timeout:g} seconds" if read_timeout else ""
        text = (f"{endpoint} timed out: nothing received{waited} (the model client's read "
                "timeout, MODEL_READ_TIMEOUT_SECONDS)")
    else:
        return None
    return clip(sanitize(text))


_STOPPED = {
    "content_filtered": "its content filter blocked the answer (finish_reason "
                        "content_filter, stop reason content_filtered); the answer is incomplete",
    "guardrail_intervened": "a guardrail intervened; the answer is incomplete",
}


def describe_stop(stop_reason: str, endpoint: Endpoint, max_cycles: int) -> str | None:
    """The error for a run that ended without a full answer, or None for a normal end.

    ``limit_turns`` is strands' stop when our cycle cap (``max_cycles``) was reached.
    """
    if stop_reason == "limit_turns":
        return (f"Stopped after {max_cycles} model calls: the model kept asking for tools and "
                f"reached the cycle limit (max_cycles={max_cycles}; server default "
                "AGENT_MAX_CYCLES, maximum AGENT_MAX_CYCLES_LIMIT); no final answer was produced")
    if stop_reason in _STOPPED:
        return f"{endpoint} stopped: {_STOPPED[stop_reason]}"
    return None


def throttled_timeout(endpoint: Endpoint, timeout: float, attempts: int) -> str:
    """The final error when the deadline passed while the provider kept throttling."""
    return (f"{endpoint} throttled the request: too many requests ({_attempts(attempts)}); "
            f"gave up when the request's {timeout:g}-second limit was reached")


def _attempts(count: int) -> str:
    return f"{count} attempt" if count == 1 else f"{count} attempts"
