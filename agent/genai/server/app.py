"""AgentApp: BedrockAgentCoreApp with a thread-free /ping and a bounded shutdown.

Starlette runs a plain ``def`` endpoint in anyio's thread pool (40 tokens). The framework's
``/ping`` is such an endpoint, and its streams each hold a token while they wait (see
``genai.server.relay``), so under streaming load health checks queued behind the streams.
Here ``/ping`` is a coroutine answered on the server's loop without any thread, and the
entry point returns ``genai.server.responses`` objects whose streams hold no thread either.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from typing import Any

from bedrock_agentcore import BedrockAgentCoreApp

log = logging.getLogger(__name__)
DEFAULT_SHUTDOWN_GRACE_SECONDS = 3


def shutdown_grace_seconds() -> int:
    """SHUTDOWN_GRACE_SECONDS (3): how long SIGTERM waits for open requests before cancelling."""
    try:
        value = int(os.environ.get("SHUTDOWN_GRACE_SECONDS", DEFAULT_SHUTDOWN_GRACE_SECONDS))
    except ValueError:
        return DEFAULT_SHUTDOWN_GRACE_SECONDS
    return value if value >= 0 else DEFAULT_SHUTDOWN_GRACE_SECONDS


class AgentApp(BedrockAgentCoreApp):
    """The framework app with an async ``/ping`` and a hook run after the first one."""

    def __init__(self, *args: Any, after_first_ping: Callable[[], None] | None = None,
                 **kwargs: Any) -> None:
        self._after_first_ping = after_first_ping
        super().__init__(*args, **kwargs)

    async def _handle_ping(self, request: Any) -> Any:  # type: ignore[override]
        # The parent's body is pure (status bookkeeping, no I/O): run it on the loop.
        response = super()._handle_ping(request)
        hook, self._after_first_ping = self._after_first_ping, None
        if hook is not None:
            try:
                self._ensure_worker_loop()  # the first invocation would start it otherwise
                hook()
            except Exception:
                log.warning("After-first-ping hook failed", exc_info=True)
        return response

    def run(self, port: int = 8080, host: str | None = None, **kwargs: Any) -> None:
        """Serve; on SIGTERM wait at most SHUTDOWN_GRACE_SECONDS for open requests.

        uvicorn waits for open connections without limit by default, so one stream waiting
        on a slow model would keep a terminated container alive until its deadline.
        """
        kwargs.setdefault("timeout_graceful_shutdown", shutdown_grace_seconds())
        super().run(port, host, **kwargs)
