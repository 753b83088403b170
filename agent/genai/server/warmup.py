"""Background warm-up: pay the first invocation's import and client costs before it comes.

Started once ``/ping`` has answered (or shortly after start-up if nothing pings), on a
daemon thread, so neither ``/ping`` nor the ``health`` action waits for it. It imports
strands and the default tool modules, builds the default model's client, runs one
in-process agent turn against a stub model (strands' first-run set-up), and starts a tool
sandbox worker. It makes no network or AWS call. An invocation arriving meanwhile simply
shares the work (Python's import lock).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from typing import Any

log = logging.getLogger(__name__)
_started = threading.Event()
done = threading.Event()


def enabled() -> bool:
    """AGENT_WARMUP (true): set to false to skip the background warm-up."""
    return os.environ.get("AGENT_WARMUP", "true").strip().lower() not in {"0", "false", "no"}


def start_warm_up() -> None:
    """Start the warm-up thread once per process (no-op when disabled or already started)."""
    if not enabled() or _started.is_set():
        return
    _started.set()
    threading.Thread(target=_warm_up, name="agent-warm-up", daemon=True).start()


def _stub_model() -> Any:
    from strands.models import Model

    class _Stub(Model):
        """Answers one short text without any I/O."""

        def update_config(self, **config: Any) -> None:
            pass

        def get_config(self) -> dict[str, Any]:
            return {"model_id": "warm-up"}

        async def structured_output(self, *args: Any, **kwargs: Any) -> Any:
            raise NotImplementedError
            yield  # pragma: no cover

        async def stream(self, *args: Any, **kwargs: Any) -> Any:
            yield {"messageStart": {"role": "assistant"}}
            yield {"contentBlockDelta": {"delta": {"text": "ok"}}}
            yield {"contentBlockStop": {}}
            yield {"messageStop": {"stopReason": "end_turn"}}
            yield {"metadata": {"usage": {"inputTokens": 0, "outputTokens": 0,
                                          "totalTokens": 0}, "metrics": {"latencyMs": 0}}}

    return _Stub()


def _warm_up() -> None:
    import asyncio

    started = time.perf_counter()
    try:
        from strands import Agent

        from genai.agents.chunks import ChunkMapper
        from genai.agents.drive import drive
        from genai.agents.factory import build_model
        from genai.agents.models import resolve_model
        from genai.config import DEFAULT_MODEL_ID, AgentEnv
        from genai.tools import catalog, sandbox

        names = catalog.select_tools(True, list(catalog.LEGACY_TOOLS), True)
        tools = [catalog.load_tool(n) for n in names if n not in sandbox.SANDBOXED]
        if any(n in sandbox.SANDBOXED for n in names):
            sandbox.shared().prestart()
        try:  # the default model's client (Bedrock needs no key; nothing is sent)
            build_model(resolve_model(DEFAULT_MODEL_ID), AgentEnv.from_env())
        except Exception as exc:
            log.info("Warm-up: default model client not built (%s)", type(exc).__name__)
        agent = Agent(model=_stub_model(), tools=tools, callback_handler=None, name="warm-up")

        async def one_turn() -> None:
            async for _ in drive(agent, "warm up", {}, ChunkMapper(), 30.0):
                pass

        asyncio.run(one_turn())
        log.info("Warm-up done in %.2f s", time.perf_counter() - started)
    except Exception:
        log.warning("Warm-up failed; the first invocation will load what it needs",
                    exc_info=True)
    finally:
        done.set()
