"""A fault-injecting OpenAI-compatible chat server on 127.0.0.1 (ephemeral port).

``FaultServer(reply)`` answers ``POST /v1/chat/completions`` with ``reply(n)`` (n = 0, 1, ...
per request): a ``Reply`` of status, headers, body and optionally ``cut_at``: send that many
body bytes of a longer declared Content-Length, then drop the connection; ``delay``: wait that
long before answering, or, with ``pause_after``, after sending that many body bytes (a server
that stalls mid-answer).
"""

from __future__ import annotations

import json
import time
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
    delay: float = 0.0
    pause_after: int | None = None


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


def usage_event(prompt: int = 7, completion: int = 3) -> dict:
    """The usage-only event servers send last when asked for ``include_usage``."""
    return {"id": "c1", "object": "chat.completion.chunk", "created": 0, "model": "m",
            "choices": [], "usage": {"prompt_tokens": prompt, "completion_tokens": completion,
                                     "total_tokens": prompt + completion}}


def finished_stream(finish: str, *texts: str, usage: bool = False) -> bytes:
    """Text deltas ending with ``finish`` as finish_reason (``length``, ``content_filter``)."""
    events: list[dict | str] = [chunk({"role": "assistant", "content": ""}),
                                *(chunk({"content": t}) for t in texts), chunk({}, finish)]
    return sse(*events, *([usage_event()] if usage else []), "[DONE]")


def tool_call_stream(name: str, call_id: str, arguments: str = "{}") -> bytes:
    """One call of tool ``name``, finish_reason ``tool_calls`` (a model asking for a tool)."""
    call = {"index": 0, "id": call_id, "type": "function",
            "function": {"name": name, "arguments": ""}}
    return sse(chunk({"role": "assistant", "content": ""}), chunk({"tool_calls": [call]}),
               chunk({"tool_calls": [{"index": 0, "function": {"arguments": arguments}}]}),
               chunk({}, "tool_calls"), usage_event(), "[DONE]")


class FaultServer(ThreadedServer):
    """Serves ``reply(n)`` for the n-th chat request; records each request's headers."""

    def __init__(self, reply: Callable[[int], Reply]) -> None:
        self.reply = reply
        self.headers: list[dict[str, str]] = []
        self.arrivals: list[float] = []  # time.monotonic() of each request
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                outer.arrivals.append(time.monotonic())
                outer.headers.append(dict(self.headers))
                answer = outer.reply(len(outer.headers) - 1)
                if answer.delay and answer.pause_after is None:
                    time.sleep(answer.delay)
                self.send_response(answer.status)
                for key, value in answer.headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(answer.body)))
                if answer.cut_at is not None:
                    self.send_header("Connection", "close")
                self.end_headers()
                body = answer.body[: answer.cut_at]
                if answer.pause_after is not None:
                    self.wfile.write(body[: answer.pause_after])
                    self.wfile.flush()
                    time.sleep(answer.delay)
                    body = body[answer.pause_after:]
                try:
                    self.wfile.write(body)
                    self.wfile.flush()
                except OSError:  # the client gave up (its read timeout)
                    self.close_connection = True
                    return
                if answer.cut_at is not None:
                    self.close_connection = True

            def log_message(self, *args) -> None:
                pass

        self._serve_with(Handler)
        self.httpd.daemon_threads = True

    @property
    def base_url(self) -> str:
        return f"{self.url}/v1"
