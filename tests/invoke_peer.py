"""A local HTTP peer that answers like an agent: AgentCore's InvokeAgentRuntime route
(``/runtimes/{arn}/invocations``) and a local agent's ``/invocations``.

It records every request (path, query, headers, body) and answers with scripted chunks:
SSE (chunked, one flushed write per chunk) when the payload asks to stream, else one JSON
body. ``hold`` makes it wait after the first chunk until the test sets it, which proves a
client hands chunks on as they arrive. ``drop_after`` closes the connection after that many
chunks, without the chunked encoding's last chunk (a stream that broke off).
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, unquote, urlsplit

from tests.helpers import ThreadedServer


@dataclass
class Seen:
    """One request the peer received."""

    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes

    @property
    def payload(self) -> dict:
        return json.loads(self.body)


@dataclass
class InvokePeer(ThreadedServer):
    """Serve scripted chunks on 127.0.0.1 (ephemeral port)."""

    chunks: list[dict] = field(default_factory=list)
    reply: dict | None = None  # the non-streaming body (default: built from the chunks)
    status: int = 200
    hold: threading.Event | None = None
    drop_after: int | None = None
    seen: list[Seen] = field(default_factory=list)

    def __post_init__(self) -> None:
        peer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:  # noqa: N802 - http.server API
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                peer.seen.append(Seen(unquote(parts.path),
                                      {k: v[0] for k, v in parse_qs(parts.query).items()},
                                      {k.lower(): v for k, v in self.headers.items()}, body))
                if peer.status != 200:
                    self._send(peer.status, "application/json",
                               json.dumps({"error": "scripted failure"}).encode())
                    return
                try:
                    stream = bool(json.loads(body or b"{}").get("stream"))
                except ValueError:
                    stream = False
                if stream:
                    self._stream()
                else:
                    reply = peer.reply or {"response": "".join(
                        c.get("text", "") for c in peer.chunks), "status": "success"}
                    self._send(200, "application/json", json.dumps(reply).encode())

            def _send(self, status: int, content_type: str, data: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _stream(self) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream; charset=utf-8")
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                for index, chunk in enumerate(peer.chunks):
                    data = f"data: {json.dumps(chunk)}\n\n".encode()
                    self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
                    self.wfile.flush()
                    if index == 0 and peer.hold is not None:
                        peer.hold.wait(10)
                    if peer.drop_after is not None and index + 1 >= peer.drop_after:
                        self.close_connection = True
                        return
                self.wfile.write(b"0\r\n\r\n")
                self.wfile.flush()

            def log_message(self, *args) -> None:
                pass

        self._serve_with(Handler)

    def __exit__(self, *exc) -> None:
        if self.hold is not None:
            self.hold.set()
        super().__exit__(*exc)
