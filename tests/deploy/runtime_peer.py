"""A local InvokeAgentRuntime peer (127.0.0.1): moto has no bedrock-agentcore data plane.

It answers ``POST /runtimes/{arn}/invocations`` either with a fixed health reply or, given
``forward``, by forwarding the body and session header to a running agent's /invocations.
"""

from __future__ import annotations

import json
import urllib.request
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, unquote, urlsplit

from tests.helpers import ThreadedServer

SESSION_HEADER = "X-Amzn-Bedrock-AgentCore-Runtime-Session-Id"


class RuntimePeer(ThreadedServer):
    """Run as a context manager; ``calls`` records (runtime arn, session id, payload),
    ``qualifiers`` the endpoint each call named (``qualifier=``; None when absent)."""

    def __init__(self, forward: str | None = None, reply: dict | None = None) -> None:
        self.forward, self.calls, self.qualifiers = forward, [], []
        peer = self
        fixed = json.dumps(reply or {"status": "healthy"}).encode()

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                parts = urlsplit(self.path).path.split("/")
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                session = self.headers.get(SESSION_HEADER)
                peer.calls.append((unquote(parts[2]), session, json.loads(body or b"null")))
                query = parse_qs(urlsplit(self.path).query)
                peer.qualifiers.append((query.get("qualifier") or [None])[0])
                if peer.forward is None:
                    status, ctype, data = 200, "application/json", fixed
                else:
                    req = urllib.request.Request(
                        f"{peer.forward}/invocations", data=body, method="POST",
                        headers={"Content-Type": "application/json", SESSION_HEADER: session})
                    with urllib.request.urlopen(req, timeout=10) as reply:
                        status, data = reply.status, reply.read()
                        ctype = reply.headers.get("Content-Type", "application/json")
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args) -> None:
                pass

        self._serve_with(Handler)
