"""Throttling retries that fit inside the invocation deadline and remember what happened.

strands' default waits 4 s, 8 s, 16 s ... between throttled model calls: with a short
AGENT_TIMEOUT_SECONDS a 429 turned into "timed out". Here a retry is only made when its
back-off ends before the deadline, and the last throttling error is kept so the final
message can say "throttled". Imports strands: load lazily.
"""

from __future__ import annotations

import time
from typing import Any

from strands import ModelRetryStrategy

from genai.config import _float, _int


class DeadlineRetry(ModelRetryStrategy):
    """Exponential back-off (MODEL_RETRY_DELAY_SECONDS, doubling) for MODEL_RETRY_ATTEMPTS
    attempts in all, never sleeping past ``deadline`` (a ``time.monotonic()`` value)."""

    def __init__(self, deadline: float) -> None:
        attempts = max(1, _int("MODEL_RETRY_ATTEMPTS", 3))
        delay = max(0.0, _float("MODEL_RETRY_DELAY_SECONDS", 1.0))
        super().__init__(max_attempts=attempts, initial_delay=delay, max_delay=delay * 8)  # type: ignore[arg-type]
        self.deadline = deadline
        self.throttled_attempts = 0

    def is_retryable(self, exception: Exception) -> bool:
        """Count a throttled call; retry only if the back-off ends before the deadline."""
        if not super().is_retryable(exception):
            return False
        self.throttled_attempts += 1
        delay = self._calculate_delay(self._current_attempt)
        return time.monotonic() + delay < self.deadline

    async def _handle_after_model_call(self, event: Any) -> None:
        # Consecutive throttled calls: a call that succeeds starts the count again. (strands
        # also resets its own state after the invocation, before we read ours.)
        if event.stop_response is not None:
            self.throttled_attempts = 0
        await super()._handle_after_model_call(event)
