"""MCP tool servers from settings (``mcp_servers``), as strands MCPClient tool providers.

Each entry: ``{"name", "transport": "stdio"|"streamable_http"|"sse", "command", "args",
"env", "url", "headers"}``. Servers come from the operator's settings table, not the request.
"""

from __future__ import annotations

import logging
from typing import Any

log = logging.getLogger(__name__)


def _client(server: dict[str, Any], client_cls: Any) -> Any:
    kind = server.get("transport") or ("stdio" if server.get("command") else "streamable_http")
    if kind == "stdio":
        from mcp import StdioServerParameters, stdio_client

        params = StdioServerParameters(
            command=str(server["command"]),
            args=[str(a) for a in server.get("args", [])],
            env={str(k): str(v) for k, v in (server.get("env") or {}).items()} or None,
        )
        return client_cls(lambda: stdio_client(params), startup_timeout=15)
    url, headers = str(server["url"]), server.get("headers")
    if kind == "sse":
        from mcp.client.sse import sse_client

        return client_cls(lambda: sse_client(url, headers=headers), startup_timeout=15)
    if kind == "streamable_http":
        return client_cls(url=url, headers=headers, startup_timeout=15)
    raise ValueError(f"unknown transport {kind!r}")


def mcp_clients(servers: tuple[dict[str, Any], ...] | list[dict[str, Any]]) -> list[Any]:
    """MCPClient objects for valid entries; invalid ones are skipped with a log line."""
    from strands.tools.mcp import MCPClient

    clients = []
    for server in servers:
        name = server.get("name") or server.get("url") or server.get("command")
        try:
            clients.append(_client(server, MCPClient))
        except (KeyError, ImportError, TypeError, ValueError) as exc:
            log.warning("MCP server %r skipped: %s", name, exc)
    return clients
