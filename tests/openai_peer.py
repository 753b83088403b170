"""A scripted OpenAI-compatible chat server on 127.0.0.1 (the agent's OPENAI_BASE_URL).

First turn: if the request offers the ``current_time`` tool, call it; once the tool's
result is in the conversation (or with no tools), answer with scripted text. Streams SSE in
the Chat Completions chunk format the openai SDK parses.
"""

from __future__ import annotations

import json
from http.server import BaseHTTPRequestHandler

from tests.helpers import ThreadedServer

ANSWER = ["The time ", "is noon."]


def _chunk(delta: dict, finish: str | None = None, usage: dict | None = None) -> bytes:
    body = {"id": "c1", "object": "chat.completion.chunk", "created": 0, "model": "local",
            "choices": [] if usage else [{"index": 0, "delta": delta,
                                          "finish_reason": finish}]}
    if usage:
        body["usage"] = usage
    return f"data: {json.dumps(body)}\n\n".encode()


def script(request: dict) -> list[bytes]:
    """The SSE events answering one chat request."""
    tools = [t.get("function", {}).get("name") for t in request.get("tools") or []]
    answered = any(m.get("role") == "tool" for m in request.get("messages", []))
    usage = {"prompt_tokens": 7, "completion_tokens": 3, "total_tokens": 10}
    parts = [_chunk({"role": "assistant", "content": ""})]
    if "current_time" in tools and not answered:
        call = {"index": 0, "id": "call_1", "type": "function",
                "function": {"name": "current_time", "arguments": ""}}
        parts.append(_chunk({"tool_calls": [call]}))
        parts.append(_chunk({"tool_calls": [{"index": 0, "function": {"arguments": "{}"}}]}))
        parts.append(_chunk({}, "tool_calls"))
    else:
        parts += [_chunk({"content": text}) for text in ANSWER]
        parts.append(_chunk({}, "stop"))
    parts.append(_chunk({}, usage=usage))
    parts.append(b"data: [DONE]\n\n")
    return parts


class OpenAIPeer(ThreadedServer):
    """Serve ``script`` answers; ``requests`` records every request body. ``GET /v1/models``
    lists ``models`` (as ollama, llama.cpp or vLLM list theirs)."""

    def __init__(self, models: tuple[str, ...] = ("local",)) -> None:
        self.requests: list[dict] = []
        self.listed = 0  # GET /v1/models requests
        peer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802 - http.server API
                if self.path.rstrip("/") != "/v1/models":
                    self.send_error(404)
                    return
                peer.listed += 1
                data = json.dumps({"object": "list", "data": [
                    {"id": name, "object": "model", "owned_by": "local"} for name in models]})
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data.encode())

            def do_POST(self) -> None:  # noqa: N802 - http.server API
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                peer.requests.append(body)
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                for data in script(body):
                    self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
                    self.wfile.flush()
                self.wfile.write(b"0\r\n\r\n")

            def log_message(self, *args) -> None:
                pass

        self._serve_with(Handler)

    @property
    def url(self) -> str:
        return super().url + "/v1"
