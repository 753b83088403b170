"""Background warm-up: pay the first invocation's import and client costs before it comes.

Started once ``/ping`` has answered (or shortly after start-up if nothing pings), on a
daemon thread, so neither ``/ping`` nor the ``health`` action waits for it. It starts a
tool sandbox worker, builds the default model's client, and runs one whole invocation
(``AgentProvider.run``: every tool loaded, strands' first-run set-up) against a stub model
with built-in settings. It makes no network or AWS call. An invocation arriving meanwhile simply
shares the work (Python's import lock).
"""

from __future__ import annotations

import gc
import logging
import os
import threading
import time
from typing import Any

log = logging.getLogger(__name__)
WARM_UP_ROUNDS = 10
_started = threading.Event()
done = threading.Event()


def enabled() -> bool:
    """AGENT_WARMUP (true): set to false to skip the background warm-up."""
    return os.environ.get("AGENT_WARMUP", "true").strip().lower() not in {"0", "false", "no"}


def eager() -> bool:
    """AGENT_EAGER_START (off): warm up before the server answers anything.

    For AgentCore Runtime's snapshot start, which snapshots a version once it serves and
    starts sessions from that snapshot: the heavy imports and first-run set-up must be in the
    snapshot, not redone by every restored session after its first ``/ping``.
    """
    return os.environ.get("AGENT_EAGER_START", "").strip().lower() in {"1", "true", "yes", "on"}


def warm_up_now(app: Any = None) -> bool:
    """The warm-up in the calling thread (eager start); False when disabled or already
    started. Blocking: call it through ``asyncio.to_thread`` from a running loop."""
    if not enabled() or _started.is_set():
        return False
    _started.set()
    _warm_up(app)
    return True


def start_warm_up(app: Any = None) -> None:
    """Start the warm-up thread once per process (no-op when disabled or already started).

    With ``app`` (the ASGI app) the HTTP path is warmed too, by in-process ``health``
    actions that never leave the process.
    """
    if not enabled() or _started.is_set():
        return
    _started.set()
    threading.Thread(target=_warm_up, args=(app,), name="agent-warm-up", daemon=True).start()


async def _asgi_health(app: Any, body: bytes = b'{"action": "health"}') -> None:
    """One in-process ``POST /invocations`` (default: the health action) through ``app``."""
    import asyncio

    scope = {"type": "http", "asgi": {"version": "3.0", "spec_version": "2.3"},
             "http_version": "1.1", "method": "POST", "scheme": "http", "path": "/invocations",
             "raw_path": b"/invocations", "query_string": b"", "root_path": "",
             "headers": [(b"content-type", b"application/json"), (b"host", b"warm-up"),
                         (b"content-length", str(len(body)).encode())],
             "client": ("127.0.0.1", 0), "server": ("127.0.0.1", 0)}
    sent = asyncio.Event()
    messages = [{"type": "http.request", "body": body, "more_body": False}]

    async def receive() -> dict[str, Any]:
        if messages:
            return messages.pop()
        await sent.wait()
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.body" and not message.get("more_body"):
            sent.set()

    await app(scope, receive, send)


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


def _warm_up(app: Any) -> None:
    import asyncio

    started = time.perf_counter()
    try:
        from genai.agents.factory import build_model
        from genai.agents.models import resolve_model
        from genai.agents.provider import AgentProvider
        from genai.config import DEFAULT_MODEL_ID, AgentEnv
        from genai.request import InvokeRequest
        from genai.store.sessions import SessionStore
        from genai.store.settings import SettingsStore
        from genai.tools import catalog, sandbox

        if any(n in sandbox.SANDBOXED for n in catalog.ALL_TOOLS):
            sandbox.shared().prestart()  # its interpreter start overlaps with the rest
        try:  # the default model's client (Bedrock needs no key; nothing is sent)
            build_model(resolve_model(DEFAULT_MODEL_ID), AgentEnv.from_env())
        except Exception as exc:
            log.info("Warm-up: default model client not built (%s)", type(exc).__name__)
        # The whole invocation path once, offline: built-in settings (no table), every tool
        # loaded (the sandboxed ones wait for the worker's hello), a stub model, no session.
        stub = _stub_model()
        provider = AgentProvider(model_builder=lambda choice, env: stub,
                                 settings=SettingsStore(None), sessions=SessionStore(""))
        tool_config = {"legacy_tools": list(catalog.LEGACY_TOOLS), "strands_tools_enabled": True}
        request = InvokeRequest(prompt="warm up", tool_config=tool_config)

        async def invocations() -> None:
            # Several rounds: CPython specialises code after a few runs, not the first.
            for _ in range(WARM_UP_ROUNDS):
                body = await provider.run(request)
                if body["status"] != "success":
                    raise RuntimeError(body.get("error"))

        async def http_path(loop: Any) -> None:
            from genai.server.responses import ChunkStreamResponse, DeferredJSONResponse

            for _ in range(WARM_UP_ROUNDS):
                await _asgi_health(app)
                # The responses an invocation returns, fed by the stub provider.
                await _asgi_health(DeferredJSONResponse(provider.run(request), loop,
                                                        lambda body: b"{}"))
                await _asgi_health(ChunkStreamResponse(provider.stream(request), loop))

        if app is None:
            asyncio.run(invocations())
        else:  # on the loop real invocations use, so its thread pool is started too
            loop = app._ensure_worker_loop()
            asyncio.run_coroutine_threadsafe(invocations(), loop).result(timeout=120)
            asyncio.run(http_path(loop))
        # Imports leave hundreds of thousands of long-lived objects: collect once now and move
        # them out of the collector's reach, or the first invocation pays a full collection.
        gc.collect()
        gc.freeze()
        log.info("Warm-up done in %.2f s", time.perf_counter() - started)
    except Exception:
        log.warning("Warm-up failed; the first invocation will load what it needs",
                    exc_info=True)
    finally:
        done.set()
