"""Throttling retries that fit inside the invocation deadline and remember what happened.

strands' default waits 4 s, 8 s, 16 s ... between throttled model calls: with a short
AGENT_TIMEOUT_SECONDS a 429 turned into "timed out". Here a retry is only made when its
back-off ends before the deadline, the provider's ``Retry-After`` (or ``retry-after-ms``) is
waited for when it is longer than the back-off, and the last throttling error is kept so the
final message can say "throttled". Imports strands: load lazily.
"""

from __future__ import annotations

import email.utils
import math
import time
from typing import Any

from strands import ModelRetryStrategy

from genai.config import _float, _int


def retry_after_seconds(exc: BaseException | None) -> float | None:
    """The wait a throttling error's HTTP response asked for (``retry-after-ms``, else
    ``Retry-After`` as seconds or an HTTP date), searched along the cause chain."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        headers = getattr(getattr(exc, "response", None), "headers", None)
        if headers is not None and hasattr(headers, "get"):
            value = _parse(headers.get("retry-after-ms"), headers.get("retry-after"))
            if value is not None:
                return value
        exc = exc.__cause__ or exc.__context__
    return None


def _parse(millis: Any, header: Any) -> float | None:
    for raw, scale in ((millis, 1000.0), (header, 1.0)):
        try:
            value = float(raw) / scale
        except (TypeError, ValueError):
            continue
        if math.isfinite(value) and value >= 0:
            return value
    if isinstance(header, str):
        try:
            when = email.utils.parsedate_to_datetime(header)
        except (TypeError, ValueError):
            return None
        return max(0.0, when.timestamp() - time.time())
    return None


class DeadlineRetry(ModelRetryStrategy):
    """Exponential back-off (MODEL_RETRY_DELAY_SECONDS, doubling) for MODEL_RETRY_ATTEMPTS
    attempts in all, never sleeping past ``deadline`` (a ``time.monotonic()`` value).

    A ``Retry-After`` longer than the back-off is the wait instead; one that ends after the
    deadline stops the retries and is kept in ``refused_retry_after`` for the message.
    """

    def __init__(self, deadline: float) -> None:
        attempts = max(1, _int("MODEL_RETRY_ATTEMPTS", 3))
        delay = max(0.0, _float("MODEL_RETRY_DELAY_SECONDS", 1.0))
        super().__init__(max_attempts=attempts, initial_delay=delay, max_delay=delay * 8)  # type: ignore[arg-type]
        self.deadline = deadline
        self.throttled_attempts = 0
        self.refused_retry_after: float | None = None
        self._retry_after: float | None = None

    def _calculate_delay(self, attempt: int) -> Any:
        delay = super()._calculate_delay(attempt)
        return max(delay, self._retry_after) if self._retry_after is not None else delay

    def is_retryable(self, exception: Exception) -> bool:
        """Count a throttled call; retry only if the back-off ends before the deadline."""
        if not super().is_retryable(exception):
            return False
        self.throttled_attempts += 1
        delay = self._calculate_delay(self._current_attempt)
        if time.monotonic() + delay < self.deadline:
            return True
        if self._retry_after is not None and self._retry_after >= delay:
            self.refused_retry_after = self._retry_after
        return False

    async def _handle_after_model_call(self, event: Any) -> None:
        # Consecutive throttled calls: a call that succeeds starts the count again. (strands
        # also resets its own state after the invocation, before we read ours.)
        if event.stop_response is not None:
            self.throttled_attempts = 0
            self.refused_retry_after = None
        self._retry_after = retry_after_seconds(event.exception)
        await super()._handle_after_model_call(event)
