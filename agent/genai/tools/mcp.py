"""MCP tool servers from settings (``mcp_servers``), as strands MCPClient tool providers.

Each entry: ``{"name", "transport": "stdio"|"streamable_http"|"sse", "command", "args",
"env", "url", "headers"}``. Servers come from the operator's settings table, not the request.

``start_mcp_clients`` starts every server concurrently, each in a thread under a bounded
timeout; a server that fails or hangs is skipped (one log line naming it, never its env,
headers or args) and reported back, so one bad server never fails the request. A skipped
server is not retried for ``FAILURE_TTL_SECONDS``, so a hanging one cannot pile up threads.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sys
import threading
import time
import urllib.parse
from typing import Any

from genai.agents.errors import clip, innermost_message, sanitize

log = logging.getLogger(__name__)
DEFAULT_STARTUP_SECONDS = 15
FAILURE_TTL_SECONDS = 60.0
_failures: dict[str, tuple[float, str]] = {}
_lock = threading.Lock()


def startup_seconds() -> int:
    """MCP_STARTUP_TIMEOUT_SECONDS (15): how long one server may take to start."""
    try:
        value = int(os.environ.get("MCP_STARTUP_TIMEOUT_SECONDS") or DEFAULT_STARTUP_SECONDS)
    except ValueError:
        value = DEFAULT_STARTUP_SECONDS
    return value if value > 0 else DEFAULT_STARTUP_SECONDS


def server_label(server: dict[str, Any]) -> str:
    """How logs and metadata name a server: its name, else command, else URL host and path."""
    if server.get("name"):
        return str(server["name"])
    if server.get("command"):
        return os.path.basename(str(server["command"]))
    parts = urllib.parse.urlsplit(str(server.get("url") or ""))
    return f"{parts.hostname or '?'}{parts.path}" if parts.hostname else "unnamed"


def _secrets(server: dict[str, Any]) -> list[str]:
    values: list[str] = []
    for key in ("env", "headers"):
        mapping = server.get(key)
        if isinstance(mapping, dict):
            values += [str(v) for v in mapping.values() if len(str(v)) >= 4]
    return values


def _reason(exc: BaseException, server: dict[str, Any]) -> str:
    """Client-safe failure text: root cause, no object reprs, no env/header values."""
    root = innermost_message(exc)
    detail = str(root).strip()
    text = f"{type(root).__name__}: {detail}" if detail else type(root).__name__
    for secret in _secrets(server):
        text = text.replace(secret, "***")
    return clip(sanitize(text))


def _client(server: dict[str, Any], client_cls: Any, timeout: int) -> Any:
    kind = server.get("transport") or ("stdio" if server.get("command") else "streamable_http")
    if kind == "stdio":
        from mcp import StdioServerParameters, stdio_client

        params = StdioServerParameters(
            command=str(server["command"]),
            args=[str(a) for a in server.get("args", [])],
            env={str(k): str(v) for k, v in (server.get("env") or {}).items()} or None,
        )
        # The server's stderr goes to the process's own stderr, named at call time: mcp binds
        # ``errlog=sys.stderr`` when it is first imported, which may be a stream that has
        # since been replaced (or has no file descriptor, so the spawn fails).
        errlog = sys.__stderr__ if sys.__stderr__ is not None else sys.stderr
        return client_cls(lambda: stdio_client(params, errlog=errlog), startup_timeout=timeout)
    url, headers = str(server["url"]), server.get("headers")
    if kind == "sse":
        from mcp.client.sse import sse_client

        return client_cls(lambda: sse_client(url, headers=headers), startup_timeout=timeout)
    if kind == "streamable_http":
        return client_cls(url=url, headers=headers, startup_timeout=timeout)
    raise ValueError(f"unknown transport {kind!r}")


def mcp_clients(servers: tuple[dict[str, Any], ...] | list[dict[str, Any]]) -> list[Any]:
    """MCPClient objects (not started) for valid entries; invalid ones are skipped."""
    from strands.tools.mcp import MCPClient

    clients = []
    for server in servers:
        try:
            clients.append(_client(server, MCPClient, startup_seconds()))
        except (KeyError, ImportError, TypeError, ValueError) as exc:
            log.warning("MCP server %r skipped: %s", server_label(server), _reason(exc, server))
    return clients


def _build(server: dict[str, Any]) -> Any:
    from strands.tools.mcp import MCPClient

    return _client(server, MCPClient, startup_seconds())


def _load(client: Any) -> None:
    """Start the client and list its tools (blocking; cached on the client for the Agent)."""
    asyncio.run(client.load_tools())


def _in_daemon_thread(fn: Any, *args: Any) -> asyncio.Future[Any]:
    """Run ``fn`` in its own daemon thread; a future on the running loop gets the outcome.

    Not the loop's default executor: a server that hangs would hold one of its few workers
    (settings, sessions and key lookups use them) until the server process exits.
    """
    loop = asyncio.get_running_loop()
    future: asyncio.Future[Any] = loop.create_future()

    def settle(ok: bool, value: Any) -> None:
        if future.done():
            return
        if ok:
            future.set_result(value)
        else:
            future.set_exception(value)

    def run() -> None:
        try:
            outcome = (True, fn(*args))
        except BaseException as exc:  # delivered to the awaiting coroutine
            outcome = (False, exc)
        with contextlib.suppress(RuntimeError):  # the loop is gone: nobody is waiting
            loop.call_soon_threadsafe(settle, *outcome)

    threading.Thread(target=run, name="mcp-start", daemon=True).start()
    return future


def _stop_in_background(client: Any) -> None:
    """Stop a client without waiting: strands joins its thread, which a hung server blocks."""

    def stop() -> None:
        try:
            client.stop(None, None, None)
        except Exception:  # already stopped or half-started: nothing more to release
            log.debug("MCP client stop failed", exc_info=True)

    threading.Thread(target=stop, name="mcp-stop", daemon=True).start()


async def _start_one(server: dict[str, Any]) -> tuple[Any | None, dict[str, str] | None]:
    label = server_label(server)
    with _lock:
        failed = _failures.get(label)
    if failed is not None and time.monotonic() < failed[0]:
        return None, {"server": label, "error": failed[1]}
    client = None
    try:
        client = await asyncio.to_thread(_build, server)
        timeout = startup_seconds()
        try:
            await asyncio.wait_for(_in_daemon_thread(_load, client), timeout + 1)
        except TimeoutError:
            raise TimeoutError(f"did not start within {timeout} seconds") from None
        return client, None
    except Exception as exc:
        if client is not None:
            _stop_in_background(client)
        reason = _reason(exc, server)
        log.warning("MCP server %r skipped: %s", label, reason)
        with _lock:
            _failures[label] = (time.monotonic() + FAILURE_TTL_SECONDS, reason)
        return None, {"server": label, "error": reason}


async def start_mcp_clients(
    servers: tuple[dict[str, Any], ...] | list[dict[str, Any]],
) -> tuple[list[Any], list[dict[str, str]]]:
    """Start all servers concurrently; (started clients, [{"server", "error"}] for skipped)."""
    results = await asyncio.gather(*(_start_one(s) for s in servers))
    clients = [client for client, _ in results if client is not None]
    errors = [error for _, error in results if error is not None]
    return clients, errors


def clear_failures() -> None:
    """Forget remembered start-up failures (tests, or after fixing a server)."""
    with _lock:
        _failures.clear()
