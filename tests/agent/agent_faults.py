"""A fault-injecting OpenAI-compatible chat server on 127.0.0.1 (ephemeral port).

``FaultServer(reply)`` answers ``POST /v1/chat/completions`` with ``reply(n)`` (n = 0, 1, ...
per request): a ``Reply`` of status, headers, body and optionally ``cut_at``: send that many
body bytes of a longer declared Content-Length, then drop the connection.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler

from tests.helpers import ThreadedServer

SSE = {"Content-Type": "text/event-stream"}


@dataclass
class Reply:
    status: int = 200
    headers: dict = field(default_factory=lambda: dict(SSE))
    body: bytes = b""
    cut_at: int | None = None


def chunk(delta: dict, finish: str | None = None) -> dict:
    return {"id": "c1", "object": "chat.completion.chunk", "created": 0, "model": "m",
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}


def sse(*events: dict | str) -> bytes:
    """SSE frames: dicts as JSON, strings verbatim (``[DONE]``, junk)."""
    return "".join(f"data: {e if isinstance(e, str) else json.dumps(e)}\n\n"
                   for e in events).encode()


def good_stream(*texts: str) -> bytes:
    return sse(chunk({"role": "assistant", "content": ""}),
               *(chunk({"content": t}) for t in texts), chunk({}, "stop"), "[DONE]")


class FaultServer(ThreadedServer):
    """Serves ``reply(n)`` for the n-th chat request; records each request's headers."""

    def __init__(self, reply: Callable[[int], Reply]) -> None:
        self.reply = reply
        self.headers: list[dict[str, str]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                outer.headers.append(dict(self.headers))
                answer = outer.reply(len(outer.headers) - 1)
                self.send_response(answer.status)
                for key, value in answer.headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(answer.body)))
                if answer.cut_at is not None:
                    self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(answer.body[: answer.cut_at])
                self.wfile.flush()
                if answer.cut_at is not None:
                    self.close_connection = True

            def log_message(self, *args) -> None:
                pass

        self._serve_with(Handler)
        self.httpd.daemon_threads = True

    @property
    def base_url(self) -> str:
        return f"{self.url}/v1"
